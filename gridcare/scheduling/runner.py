"""The scheduler process: APScheduler 3 running gridcare's jobs, led through a lease.

Every process runs the same triggers; a job fires everywhere but does its work only in
the process holding the lease, so a second scheduler is a hot standby. After downtime,
the leader catches up on any nightly job whose last fire time passed without a run.
"""

import logging
import os
import signal
import socket
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from gridcare.scheduling import services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    target: str  # "module:function", returning a one-line summary
    cron: dict  # CronTrigger fields, in the configured time zone

    def function(self):
        module, _, name = self.target.partition(":")
        return getattr(import_module(module), name)


# Fixed ids: a restart replaces a job instead of adding a second copy.
JOBS: dict[str, JobSpec] = {
    "close_missed": JobSpec("gridcare.visits.jobs:close_missed", {"hour": 0, "minute": 20}),
    "generate_visits": JobSpec("gridcare.visits.jobs:generate_visits", {"hour": 0, "minute": 40}),
    "store_visit_months": JobSpec(
        "gridcare.visits.jobs:store_visit_months", {"hour": 1, "minute": 0}
    ),
    "escalate_hazards": JobSpec("gridcare.hazards.jobs:escalate_hazards", {"minute": 5}),
    "escalate_event_visits": JobSpec("gridcare.visits.jobs:escalate_event_visits", {"minute": 10}),
    "worker_digest": JobSpec("gridcare.hazards.jobs:worker_digest", {"hour": 7, "minute": 0}),
    "monthly_snapshot": JobSpec(
        "gridcare.reports.jobs:monthly_snapshot", {"day": 1, "hour": 2, "minute": 0}
    ),
}

_app: Flask | None = None
_holder: str | None = None
_scheduler: BaseScheduler | None = None
# While leading, look for missed or failed runs this often (and at once on taking over).
CATCH_UP_EVERY_MINUTES = 5


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def heartbeat() -> bool:
    """Take or renew the lease, and nothing else, so renewal is never held up by a job.

    On becoming leader, the catch-up job is brought forward to run at once.
    """
    with _app.app_context():
        was_leader = services.current_leader() == _holder
        leading = services.acquire_lease(_holder, _app.config["GRIDCARE_LEASE_SECONDS"])
    if leading and not was_leader:
        log.info("%s now leads the scheduler", _holder)
        if _scheduler is not None:
            _scheduler.modify_job("catch_up", next_run_time=datetime.now(UTC))
    return leading


def catch_up_job() -> None:
    """Run, while leading, any job whose last fire time passed without a successful run:
    downtime, or a run that failed (a database restart) is retried here."""
    with _app.app_context():
        if services.current_leader() != _holder:
            return
        ran = catch_up(_app, _holder)
    if ran:
        log.info("caught up: %s", ", ".join(ran))


def run_job(name: str) -> None:
    """A trigger fired: do the job's work here only if this process leads."""
    with _app.app_context():
        if services.current_leader() != _holder:
            log.info("job %s: not the leader, skipping", name)
            return
        run = services.record_run(name, _holder, JOBS[name].function())
        log.info("job %s finished ok=%s %s", name, run.ok, run.summary)


@dataclass(frozen=True)
class JobOutcome:
    job: str
    ok: bool
    summary: str


def run_now(name: str, holder: str = "cli") -> JobOutcome:
    """Run one job at once in the current app context, whoever leads (`gridcare jobs run`).

    Plain values come back, not the JobRun row, so nothing is read from a closed session.
    """
    run = services.record_run(name, holder, JOBS[name].function())
    return JobOutcome(name, bool(run.ok), run.summary or "")


def catch_up(app: Flask, holder: str, now: datetime | None = None) -> list[str]:
    """Run each job whose latest fire time passed with no successful run since."""
    zone = app.config["GRIDCARE_TIMEZONE"]
    now = now or datetime.now(CronTrigger(timezone=zone).timezone)
    ran = []
    for name, spec in JOBS.items():
        fired = _previous_fire_time(CronTrigger(timezone=zone, **spec.cron), now)
        if fired is None:
            continue
        last = services.last_successful_run(name)
        if last is None or last < fired.astimezone(UTC).replace(tzinfo=None):
            services.record_run(name, holder, spec.function())
            ran.append(name)
    return ran


def _previous_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    moment = trigger.get_next_fire_time(None, now - timedelta(days=35))  # monthly jobs too
    previous = None
    while moment is not None and moment <= now:
        previous = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return previous


def build(app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler with gridcare's jobs and the lease heartbeat, not yet started."""
    global _app, _holder, _scheduler
    _app = app
    _holder = app.config.get("GRIDCARE_SCHEDULER_ID") or holder_name()
    zone = app.config["GRIDCARE_TIMEZONE"]
    scheduler = scheduler_class(
        timezone=zone,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": app.config["GRIDCARE_MISFIRE_GRACE_SECONDS"],
        },
    )
    for name, spec in JOBS.items():
        scheduler.add_job(
            run_job,
            CronTrigger(timezone=zone, **spec.cron),
            args=[name],
            id=name,
            name=name,
            replace_existing=True,
        )
    ttl = app.config["GRIDCARE_LEASE_SECONDS"]
    scheduler.add_job(
        heartbeat,
        IntervalTrigger(seconds=max(ttl / 3, 0.5), timezone=zone),
        id="lease_heartbeat",
        name="lease_heartbeat",
        replace_existing=True,
        next_run_time=datetime.now(CronTrigger(timezone=zone).timezone),
    )
    scheduler.add_job(
        catch_up_job,
        IntervalTrigger(minutes=CATCH_UP_EVERY_MINUTES, timezone=zone),
        id="catch_up",
        name="catch_up",
        replace_existing=True,
    )
    _scheduler = scheduler
    return scheduler


def run_forever(app: Flask) -> None:
    """`gridcare scheduler run`: block, running jobs while leading; release the lease on exit."""
    scheduler = build(app, BlockingScheduler)
    # A plain `kill` ends the process through the finally below, releasing the lease.
    previous_handler = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log.info("scheduler %s starting; lease %ss", _holder, app.config["GRIDCARE_LEASE_SECONDS"])
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        with app.app_context():
            services.release_lease(_holder)
