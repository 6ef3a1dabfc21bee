"""`/healthz` for a load balancer or monitor: is the database reachable, and how long ago
did the scheduler last renew its lease.

Unauthenticated, so it tells nothing else: no version, no host names, no counts, not even
which process holds the lease. 200 while the database answers (a stale lease is the
monitor's to judge from its age), 503 when it does not.
"""

import logging

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from gridcare.clock import utcnow
from gridcare.extensions import db, limiter
from gridcare.scheduling.models import SchedulerLease
from gridcare.scheduling.services import LEASE

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.route("/healthz")
@limiter.exempt  # probed every few seconds from one address
def healthz():
    try:
        renewed = db.session.scalar(
            select(SchedulerLease.renewed_at).where(SchedulerLease.name == LEASE)
        )
    except SQLAlchemyError:
        log.warning("health check: the database is unreachable", exc_info=True)
        db.session.rollback()
        return jsonify(database="unreachable"), 503
    age = None if renewed is None else round((utcnow() - renewed).total_seconds())
    return jsonify(database="ok", scheduler_lease_age_seconds=age)
