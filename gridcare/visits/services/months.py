"""What each household's visits did in a month (`VisitMonth`), stored through a day:
a closed month through its last day, the running month through yesterday (every night,
`store_months`). A record that lands late on a stored day (a phone's outbox sent after
midnight, a window marked missed at night) counts its household's row again.

A report over a quarter then reads a row per household and month, and only today's
visits: on 7 December the city's quarter read 274,600 rows (54,700 of them December's,
through the 6th) and 24 visits of the day, instead of December's 69,000 visits scattered
over 17,000 to 30,000 heap pages (docs/performance.md).

Storing and the late records take turns (`_take_turns`): a record checks whether its day
is stored while the store cannot run, and the store counts once every such record has
committed. Without that, a visit sent at the moment the night's store counts the month
could miss both the store and the recount.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import Date, case, delete, func, insert, literal, or_, select

from gridcare.clock import day_start_utc, month_end, month_start, next_month_start, utcnow
from gridcare.clock import today as local_today
from gridcare.dialects import advisory_lock, count_if, insert_replacing_conflicts
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
# How far back the store fills in months it has not stored in full (after downtime, or
# the first night after an upgrade).
MONTHS_KEPT = 13
COLUMNS = ["month", "household_id", "outcomes", "on_time", "late", "missed"]
# The PostgreSQL advisory lock by which storing and late records take turns.
TURNS = 0x6D6F6E7468  # "month"


def store_months(today: date | None = None) -> list[date]:
    """Store each of the last `MONTHS_KEPT` closed months not stored through its last day,
    and the running month through yesterday (nothing on the 1st); returns the months
    stored."""
    today = today or local_today()
    wanted, month = {}, month_start(today)
    if today > month:
        wanted[month] = today - timedelta(days=1)
    for _ in range(MONTHS_KEPT):
        month = month_start(month - timedelta(days=1))
        wanted[month] = month_end(month)
    stored = stored_through(list(wanted), take_turn=False)
    missing = sorted(m for m, through in wanted.items() if stored.get(m) != through)
    for month in missing:
        store_month(month, wanted[month], today)
    return missing


def store_month(month: date, through: date, today: date | None = None) -> None:
    """Write the rows of every household with something to count in `month` from its
    first day through `through` (a day before today), replacing the month's rows, and
    mark the month stored through it."""
    month = month_start(month)
    if not month <= through < min(today or local_today(), next_month_start(month)):
        raise ValueError(f"{month:%Y-%m} cannot be stored through {through}")
    _take_turns(alone=True)
    found = db.session.get(StoredMonth, month)
    if found is None:
        db.session.add(StoredMonth(month=month, through=through))
    else:
        found.through, found.stored_at = through, utcnow()
    db.session.flush()
    db.session.execute(delete(VisitMonth).where(VisitMonth.month == month))
    db.session.execute(insert(VisitMonth).from_select(COLUMNS, _rows(month, through)))
    db.session.commit()


def stored_through(
    months: Iterable[date] | None = None, take_turn: bool = True
) -> dict[date, date]:
    """The day through which each of these months (or every month) is stored; months not
    stored are left out. `take_turn`: first wait for a store running now, and keep it
    waiting until this transaction ends (a writer deciding whether to count a record
    again)."""
    if take_turn:
        _take_turns(alone=False)
    stmt = select(StoredMonth.month, StoredMonth.through)
    if months is not None:
        stmt = stmt.where(StoredMonth.month.in_(set(months)))
    return dict(db.session.execute(stmt).all())


def is_stored(stored: dict[date, date], day: date) -> bool:
    """`day` is one of the days `stored` (what `stored_through` found) holds."""
    through = stored.get(month_start(day))
    return through is not None and day <= through


def hold(household_ids: Iterable[int], days: Iterable[date]) -> dict[date, date]:
    """Before a writer changes these households' visits on `days`: take the turn, and when
    one of the days is stored, lock the households first, in the order the registry's
    writers take (a household, then its visits). `rewrite` then locks nothing new: a
    phone completing yesterday's task while an officer moved the household deadlocked
    the other way round. Returns the stored days found, for `rewrite`."""
    days = set(days)
    stored = stored_through({month_start(day) for day in days})
    if any(is_stored(stored, day) for day in days):
        lock_households(household_ids)
    return stored


def rewrite(
    household_ids: Iterable[int], days: Iterable[date], stored: dict[date, date] | None = None
) -> None:
    """Count again the rows of these households for the months of `days` (the completion
    or window days a late record touched) stored through that day. Other days are read
    from their visits, or counted by the store that has not run yet. `stored`: what
    `stored_through` found earlier in this transaction (the turn taken, nothing can have
    changed), instead of looking again.

    Two transactions counting the same household at once (the night's `close_missed`
    and a phone's late visit) would each miss the other's uncommitted record, and the
    later write would win: each first locks its households (`lock_households`), and
    counts once the other has committed."""
    days = set(days)
    if stored is None:
        stored = stored_through({month_start(day) for day in days})
    months = sorted({month_start(day) for day in days if is_stored(stored, day)})
    if not months:
        return
    ids = lock_households(household_ids)
    for n in range(0, len(ids), BATCH):
        for month in months:
            db.session.execute(
                insert_replacing_conflicts(
                    VisitMonth,
                    ["month", "household_id"],
                    COLUMNS,
                    _rows(month, stored[month], ids[n : n + BATCH]),
                )
            )


def _take_turns(alone: bool) -> None:
    """Storing takes the turn alone; writers checking for stored days share theirs. Held
    until the transaction ends. SQLite runs one writing transaction at a time: nothing
    to take."""
    advisory_lock(TURNS, shared=not alone)


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


def _rows(month: date, through: date, household_ids: list[int] | None = None):
    """The month's row of each household (of `household_ids`, or all) with something to
    count from the month's first day through `through`: what its visits completed on
    those days did, and the timeliness of its windows that closed on them."""
    after = through + timedelta(days=1)
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
