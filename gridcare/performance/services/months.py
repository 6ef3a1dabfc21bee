"""The months and quarters performance is kept by, and which of them can still change."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gridcare.extensions import db
from gridcare.performance.models import PerformanceQuarter
from gridcare.performance.services.errors import PerformanceError
from gridcare.reports.periods import Period, PeriodError, month, parse, quarter


def parse_month(text: str, field: str = "month") -> Period:
    """A month such as "2026-10"; anything else is refused next to `field`."""
    try:
        period = parse(text)
    except PeriodError as exc:
        raise PerformanceError(field, exc.message) from exc
    if period != month(period.start):
        raise PerformanceError(field, _l("Give a month, such as 2026-10."))
    return period


def parse_quarter(text: str, field: str = "quarter") -> Period:
    """A quarter such as "2026-Q4"; anything else is refused next to `field`."""
    try:
        period = parse(text)
    except PeriodError as exc:
        raise PerformanceError(field, exc.message) from exc
    if period != quarter(period.start):
        raise PerformanceError(field, _l("Give a quarter, such as 2026-Q4."))
    return period


def months_of(q: Period, today: date) -> list[Period]:
    """The quarter's months that have begun by today, oldest first."""
    found, day = [], q.start
    while day <= q.end and day <= today:
        found.append(month(day))
        day = found[-1].end + timedelta(days=1)
    return found


def quarter_row(key: str) -> PerformanceQuarter | None:
    return db.session.scalar(select(PerformanceQuarter).where(PerformanceQuarter.key == key))


def is_closed(key: str) -> bool:
    row = quarter_row(key)
    return row is not None and row.closed


def writable_month(text: str, today: date, field: str = "month") -> Period:
    """A month that ratings and points may still be entered for: begun, quarter open."""
    period = parse_month(text, field)
    if period.start > today:
        raise PerformanceError(field, _l("This month has not begun yet."))
    if is_closed(quarter(period.start).key):
        raise PerformanceError(
            field, _l("This quarter is closed; an admin can re-open it, with a reason.")
        )
    return period
