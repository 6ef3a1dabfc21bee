"""Ratings: an officer's or a street leader's mark for a worker on a rated indicator."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gridcare.extensions import db
from gridcare.performance.models import Indicator, IndicatorSource, Rating
from gridcare.performance.services.errors import PerformanceError
from gridcare.performance.services.indicator_sets import set_for
from gridcare.performance.services.months import writable_month
from gridcare.performance.services.people import rater_kind


def rate(actor, worker, indicator: Indicator, month_key: str, value, today: date) -> Rating:
    """Store (or change) this rater's rating of the worker for the month; audited."""
    period = writable_month(month_key, today)
    applying = set_for(period.start)
    if indicator.source is not IndicatorSource.rating or applying is None:
        raise PerformanceError("indicator", _l("This indicator is not rated."))
    if indicator.set_id != applying.id:
        raise PerformanceError("indicator", _l("This indicator does not apply to that month."))
    kind = rater_kind(actor, worker)
    if kind.value not in indicator.rater_weights:
        raise PerformanceError(
            "value", _l("This indicator is not rated by a %(rater)s.", rater=kind.label)
        )
    if value is None or not 0 <= value <= indicator.full_mark:
        raise PerformanceError(
            "value", _l("A rating is from 0 to %(top)s.", top=indicator.full_mark)
        )
    row = db.session.scalar(
        select(Rating).where(
            Rating.indicator_id == indicator.id,
            Rating.worker_id == worker.id,
            Rating.month == period.key,
            Rating.rater_id == actor.user_id,
        )
    )
    if row is None:
        row = Rating(
            indicator_id=indicator.id,
            worker_id=worker.id,
            month=period.key,
            rater_id=actor.user_id,
        )
        db.session.add(row)
    row.rater_kind, row.value = kind, round(float(value), 1)
    db.session.flush()
    actor.audit("rate", "rating", row.id, ["indicator", "worker", "month", "value"])
    db.session.commit()
    return row


def ratings_for(worker_ids, month_keys) -> list[Rating]:
    """Every rating of these workers in these months."""
    if not worker_ids or not month_keys:
        return []
    return list(
        db.session.scalars(
            select(Rating)
            .where(Rating.worker_id.in_(list(worker_ids)), Rating.month.in_(list(month_keys)))
            .order_by(Rating.month, Rating.indicator_id, Rating.id)
        )
    )
