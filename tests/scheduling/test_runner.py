"""The scheduler's job table, its catch-up rule and its leader-only runs, on a fixed clock.

The scheduler is built and started paused (so APScheduler fills in the job defaults and
next run times) but never runs a job by itself; the jobs' work is replaced by fakes.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from gridcare.extensions import db
from gridcare.scheduling import runner, services
from gridcare.scheduling.models import JobRun
from tests.conftest import TEST_DAY

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHTLY = ("close_missed", "generate_visits")


def shanghai(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A moment on TEST_DAY (+ `day_offset` days), Shanghai time."""
    day = TEST_DAY + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def stored(moment: datetime) -> datetime:
    """`moment` as the naive UTC the database keeps."""
    return moment.astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def jobs_done(monkeypatch) -> list[str]:
    """Replaces every job's work with a fake; lists the jobs run, in order."""
    done: list[str] = []
    for name, spec in runner.JOBS.items():
        module, _, function = spec.target.partition(":")
        monkeypatch.setattr(
            import_module(module), function, lambda name=name: done.append(name) or "done"
        )
    return done


def succeeded(job: str, at: datetime) -> None:
    """A successful run of `job` that started at `at`."""
    db.session.add(JobRun(job=job, holder="earlier", started_at=stored(at), ok=True))
    db.session.commit()


@pytest.fixture
def scheduler_of(app, monkeypatch) -> Iterator:
    """A function building the scheduler as `holder`, started paused; stopped afterwards."""
    for name in ("_app", "_holder", "_scheduler"):  # build() sets them; put them back
        monkeypatch.setattr(runner, name, getattr(runner, name))
    built = []

    def build(holder: str = "alpha", scheduler_class=BackgroundScheduler):
        monkeypatch.setitem(app.config, "GRIDCARE_SCHEDULER_ID", holder)
        scheduler = runner.build(app, scheduler_class)
        scheduler.start(paused=True)
        built.append(scheduler)
        return scheduler

    yield build
    for scheduler in built:
        if scheduler.running:
            scheduler.shutdown(wait=False)


# The job table


class LastingJobStore(MemoryJobStore):
    """Keeps its jobs when the scheduler stops, as a database-backed store would."""

    def shutdown(self):
        pass


def test_every_job_has_its_fixed_id_beside_the_heartbeat_and_the_catch_up(scheduler_of):
    scheduler = scheduler_of()
    assert {job.id for job in scheduler.get_jobs()} == {
        *runner.JOBS,
        "lease_heartbeat",
        "catch_up",
    }
    for name in runner.JOBS:
        job = scheduler.get_job(name)
        assert (job.name, job.args) == (name, (name,))


def test_jobs_never_pile_up_and_a_late_run_within_the_grace_still_happens(
    app, scheduler_of, monkeypatch
):
    monkeypatch.setitem(app.config, "GRIDCARE_MISFIRE_GRACE_SECONDS", 1234)
    for job in scheduler_of().get_jobs():
        assert job.coalesce is True, job.id
        assert job.max_instances == 1, job.id
        assert job.misfire_grace_time == 1234, job.id


def test_a_restarted_scheduler_replaces_its_jobs_instead_of_adding_copies(scheduler_of):
    store = LastingJobStore()

    class SameStore(BackgroundScheduler):
        def __init__(self, **options):
            super().__init__(jobstores={"default": store}, **options)

    scheduler_of("alpha", SameStore).shutdown(wait=False)
    # Starting adds the jobs to the store: a second job with a taken id would raise here.
    scheduler_of("alpha", SameStore)
    assert len(store.get_all_jobs()) == len(runner.JOBS) + 2


def test_the_nightly_jobs_fire_at_night_in_the_configured_time_zone(scheduler_of):
    with time_machine.travel(shanghai(0, 12), tick=False):
        scheduler = scheduler_of()
    assert scheduler.get_job("close_missed").next_run_time == shanghai(1, 0, 20)
    assert scheduler.get_job("generate_visits").next_run_time == shanghai(1, 0, 40)
    assert scheduler.get_job("worker_digest").next_run_time == shanghai(1, 7)
    assert scheduler.get_job("escalate_hazards").next_run_time == shanghai(0, 12, 5)
    assert scheduler.get_job("escalate_event_visits").next_run_time == shanghai(0, 12, 10)
    assert scheduler.get_job("monthly_snapshot").next_run_time == datetime(
        2026, 12, 1, 2, tzinfo=SHANGHAI
    )


def test_another_configured_time_zone_moves_the_nightly_jobs_with_it(
    app, scheduler_of, monkeypatch
):
    monkeypatch.setitem(app.config, "GRIDCARE_TIMEZONE", "Asia/Urumqi")
    with time_machine.travel(shanghai(0, 12), tick=False):
        scheduler = scheduler_of()
    tomorrow = TEST_DAY + timedelta(days=1)
    assert scheduler.get_job("close_missed").next_run_time == datetime(
        tomorrow.year, tomorrow.month, tomorrow.day, 0, 20, tzinfo=ZoneInfo("Asia/Urumqi")
    )


# Leadership


def test_the_heartbeat_takes_the_lease_and_brings_the_catch_up_forward(scheduler_of):
    noon = shanghai(0, 12)
    with time_machine.travel(noon, tick=False):
        scheduler = scheduler_of("alpha")
        assert scheduler.get_job("catch_up").next_run_time == noon + timedelta(minutes=5)
        assert runner.heartbeat() is True
        assert services.current_leader() == "alpha"
        assert scheduler.get_job("catch_up").next_run_time == noon


def test_a_standby_heartbeat_leaves_the_leader_and_the_catch_up_alone(scheduler_of):
    noon = shanghai(0, 12)
    with time_machine.travel(noon, tick=False):
        services.acquire_lease("beta", 60)
        scheduler = scheduler_of("alpha")
        assert runner.heartbeat() is False
        assert services.current_leader() == "beta"
        assert scheduler.get_job("catch_up").next_run_time == noon + timedelta(minutes=5)


def test_a_fired_job_runs_only_in_the_leading_process(scheduler_of, jobs_done):
    scheduler_of("alpha")
    services.acquire_lease("beta", 60)
    runner.run_job("generate_visits")
    assert jobs_done == []
    assert db.session.scalar(select(JobRun)) is None

    services.release_lease("beta")
    services.acquire_lease("alpha", 60)
    runner.run_job("generate_visits")
    assert jobs_done == ["generate_visits"]
    run = db.session.scalar(select(JobRun))
    assert (run.job, run.holder, run.ok, run.summary) == ("generate_visits", "alpha", True, "done")


def test_the_catch_up_job_does_nothing_in_a_standby(scheduler_of, jobs_done):
    scheduler_of("alpha")
    services.acquire_lease("beta", 60)
    runner.catch_up_job()
    assert jobs_done == []


def test_the_catch_up_job_of_the_leader_runs_what_was_missed(scheduler_of, jobs_done):
    scheduler_of("alpha")
    services.acquire_lease("alpha", 60)
    runner.catch_up_job()
    assert sorted(jobs_done) == sorted(runner.JOBS)


# Catching up


def test_a_leader_finding_every_job_never_run_runs_each_once(app, jobs_done):
    now = shanghai(0, 9)
    with time_machine.travel(now, tick=False):
        ran = runner.catch_up(app, "alpha", now)
    assert ran == list(runner.JOBS)
    assert jobs_done == list(runner.JOBS)
    runs = db.session.scalars(select(JobRun)).all()
    assert {(run.job, run.holder, run.ok) for run in runs} == {
        (name, "alpha", True) for name in runner.JOBS
    }


def test_a_nightly_run_missed_during_downtime_is_run_by_the_leader(app, jobs_done):
    for job in runner.JOBS:
        if job not in NIGHTLY:  # the 8:05 escalation and the 7:00 digest ran
            succeeded(job, shanghai(0, 8, 30))
    for job in NIGHTLY:  # last ran the night before: tonight's run was missed
        succeeded(job, shanghai(-1, 0, 45))
    now = shanghai(0, 9)
    with time_machine.travel(now, tick=False):
        assert runner.catch_up(app, "alpha", now) == list(NIGHTLY)
    assert jobs_done == list(NIGHTLY)


def test_a_nightly_job_already_run_today_is_not_run_again(app, jobs_done):
    for job in runner.JOBS:
        succeeded(job, shanghai(0, 8, 30))
    succeeded("close_missed", shanghai(0, 0, 20))
    succeeded("generate_visits", shanghai(0, 0, 41))
    now = shanghai(0, 9)
    with time_machine.travel(now, tick=False):
        assert runner.catch_up(app, "alpha", now) == []
    assert jobs_done == []


def test_before_tonights_time_yesterdays_nightly_run_still_counts(app, jobs_done):
    succeeded("close_missed", shanghai(-1, 0, 21))
    succeeded("generate_visits", shanghai(-1, 0, 41))
    now = shanghai(0, 0, 10)
    with time_machine.travel(now, tick=False):
        ran = runner.catch_up(app, "alpha", now)
    assert not set(NIGHTLY) & set(ran)


def test_the_nightly_time_is_midnight_in_the_configured_zone_not_in_utc(app, jobs_done):
    # 00:30 in Shanghai is 16:30 UTC the day before: still tonight's run, not yesterday's.
    succeeded("close_missed", shanghai(0, 0, 30))
    now = shanghai(0, 15)
    with time_machine.travel(now, tick=False):
        ran = runner.catch_up(app, "alpha", now)
    assert "close_missed" not in ran


def test_a_failed_nightly_run_is_retried_by_the_catch_up(app, jobs_done):
    for job in runner.JOBS:
        if job != "generate_visits":
            succeeded(job, shanghai(0, 8, 30))
    succeeded("generate_visits", shanghai(-1, 0, 41))
    failed_tonight = JobRun(job="generate_visits", holder="earlier", ok=False)
    failed_tonight.started_at = stored(shanghai(0, 0, 40))
    db.session.add(failed_tonight)
    db.session.commit()
    now = shanghai(0, 9)
    with time_machine.travel(now, tick=False):
        assert runner.catch_up(app, "alpha", now) == ["generate_visits"]


def test_the_monthly_snapshot_missed_on_the_first_is_caught_up_later_in_the_month(app, jobs_done):
    for job in runner.JOBS:
        if job != "monthly_snapshot":
            succeeded(job, shanghai(0, 8, 30))
    succeeded("monthly_snapshot", datetime(2026, 10, 1, 2, 1, tzinfo=SHANGHAI))
    now = shanghai(0, 9)  # 23 November: the 1 November snapshot never ran
    with time_machine.travel(now, tick=False):
        assert runner.catch_up(app, "alpha", now) == ["monthly_snapshot"]


def test_a_failing_job_records_its_error_and_the_others_still_run(app, jobs_done, monkeypatch):
    def broken():
        raise RuntimeError("database restarting")

    monkeypatch.setattr("gridcare.visits.jobs.close_missed", broken)
    now = shanghai(0, 9)
    with time_machine.travel(now, tick=False):
        ran = runner.catch_up(app, "alpha", now)
    assert ran == list(runner.JOBS)
    assert jobs_done == [job for job in runner.JOBS if job != "close_missed"]
    failed = db.session.scalar(select(JobRun).where(JobRun.job == "close_missed"))
    assert failed.ok is False
    assert failed.summary == "RuntimeError: database restarting"
    assert failed.finished_at == stored(now)


# Running one job now


def test_run_now_returns_the_jobs_outcome_as_plain_values(jobs_done):
    outcome = runner.run_now("worker_digest")
    assert outcome == runner.JobOutcome("worker_digest", True, "done")
    run = db.session.scalar(select(JobRun))
    assert (run.holder, run.ok) == ("cli", True)


def test_run_now_runs_whoever_leads(jobs_done):
    services.acquire_lease("beta", 60)
    assert runner.run_now("close_missed", holder="ops").ok is True
    assert jobs_done == ["close_missed"]


def test_run_now_reports_a_failure_without_raising(monkeypatch):
    def broken():
        raise ValueError("no such area")

    monkeypatch.setattr("gridcare.reports.jobs.monthly_snapshot", broken)
    outcome = runner.run_now("monthly_snapshot")
    assert outcome == runner.JobOutcome("monthly_snapshot", False, "ValueError: no such area")
