"""The scheduler inside `gridcare run --scheduler`, for a one-process install.

DESIGN keeps the scheduler in its own process (`gridcare scheduler run`); a small office
running only `gridcare run` may embed it instead, as a BackgroundScheduler in the
serving process. The same lease applies, so an embedded scheduler and a separate one
never both run a job.

Werkzeug's reloader runs the command twice: a watcher that only restarts, and a child
(WERKZEUG_RUN_MAIN=true) that serves. Only the process that serves starts the scheduler,
and only once.
"""

import atexit
import logging
import os

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from gridcare.extensions import db
from gridcare.scheduling import runner, services

log = logging.getLogger(__name__)
_started: BaseScheduler | None = None


def serves_here(reload: bool) -> bool:
    """Whether this process serves requests (and so may run the scheduler)."""
    return not reload or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


def start(app: Flask) -> BaseScheduler:
    """Start the scheduler in a background thread of this process, once."""
    global _started
    if _started is not None:
        return _started
    with app.app_context():
        # As `scheduler run`: fail at once, in one line, if the database cannot be used.
        services.current_leader()
        db.session.rollback()
    scheduler = runner.build(app, BackgroundScheduler)
    scheduler.start()
    _started = scheduler
    atexit.register(stop, app)
    log.info("scheduler embedded in this process; it leads while it holds the lease")
    return scheduler


def stop(app: Flask) -> None:
    """Stop the embedded scheduler and give its lease up, so another may lead at once."""
    global _started
    if _started is None:
        return
    _started.shutdown(wait=False)
    _started = None
    with app.app_context():
        services.release_lease(app.config.get("GRIDCARE_SCHEDULER_ID") or runner.holder_name())
