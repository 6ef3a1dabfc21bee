"""`gridcare backup` and `gridcare restore`, through the command as an operator runs them:
a city backed up and restored into an empty database reads the same, photos and all."""

import json
import os
import tarfile
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text

from gridcare import backups
from gridcare.accounts.services import actor_for
from gridcare.areas.services import area_by_code
from gridcare.config import database_url
from gridcare.extensions import db
from gridcare.hazards.photos import photo_folder
from gridcare.reports.coverage import coverage
from gridcare.reports.exports import to_json
from gridcare.reports.periods import parse
from gridcare.visits import services as visits
from gridcare.visits.models import Outcome, VisitKind
from tests.test_cli import app_with_database, assert_one_clear_line, gridcare

ON_POSTGRES = bool(os.environ.get("GRIDCARE_TEST_DATABASE_URL"))
PHOTO = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes to compare"


@pytest.fixture
def empty_target(tmp_path):
    """An empty database of the suite's kind, named after the suite's own."""
    url = os.environ.get("GRIDCARE_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    base, name = url.rsplit("/", 1)
    target = f"restored_{name}"
    admin = create_engine(database_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target}"'))
        conn.execute(text(f'CREATE DATABASE "{target}"'))
    yield database_url(f"{base}/{target}")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
    admin.dispose()


def row_counts() -> dict[str, int]:
    counts = {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }
    db.session.remove()  # SQLite: the command's own connection must not wait for ours
    return counts


def figures() -> dict:
    district = area_by_code("620202")
    said = to_json(coverage(district, parse(f"{date.today():%Y-%m}")))
    db.session.remove()
    return said


@pytest.fixture
def own_instance(app, tmp_path, monkeypatch):
    """The app's photos in a folder of this test's own: other tests leave theirs."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "source-instance"))


@pytest.fixture
def a_city(app, make, own_instance):
    tree = make.tree()
    tree["district"].code = "620202"
    worker = make.user("grid_worker", areas=[tree["grid1"]], full_name="李网格")
    make.user("officer", areas=[tree["community1"]])
    for number in range(6):
        home = make.household(tree["grid1"], address=f"新华路{number}号")
        make.resident(home, name=f"王{number}", birth_date=date(1938, 3, 1), lives_alone=True)
    db.session.commit()
    visits.generate_visits(date.today())
    visits.log_visit(
        actor_for(worker),
        home,
        kind=VisitKind.home_visit,
        client_uuid=str(uuid.uuid4()),
        outcome=Outcome.well,
    )
    (photo_folder() / "a1b2c3.jpg").write_bytes(PHOTO)
    db.session.remove()
    return tree


@pytest.mark.committed
def test_a_backup_restored_into_an_empty_database_gives_the_same_city(
    app, a_city, empty_target, tmp_path
):
    before_counts, before_figures = row_counts(), figures()
    assert before_figures["total"]["visited"] >= 1
    archive = tmp_path / "city.tar"

    made = gridcare(app, "backup", str(archive))

    assert made.exit_code == 0, made.output
    assert "1 photos" in made.output and "GRIDCARE_DATA_KEY" in made.output
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # it holds the registry
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert app.config["GRIDCARE_DATA_KEY"] not in json.dumps(manifest)

    restored = app_with_database(empty_target, tmp_path / "elsewhere")
    done = gridcare(restored, "restore", str(archive))

    assert done.exit_code == 0, done.output
    assert "1 photos" in done.output
    with restored.app_context():
        assert row_counts() == before_counts
        assert figures() == before_figures
        assert (photo_folder() / "a1b2c3.jpg").read_bytes() == PHOTO
        db.session.remove()
        db.engine.dispose()


@pytest.mark.committed
def test_restore_refuses_a_database_that_already_holds_tables(app, a_city, tmp_path):
    archive = tmp_path / "city.tar"
    assert gridcare(app, "backup", str(archive)).exit_code == 0
    before = row_counts()

    result = gridcare(app, "restore", str(archive))

    assert_one_clear_line(result, "already holds", "empty database")
    assert result.exit_code == 1
    assert row_counts() == before


@pytest.mark.committed
def test_restore_refuses_a_backup_made_with_another_data_key(app, a_city, empty_target, tmp_path):
    archive = tmp_path / "city.tar"
    assert gridcare(app, "backup", str(archive)).exit_code == 0
    other_key = app_with_database(empty_target, tmp_path / "other")
    other_key.config["GRIDCARE_DATA_KEY"] = "c" * 43 + "="
    from gridcare import privacy

    privacy.init_app(other_key)

    result = gridcare(other_key, "restore", str(archive))

    assert_one_clear_line(result, "another GRIDCARE_DATA_KEY")
    with other_key.app_context():
        assert db.engine.dialect.has_table(db.engine.connect(), "household") is False
        db.engine.dispose()


def test_restore_refuses_a_file_that_is_no_backup(empty_target, tmp_path):
    stray = tmp_path / "notes.tar"
    stray.write_text("not a tar file")
    fresh = app_with_database(empty_target, tmp_path)
    result = gridcare(fresh, "restore", str(stray))
    assert_one_clear_line(result, "is not a gridcare backup")
    with fresh.app_context():
        db.engine.dispose()


def test_restore_of_a_missing_file_is_a_usage_error(app, tmp_path):
    result = gridcare(app, "restore", str(tmp_path / "nowhere.tar"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_backup_into_a_missing_folder_says_so_in_one_line(app, tmp_path):
    result = gridcare(app, "backup", str(tmp_path / "no-such-folder" / "city.tar"))
    assert_one_clear_line(result, "does not exist")
    assert result.exit_code == 1


def test_backup_of_a_database_without_schema_says_there_is_nothing(empty_target, tmp_path):
    fresh = app_with_database(empty_target, tmp_path)
    result = gridcare(fresh, "backup", str(tmp_path / "x.tar"))
    assert_one_clear_line(result, "no schema yet")
    assert not (tmp_path / "x.tar").exists()
    with fresh.app_context():
        db.engine.dispose()


# pg_dump and pg_restore: missing, or older than the server.


def fake_tool(folder, name: str, version: str):
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\nexit 1\n")
    script.chmod(0o755)


def test_a_missing_pg_dump_is_named_with_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(backups.BackupError, match="pg_dump was not found.*postgresql-client-16"):
        backups._tool("pg_dump", 16)


def test_a_pg_dump_older_than_the_server_is_refused(monkeypatch, tmp_path):
    fake_tool(tmp_path / "bin", "pg_dump", "13.4")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(backups.BackupError, match="version 13, older than the 16"):
        backups._tool("pg_dump", 16)


@pytest.mark.committed
@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump backs up PostgreSQL only")
@pytest.mark.parametrize("found", ["missing", "too old"])
def test_backup_says_in_one_line_when_pg_dump_cannot_serve(app, found, monkeypatch, tmp_path):
    if found == "too old":
        fake_tool(tmp_path / "bin", "pg_dump", "9.6")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    result = gridcare(app, "backup", str(tmp_path / "city.tar"))
    assert_one_clear_line(result, "pg_dump", "postgresql-client-")
    assert not (tmp_path / "city.tar").exists()
