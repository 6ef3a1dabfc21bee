"""Leadership through the lease, and the record of job runs, on a fixed clock."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from gridcare.extensions import db
from gridcare.scheduling import services
from gridcare.scheduling.models import JobRun, SchedulerLease

START = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


@pytest.fixture
def clock():
    """The clock stands at START until the test moves it on with `clock.shift(seconds)`."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# The lease


def test_the_first_holder_takes_a_free_lease_until_its_time_runs_out(clock):
    assert services.acquire_lease("a", 60)
    assert services.current_leader() == "a"
    lease = db.session.get(SchedulerLease, services.LEASE)
    assert (lease.holder, lease.expires_at) == ("a", naive(START + timedelta(seconds=60)))


def test_only_one_holder_leads_until_the_lease_expires(clock):
    assert services.acquire_lease("a", 60)
    clock.shift(59)
    assert not services.acquire_lease("b", 60)
    assert services.current_leader() == "a"


def test_the_lease_is_still_held_at_the_moment_it_expires(clock):
    assert services.acquire_lease("a", 60)
    clock.shift(60)
    assert services.current_leader() == "a"
    assert not services.acquire_lease("b", 60)


def test_renewing_keeps_the_leader_past_its_first_expiry(clock):
    assert services.acquire_lease("a", 60)
    clock.shift(50)
    assert services.acquire_lease("a", 60)
    clock.shift(50)  # 100 s after taking it: the first lease would have run out
    assert services.current_leader() == "a"
    assert not services.acquire_lease("b", 60)


def test_an_expired_lease_has_no_leader_and_a_standby_takes_it_over(clock):
    assert services.acquire_lease("a", 60)
    clock.shift(61)
    assert services.current_leader() is None
    assert services.acquire_lease("b", 60)
    assert services.current_leader() == "b"
    assert not services.acquire_lease("a", 60), "the old leader must not take it back"


def test_a_released_lease_is_free_at_once(clock):
    assert services.acquire_lease("a", 60)
    services.release_lease("a")
    assert services.current_leader() is None
    assert services.acquire_lease("b", 60)


def test_only_the_holder_can_release_the_lease(clock):
    assert services.acquire_lease("a", 60)
    services.release_lease("b")
    assert services.current_leader() == "a"


def test_leases_of_different_names_are_independent(clock):
    assert services.acquire_lease("a", 60)
    assert services.acquire_lease("b", 60, name="reports")
    assert services.current_leader() == "a"
    assert services.current_leader("reports") == "b"


# Job runs


def test_a_job_run_records_its_holder_its_times_and_its_summary(clock):
    def work():
        clock.shift(5)
        return "missed=3"

    run = services.record_run("close_missed", "a", work)
    db.session.expire_all()
    stored = db.session.get(JobRun, run.id)
    assert (stored.job, stored.holder, stored.ok, stored.summary) == (
        "close_missed",
        "a",
        True,
        "missed=3",
    )
    assert stored.started_at == naive(START)
    assert stored.finished_at == naive(START + timedelta(seconds=5))


def test_a_very_long_summary_is_cut_to_2000_characters(clock):
    run = services.record_run("generate_visits", "a", lambda: "x" * 5000)
    assert len(run.summary) == 2000


def test_a_failing_job_is_recorded_and_does_not_raise(clock):
    def broken():
        raise RuntimeError("database on fire")

    run = services.record_run("generate_visits", "a", broken)
    assert run.ok is False
    assert run.summary == "RuntimeError: database on fire"
    stored = db.session.scalar(select(JobRun).where(JobRun.id == run.id))
    assert stored.finished_at == naive(START)
    assert services.last_successful_run("generate_visits") is None


def test_a_failing_job_leaves_none_of_its_half_done_work(clock):
    def half_done():
        db.session.add(SchedulerLease(name="half", holder="a", expires_at=naive(START)))
        db.session.flush()
        raise RuntimeError("stopped halfway")

    run = services.record_run("generate_visits", "a", half_done)
    assert run.ok is False
    assert db.session.get(SchedulerLease, "half") is None
    assert db.session.get(JobRun, run.id) is not None, "the run itself is still recorded"


def test_the_last_successful_run_skips_later_failures(clock):
    services.record_run("generate_visits", "a", lambda: "ok")
    clock.shift(3600)
    services.record_run("generate_visits", "a", lambda: 1 / 0)
    services.record_run("close_missed", "a", lambda: "ok")
    assert services.last_successful_run("generate_visits") == naive(START)


def test_recent_runs_are_newest_first_and_limited(clock):
    for number in range(5):
        services.record_run("close_missed", "a", lambda number=number: f"run {number}")
        clock.shift(60)
    runs = services.recent_runs(limit=3)
    assert [run.summary for run in runs] == ["run 4", "run 3", "run 2"]
