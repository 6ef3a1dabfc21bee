from datetime import timedelta

from sqlalchemy import select

from gridcare.extensions import db
from gridcare.scheduling import services
from gridcare.scheduling.models import JobRun, SchedulerLease


def test_only_one_holder_leads_until_the_lease_expires():
    assert services.acquire_lease("a", 60)
    assert not services.acquire_lease("b", 60)
    assert services.current_leader() == "a"
    assert services.acquire_lease("a", 60)  # renewal


def test_a_standby_takes_over_an_expired_lease():
    assert services.acquire_lease("a", 60)
    lease = db.session.get(SchedulerLease, services.LEASE)
    lease.expires_at -= timedelta(seconds=61)
    db.session.commit()
    assert services.current_leader() is None
    assert services.acquire_lease("b", 60)
    assert services.current_leader() == "b"
    assert not services.acquire_lease("a", 60)


def test_released_lease_is_free_at_once():
    assert services.acquire_lease("a", 60)
    services.release_lease("a")
    assert services.acquire_lease("b", 60)


def test_a_failing_job_is_recorded_and_does_not_raise():
    def broken():
        raise RuntimeError("database on fire")

    run = services.record_run("generate_visits", "a", broken)
    assert run.ok is False
    assert "database on fire" in run.summary
    stored = db.session.scalar(select(JobRun).where(JobRun.id == run.id))
    assert stored.finished_at is not None
    assert services.last_successful_run("generate_visits") is None
