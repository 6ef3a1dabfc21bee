"""What each household's visits did in a closed month (`VisitMonth`): stored once the
month has closed, and rewritten for a household when a record lands late in a closed
month (a phone's outbox sent after midnight, a window marked missed on the 1st).

A report over a quarter then reads a row per household for its closed months and only
the running month's visits: at 120,000 households, the city's quarter reads a month of
visits instead of three (docs/performance.md).
"""

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import Date, and_, case, func, literal, or_, select

from gridcare.clock import day_start_utc
from gridcare.clock import today as local_today
from gridcare.dialects import (
    count_if,
    day_after_utc,
    insert_ignoring_conflicts,
    insert_replacing_conflicts,
)
from gridcare.extensions import db
from gridcare.visits.models import StoredMonth, Visit, VisitMonth, VisitStatus, outcome_bit

# Households rewritten per statement (never one `IN (…)` of a whole city).
BATCH = 10_000
# How far back the monthly job fills in months it has not stored (after downtime, or the
# first 1st after an upgrade).
MONTHS_KEPT = 13


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_after(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def store_closed_months(today: date | None = None) -> list[date]:
    """Store each of the last `MONTHS_KEPT` closed months not stored yet; returns them."""
    this_month = month_of(today or local_today())
    months, month = [], this_month
    for _ in range(MONTHS_KEPT):
        month = month_of(month - timedelta(days=1))
        months.append(month)
    stored = set(db.session.scalars(select(StoredMonth.month).where(StoredMonth.month.in_(months))))
    missing = sorted(m for m in months if m not in stored)
    for month in missing:
        store_month(month, today)
    return missing


def store_month(month: date, today: date | None = None) -> None:
    """Write the rows of every household with something to count in a closed month, and
    mark the month stored. A household's row written meanwhile by `rewrite` is kept: it
    was counted from the same visits, and later."""
    month = month_of(month)
    if month >= month_of(today or local_today()):
        raise ValueError(f"{month:%Y-%m} has not closed yet")
    rows = _rows(month, None)
    db.session.execute(
        insert_ignoring_conflicts(VisitMonth).from_select(list(COLUMNS), rows),
    )
    db.session.execute(insert_ignoring_conflicts(StoredMonth).values(month=month))
    db.session.commit()


def rewrite(household_ids: Iterable[int], days: Iterable[date], today: date | None = None) -> None:
    """Count again the rows of these households for the closed months of `days` (the
    completion or window days a late record touched). Months still open are skipped:
    they are read from their visits. A month not stored yet gets the rows too, so the
    job storing it meanwhile cannot miss the record."""
    this_month = month_of(today or local_today())
    months = sorted(m for m in {month_of(day) for day in days} if m < this_month)
    ids = sorted(set(household_ids))
    for month in months:
        for n in range(0, len(ids), BATCH):
            rows = _rows(month, ids[n : n + BATCH])
            db.session.execute(
                insert_replacing_conflicts(
                    VisitMonth, ["month", "household_id"], list(COLUMNS), rows
                )
            )


COLUMNS = ("month", "household_id", "outcomes", "on_time", "late", "missed")


def _rows(month: date, household_ids: list[int] | None):
    """The month's row of each household (of `household_ids`, or all) with something to
    count: what its visits completed in the month did, and the timeliness of its windows
    that closed in the month."""
    start, end = day_start_utc(month), day_start_utc(month_after(month))
    last_day = month_after(month) - timedelta(days=1)
    completed = and_(
        Visit.completed_at >= start,
        Visit.completed_at < end,
        Visit.status.in_((VisitStatus.done, VisitStatus.not_home)),
    )
    closed = and_(
        Visit.window_end >= month,
        Visit.window_end <= last_day,
        Visit.status.in_((VisitStatus.done, VisitStatus.missed)),
    )
    done = and_(closed, Visit.status == VisitStatus.done)
    in_time = Visit.completed_at < day_after_utc(Visit.window_end)
    outcomes = func.coalesce(func.bit_or(case((completed, outcome_bit()), else_=0)), 0)
    timeliness = (
        count_if(and_(done, in_time)),
        count_if(and_(done, ~in_time)),
        count_if(and_(closed, Visit.status == VisitStatus.missed)),
    )
    stmt = (
        select(literal(month, Date).label("month"), Visit.household_id, outcomes, *timeliness)
        .where(or_(completed, closed))
        .group_by(Visit.household_id)
        .having(or_(outcomes != 0, *(n > 0 for n in timeliness)))
    )
    if household_ids is not None:
        stmt = stmt.where(Visit.household_id.in_(household_ids))
    return stmt
