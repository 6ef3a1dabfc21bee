import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from gridcare import create_app
from gridcare.accounts.models import Role, User
from gridcare.config import MissingKeysError, TestConfig
from gridcare.extensions import db


def test_create_app_does_not_touch_the_database(tmp_path):
    missing = tmp_path / "nothing-here" / "never.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}",
            "SECRET_KEY": "x",
            "GRIDCARE_DATA_KEY": TestConfig.GRIDCARE_DATA_KEY,
        }
    )
    assert app.url_map is not None
    assert not missing.exists()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")


# Error pages after a database error


def _invalid_sql(user):
    db.session.execute(text("SELECT no_such_column FROM no_such_table"))


def _duplicate_username(user):
    db.session.add(User(username=user.username, password_hash="x", role=Role.officer))
    db.session.flush()


@pytest.fixture
def failing_notifications(app, client, login, make, monkeypatch):
    """Open the notifications page with its service broken by `failure`; the response."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    user = make.user("officer", locale="en")
    login(user)

    def open_page(failure):
        monkeypatch.setattr(
            "gridcare.accounts.notifications.notifications_for", lambda user_id: failure(user)
        )
        return client.get("/notifications")

    return open_page


@pytest.mark.parametrize("failure", [_invalid_sql, _duplicate_username])
def test_a_database_error_shows_the_apps_own_error_page(failing_notifications, client, failure):
    response = failing_notifications(failure)
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Log out" in page  # the app's layout, with the user's menu
    assert "Something went wrong on our side" in page
    assert "Internal Server Error" not in page  # not Werkzeug's bare page
    assert client.get("/").status_code in (200, 302)  # and the next page works


def test_the_error_page_stands_even_when_the_layout_cannot_be_drawn(
    failing_notifications, monkeypatch
):
    def database_down(user_id):
        raise OperationalError("SELECT count(*) FROM notification", {}, Exception("gone"))

    monkeypatch.setattr("gridcare.accounts.notifications.unread_count", database_down)
    response = failing_notifications(_invalid_sql)
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "gridcare" in page and "500" in page
    assert "Internal Server Error" not in page


# Keys and the instance folder

ROOT = Path(__file__).resolve().parent.parent
NO_KEYS = {"SECRET_KEY": None, "GRIDCARE_DATA_KEY": None}


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def run_wsgi(tmp_path, **env):
    """Import wsgi.py in a fresh interpreter, as gunicorn does."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDCARE_", "SECRET"))}
    clean.pop("DATABASE_URL", None)
    clean["GRIDCARE_INSTANCE_PATH"] = str(tmp_path / "instance")
    return subprocess.run(
        [sys.executable, "-c", "import wsgi; print(wsgi.app.config['GRIDCARE_REQUIRE_KEYS'])"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_app_refuses_to_start_without_keys_and_says_how_to_make_them(tmp_path):
    with pytest.raises(MissingKeysError) as refused:
        create_app(
            {**NO_KEYS, "GRIDCARE_REQUIRE_KEYS": True, "GRIDCARE_INSTANCE_PATH": str(tmp_path)}
        )
    message = str(refused.value)
    assert "SECRET_KEY" in message and "GRIDCARE_DATA_KEY" in message
    assert 'python -c "import secrets; print(secrets.token_urlsafe(48))"' in message
    assert "Fernet.generate_key()" in message
    assert not (tmp_path / "secret.key").exists() and not (tmp_path / "data.key").exists()


def test_wsgi_server_fails_fast_without_keys(tmp_path):
    result = run_wsgi(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "GRIDCARE_DATA_KEY" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr
    assert not (tmp_path / "instance" / "data.key").exists()


def test_wsgi_server_starts_with_both_keys(tmp_path):
    result = run_wsgi(tmp_path, SECRET_KEY="s" * 48, GRIDCARE_DATA_KEY=TestConfig.GRIDCARE_DATA_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert not (tmp_path / "instance" / "secret.key").exists()


def test_development_keys_are_generated_owner_only_in_the_instance_folder(tmp_path, monkeypatch):
    folder = tmp_path / "var" / "gridcare"
    monkeypatch.setenv("GRIDCARE_INSTANCE_PATH", str(folder))
    first = create_app(NO_KEYS)
    assert first.instance_path == str(folder)
    assert mode(folder) == 0o700
    for key_file in ("secret.key", "data.key"):
        assert mode(folder / key_file) == 0o600
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{folder / 'gridcare.db'}"
    again = create_app(NO_KEYS)
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]  # sessions survive


def test_sqlite_database_and_its_journal_are_created_owner_only(tmp_path):
    target = tmp_path / "gridcare.db"
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}", "SECRET_KEY": "x",
                        "GRIDCARE_DATA_KEY": TestConfig.GRIDCARE_DATA_KEY,
                        "GRIDCARE_INSTANCE_PATH": str(tmp_path)})  # fmt: skip
    with fresh.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            for path in (target, f"{target}-wal", f"{target}-shm"):
                assert mode(path) == 0o600, path
        db.engine.dispose()
