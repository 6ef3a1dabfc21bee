"""`gridcare run --scheduler`: the jobs inside the development server, started once, in the
process that serves, even under the reloader; off unless asked for."""

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from gridcare.scheduling import embedded
from gridcare.scheduling import runner as scheduling_runner
from gridcare.scheduling import services as scheduling_services
from tests.test_cli import UNREACHABLE, app_with_database, assert_one_clear_line, gridcare


class RecordingScheduler(BackgroundScheduler):
    """Beats once, as the real one does on start, and runs no thread."""

    started = 0

    def start(self, *args, **kwargs):
        RecordingScheduler.started += 1
        assert {job.id for job in self.get_jobs()} >= set(scheduling_runner.JOBS)
        scheduling_runner.heartbeat()

    def shutdown(self, wait=True):
        pass


@pytest.fixture
def served(monkeypatch, app):
    """`gridcare run` without serving: what run_simple was asked, and schedulers started."""
    calls = []
    monkeypatch.setattr("flask.cli.run_simple", lambda *a, **kw: calls.append(kw))
    monkeypatch.setattr(embedded, "BackgroundScheduler", RecordingScheduler)
    monkeypatch.setattr(embedded, "_started", None)
    monkeypatch.setattr(RecordingScheduler, "started", 0)
    monkeypatch.setattr(embedded.atexit, "register", lambda *a: None)
    monkeypatch.setitem(app.config, "GRIDCARE_SCHEDULER_ID", "embedded-test")
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    monkeypatch.delenv("GRIDCARE_RUN_SCHEDULER", raising=False)
    return calls


def test_run_starts_no_scheduler_unless_asked(app, served):
    result = gridcare(app, "run", "--no-reload")
    assert result.exit_code == 0, result.output
    assert len(served) == 1 and RecordingScheduler.started == 0
    assert scheduling_services.current_leader() is None


def test_run_with_scheduler_takes_the_lease_and_serves(app, served):
    result = gridcare(app, "run", "--no-reload", "--scheduler", "--port", "5149")
    assert result.exit_code == 0, result.output
    assert RecordingScheduler.started == 1
    assert served[0]["use_reloader"] is False
    assert scheduling_services.current_leader() == "embedded-test"
    embedded.stop(app)
    assert scheduling_services.current_leader() is None


def test_the_environment_can_ask_for_the_scheduler(app, served, monkeypatch):
    monkeypatch.setenv("GRIDCARE_RUN_SCHEDULER", "1")
    assert gridcare(app, "run", "--no-reload").exit_code == 0
    assert RecordingScheduler.started == 1


def test_under_the_reloader_only_the_serving_child_starts_it_and_only_once(
    app, served, monkeypatch
):
    # The watcher: it restarts the child, serves nothing, and must not schedule.
    assert gridcare(app, "run", "--reload", "--scheduler").exit_code == 0
    assert RecordingScheduler.started == 0 and served[0]["use_reloader"] is True
    # The child serves; a second start in the same process changes nothing.
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    assert gridcare(app, "run", "--reload", "--scheduler").exit_code == 0
    assert gridcare(app, "run", "--reload", "--scheduler").exit_code == 0
    assert RecordingScheduler.started == 1


@pytest.mark.committed
@pytest.mark.parametrize("database", UNREACHABLE)
def test_run_with_scheduler_says_in_one_line_that_the_database_cannot_be_used(
    served, database, tmp_path
):
    broken = app_with_database(UNREACHABLE[database](tmp_path), tmp_path)
    result = gridcare(broken, "run", "--no-reload", "--scheduler")
    assert_one_clear_line(result, "database")
    assert served == [] and RecordingScheduler.started == 0
