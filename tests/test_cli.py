"""The `gridcare` command, driven as cron and an operator drive it: through the FlaskGroup.

Failures must end in one clear line and a non-zero exit, never a traceback.
"""

import json
import os
import stat

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from openpyxl import load_workbook
from sqlalchemy import select

from gridcare import create_app
from gridcare.cli import cli
from gridcare.config import TestConfig
from gridcare.extensions import db
from gridcare.scheduling import runner as scheduling_runner
from gridcare.scheduling import services as scheduling_services
from gridcare.scheduling.models import JobRun
from tests.conftest import PASSWORD


def gridcare(app: Flask, *args: str, **kwargs):
    """Run `gridcare ARGS` against `app`, as the installed command would."""
    info = ScriptInfo(create_app=lambda: app, load_dotenv_defaults=False)
    return app.test_cli_runner().invoke(cli, list(args), obj=info, **kwargs)


def assert_one_clear_line(result, *words: str) -> None:
    assert result.exit_code not in (0, None), result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for word in words:
        assert word in lines[0], result.output


def app_with_database(url: str, tmp_path) -> Flask:
    return create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": url,
            "GRIDCARE_INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )


UNREACHABLE = {
    "closed port": lambda tmp_path: "postgresql+psycopg://gridcare:secret@127.0.0.1:9/gridcare",
    "unwritable sqlite": lambda tmp_path: f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}",
}


# jobs


def test_jobs_run_prints_the_summary_and_exits_0(app):
    result = gridcare(app, "jobs", "run", "generate_visits")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("generate_visits: ok care_levels_changed=")
    run = db.session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert (run.job, run.ok, run.holder) == ("generate_visits", True, "cli")


def test_jobs_run_escalates_late_urgent_visits_and_says_how_many(app):
    result = gridcare(app, "jobs", "run", "escalate_event_visits")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("escalate_event_visits: ok escalated=0")


def test_jobs_run_exits_1_when_the_job_fails(app, monkeypatch):
    def broken():
        raise RuntimeError("disk full")

    monkeypatch.setattr("gridcare.visits.jobs.close_missed", broken)
    result = gridcare(app, "jobs", "run", "close_missed")
    assert result.exit_code == 1
    assert "close_missed: FAILED RuntimeError: disk full" in result.output
    assert "Traceback" not in result.output


def test_jobs_run_names_the_jobs_when_given_an_unknown_one(app):
    result = gridcare(app, "jobs", "run", "make_tea")
    assert result.exit_code == 2
    assert "generate_visits" in result.output
    assert db.session.scalar(select(JobRun)) is None


def test_jobs_list_shows_every_job_the_leader_and_the_latest_runs(app):
    scheduling_services.acquire_lease("host-a:1", 60)
    scheduling_services.record_run("close_missed", "host-a:1", lambda: "missed=3")
    result = gridcare(app, "jobs", "list")
    assert result.exit_code == 0, result.output
    for name in scheduling_runner.JOBS:
        assert name in result.output
    assert "leader: host-a:1" in result.output
    assert "close_missed" in result.output and "missed=3" in result.output


# scheduler run


class StoppedScheduler(scheduling_runner.BlockingScheduler):
    """Beats once, as the real loop does first, then stops as Ctrl-C would."""

    def start(self, *args, **kwargs):
        assert {job.id for job in self.get_jobs()} >= set(scheduling_runner.JOBS)
        scheduling_runner.heartbeat()
        assert scheduling_services.current_leader() == "test-scheduler"
        raise KeyboardInterrupt


def test_scheduler_run_takes_the_lease_and_releases_it_when_stopped(app, monkeypatch):
    monkeypatch.setattr(scheduling_runner, "BlockingScheduler", StoppedScheduler)
    monkeypatch.setitem(app.config, "GRIDCARE_SCHEDULER_ID", "test-scheduler")
    result = gridcare(app, "scheduler", "run")
    assert result.exit_code == 0, result.output
    assert scheduling_services.current_leader() is None


# report coverage


@pytest.mark.parametrize("period", ["9999-12", "0001", "0001-01-01..0001-01-05", "2026-13"])
def test_report_coverage_refuses_a_period_out_of_range_in_one_line(app, make, period):
    district = make.tree()["district"]
    result = gridcare(app, "report", "coverage", "--area", district.code, "--period", period)
    assert_one_clear_line(result, "--period")
    assert result.exit_code == 2


def test_report_coverage_refuses_an_unknown_area(app):
    result = gridcare(app, "report", "coverage", "--area", "NOPE", "--period", "2026-10")
    assert_one_clear_line(result, "NOPE")


def test_report_coverage_writes_csv_and_xlsx_where_asked(app, make, tmp_path):
    district = make.tree()["district"]
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"out.{fmt}"
        result = gridcare(
            app, "report", "coverage", "--area", district.code, "--period", "2026-10",
            "--format", fmt, "--output", str(target),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"Wrote {target}"
    assert (tmp_path / "out.csv").read_bytes().startswith("\ufeff".encode())
    assert load_workbook(tmp_path / "out.xlsx").sheetnames == ["按区域", "按网格员"]


def test_report_coverage_json_goes_to_standard_output(app, make):
    district = make.tree()["district"]
    result = gridcare(app, "report", "coverage", "--area", district.code, "--period", "2026")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"]["target"] == 0


def test_report_coverage_says_in_one_line_when_the_output_cannot_be_written(
    app, make, tmp_path, new_events
):
    district = make.tree()["district"]
    target = tmp_path / "no-such-dir" / "out.csv"
    result = gridcare(
        app, "report", "coverage", "--area", district.code, "--period", "2026-10",
        "--format", "csv", "--output", str(target),
    )  # fmt: skip
    assert_one_clear_line(result, str(target))
    assert new_events("export") == []  # nothing was exported


# users create, import residents, demo load: their happy paths are tested in their domains.


def test_users_create_refuses_a_duplicate_username_in_one_line(app, make):
    existing = make.user("officer")
    result = gridcare(
        app, "users", "create", existing.username, "--role", "officer", "--password", PASSWORD * 2
    )
    assert_one_clear_line(result)
    assert result.exit_code == 1


def test_import_residents_refuses_a_missing_file_in_one_line(app, tmp_path):
    result = gridcare(app, "import", "residents", str(tmp_path / "none.xlsx"), "--as", "x")
    assert_one_clear_line(result, "none.xlsx")


def test_demo_load_refuses_a_scale_it_does_not_know(app):
    result = gridcare(app, "demo", "load", "--scale", "galaxy")
    assert result.exit_code == 2
    assert "galaxy" in result.output


# keys


def test_a_command_with_keys_required_but_missing_says_how_to_make_them(tmp_path):
    def production_app():
        return create_app(
            {
                "SECRET_KEY": None,
                "GRIDCARE_DATA_KEY": None,
                "GRIDCARE_REQUIRE_KEYS": True,
                "GRIDCARE_INSTANCE_PATH": str(tmp_path),
            }
        )

    info = ScriptInfo(create_app=production_app, load_dotenv_defaults=False)
    result = CliRunner().invoke(cli, ["jobs", "list"], obj=info)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: SECRET_KEY and GRIDCARE_DATA_KEY must be set")
    assert "secrets.token_urlsafe" in result.output


# db upgrade


@pytest.mark.committed
def test_db_upgrade_migrates_a_new_sqlite_database_owner_only(tmp_path):
    target = tmp_path / "fresh.db"
    fresh = app_with_database(f"sqlite:///{target}", tmp_path)
    result = gridcare(fresh, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert target.exists()
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    result = gridcare(fresh, "jobs", "list")
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        db.engine.dispose()


# A database that cannot be reached, for every command that needs one.

COMMANDS = {
    "db upgrade": ["db", "upgrade"],
    "users create": ["users", "create", "someone", "--role", "admin", "--password", PASSWORD * 2],
    "demo load": ["demo", "load", "--history-days", "0"],
    "import residents": ["import", "residents", "{file}", "--as", "officer1"],
    "scheduler run": ["scheduler", "run"],
    "jobs run": ["jobs", "run", "generate_visits"],
    "jobs list": ["jobs", "list"],
    "report coverage": ["report", "coverage", "--area", "620202", "--period", "2026-10"],
    "report performance": ["report", "performance", "--area", "620202", "--quarter", "2026-Q3"],
}


@pytest.mark.committed
@pytest.mark.parametrize("database", UNREACHABLE)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_says_in_one_line_that_the_database_cannot_be_reached(
    command, database, tmp_path, monkeypatch
):
    monkeypatch.setattr(scheduling_runner, "BlockingScheduler", StoppedScheduler)
    upload = tmp_path / "residents.csv"
    upload.write_text("a,b\n1,2\n")
    broken = app_with_database(UNREACHABLE[database](tmp_path), tmp_path)
    args = [arg.replace("{file}", str(upload)) for arg in COMMANDS[command]]
    result = gridcare(broken, *args)
    assert_one_clear_line(result, "database")
    assert result.exit_code == 1
    assert "secret" not in result.output  # the password stays out of logs


# A database that is reachable but not migrated, and a data key that is no key.


@pytest.fixture
def empty_database(tmp_path) -> str:
    """A database with no tables, of the kind the suite runs on."""
    url = os.environ.get("GRIDCARE_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'empty.db'}"
    from sqlalchemy import create_engine, text

    from gridcare.config import database_url

    admin = create_engine(database_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS gridcare_test_empty"))
        conn.execute(text("CREATE DATABASE gridcare_test_empty"))
    admin.dispose()
    return database_url(url.rsplit("/", 1)[0] + "/gridcare_test_empty")


@pytest.mark.committed
@pytest.mark.parametrize("command", ["jobs list", "jobs run", "report coverage"])
def test_a_database_never_migrated_is_said_in_one_line_with_the_fix(
    command, empty_database, tmp_path
):
    unmigrated = app_with_database(empty_database, tmp_path)
    result = gridcare(unmigrated, *COMMANDS[command])
    assert_one_clear_line(result, "gridcare db upgrade")
    with unmigrated.app_context():
        db.engine.dispose()


def test_a_data_key_that_is_no_key_is_said_in_one_line(app, tmp_path):
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}

    def misconfigured_app():
        return create_app(
            {
                **settings,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "GRIDCARE_DATA_KEY": "abc",
                "GRIDCARE_INSTANCE_PATH": str(tmp_path),
            }
        )

    info = ScriptInfo(create_app=misconfigured_app, load_dotenv_defaults=False)
    result = CliRunner().invoke(cli, ["jobs", "list"], obj=info)
    assert_one_clear_line(result, "GRIDCARE_DATA_KEY")
