"""What each household's visits did in a closed month (`VisitMonth`): stored once the
month has closed, and counted again for a household when a record lands late in a closed
month (a phone's outbox sent after midnight, a window marked missed on the 1st).

A report over a quarter then reads a row per household for its closed months and only
the running month's visits: on 6 December the city's quarter read December's 58,700
visits instead of the quarter's 436,000 (docs/performance.md).
"""

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import Date, case, func, literal, or_, select

from gridcare.clock import day_start_utc, month_start, next_month_start
from gridcare.clock import today as local_today
from gridcare.dialects import count_if, insert_ignoring_conflicts, insert_replacing_conflicts
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.visits.models import (
    StoredMonth,
    Visit,
    VisitMonth,
    completed_in,
    outcome_bit,
    timeliness,
    window_closed_in,
)

# Households counted again per statement (never one `IN (…)` of a whole city).
BATCH = 10_000
# How far back the monthly job fills in months it has not stored (after downtime, or the
# first 1st after an upgrade).
MONTHS_KEPT = 13
COLUMNS = ["month", "household_id", "outcomes", "on_time", "late", "missed"]


def store_closed_months(today: date | None = None) -> list[date]:
    """Store each of the last `MONTHS_KEPT` closed months not stored yet; returns them."""
    months, month = [], month_start(today or local_today())
    for _ in range(MONTHS_KEPT):
        month = month_start(month - timedelta(days=1))
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
    month = month_start(month)
    if month >= month_start(today or local_today()):
        raise ValueError(f"{month:%Y-%m} has not closed yet")
    db.session.execute(insert_ignoring_conflicts(VisitMonth).from_select(COLUMNS, _rows(month)))
    db.session.execute(insert_ignoring_conflicts(StoredMonth).values(month=month))
    db.session.commit()


def rewrite(household_ids: Iterable[int], days: Iterable[date], today: date | None = None) -> None:
    """Count again the rows of these households for the closed months of `days` (the
    completion or window days a late record touched). Months still open are skipped:
    they are read from their visits. A month not stored yet gets the rows too, so the
    job storing it meanwhile cannot miss the record.

    Two transactions counting the same household at once (the night's `close_missed`
    and a phone's late visit) would each miss the other's uncommitted record, and the
    later write would win: each first locks its households (`lock_households`), and
    counts once the other has committed."""
    this_month = month_start(today or local_today())
    months = sorted(m for m in {month_start(day) for day in days} if m < this_month)
    if not months:
        return
    ids = lock_households(household_ids)
    for n in range(0, len(ids), BATCH):
        for month in months:
            db.session.execute(
                insert_replacing_conflicts(
                    VisitMonth, ["month", "household_id"], COLUMNS, _rows(month, ids[n : n + BATCH])
                )
            )


def lock_households(household_ids: Iterable[int]) -> list[int]:
    """Lock these households' rows until the transaction ends, in id order (so that two
    writers locking several never deadlock), and return their ids in that order.

    `FOR NO KEY UPDATE`, the lock an ordinary update of the household takes: recounts of
    one household wait for each other, while records that only point at it (a new visit
    or hazard) do not wait. SQLite runs one writing transaction at a time: no lock."""
    ids = sorted(set(household_ids))
    for n in range(0, len(ids), BATCH):
        db.session.execute(
            select(Household.id)
            .where(Household.id.in_(ids[n : n + BATCH]))
            .order_by(Household.id)
            .with_for_update(key_share=True)
        ).all()
    return ids


def _rows(month: date, household_ids: list[int] | None = None):
    """The month's row of each household (of `household_ids`, or all) with something to
    count: what its visits completed in the month did, and the timeliness of its windows
    that closed in the month."""
    after = next_month_start(month)
    completed = completed_in([(day_start_utc(month), day_start_utc(after))])
    closed = window_closed_in([(month, after)])
    outcomes = func.coalesce(func.bit_or(case((completed, outcome_bit()), else_=0)), 0)
    counts = [count_if(condition) for condition in timeliness(closed).values()]
    stmt = (
        select(literal(month, Date).label("month"), Visit.household_id, outcomes, *counts)
        .where(or_(completed, closed))
        .group_by(Visit.household_id)
        .having(or_(outcomes != 0, *(count > 0 for count in counts)))
    )
    if household_ids is not None:
        stmt = stmt.where(Visit.household_id.in_(household_ids))
    return stmt
