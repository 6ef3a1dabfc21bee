"""Leadership among scheduler processes, and the record of job runs.

A lease row in the database names the leader until it expires. The leader renews it on
every heartbeat; a standby tries on its own heartbeat and takes over once the lease has
expired. Only the leader runs jobs.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select, update

from gridcare.clock import utcnow
from gridcare.dialects import insert_ignoring_conflicts
from gridcare.extensions import db
from gridcare.scheduling.models import JobRun, SchedulerLease

log = logging.getLogger(__name__)
LEASE = "scheduler"


def acquire_lease(holder: str, ttl_seconds: float, name: str = LEASE) -> bool:
    """Take or renew the lease; True when `holder` leads for the next `ttl_seconds`."""
    now = utcnow()
    expires = now + timedelta(seconds=ttl_seconds)
    # RETURNING, not rowcount: drivers disagree on rowcount after ON CONFLICT DO NOTHING.
    taken = db.session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == name,
            or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
        )
        .values(holder=holder, expires_at=expires, renewed_at=now)
        .returning(SchedulerLease.name)
        .execution_options(synchronize_session=False)
    ).first()
    if taken is None:
        taken = db.session.execute(
            insert_ignoring_conflicts(SchedulerLease)
            .values(name=name, holder=holder, expires_at=expires, renewed_at=now)
            .returning(SchedulerLease.name)
        ).first()
    db.session.commit()
    return taken is not None


def release_lease(holder: str, name: str = LEASE) -> None:
    """Give the lease up at a clean shutdown, so a standby need not wait for it to expire."""
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=utcnow() - timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def current_leader(name: str = LEASE) -> str | None:
    """The holder of an unexpired lease, if any."""
    return db.session.scalar(
        select(SchedulerLease.holder).where(
            SchedulerLease.name == name, SchedulerLease.expires_at >= utcnow()
        )
    )


def record_run(job: str, holder: str, work: Callable[[], str]) -> JobRun:
    """Run `work` and keep a JobRun row with its outcome; a failure is logged, not raised."""
    run = JobRun(job=job, holder=holder)
    db.session.add(run)
    db.session.flush()
    run_id = run.id  # read before the commit: reading after it would open a transaction
    db.session.commit()
    try:
        summary = work()
    except Exception as exc:  # a failed job must not stop the scheduler
        db.session.rollback()
        log.exception("job %s failed", job)
        ok, summary = False, f"{type(exc).__name__}: {exc}"
    else:
        ok = True
    run = db.session.get(JobRun, run_id)
    run.finished_at, run.ok, run.summary = utcnow(), ok, (summary or "")[:2000]
    db.session.commit()
    return run


def last_successful_run(job: str):
    """When `job` last finished without error, or None."""
    return db.session.scalar(
        select(JobRun.started_at)
        .where(JobRun.job == job, JobRun.ok.is_(True))
        .order_by(JobRun.started_at.desc())
        .limit(1)
    )


def recent_runs(limit: int = 20) -> list[JobRun]:
    """The latest job runs, newest first."""
    return list(db.session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(limit)))
