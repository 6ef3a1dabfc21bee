"""The visits' side of the coverage statement (`reached.reached_per_grid`): per household
of an area, what its visits did in each stretch of time between the periods' starts and
ends, and the timeliness of the windows that closed in the periods counted in full.

What each visit did (visited, phone, video, not home, checked) is one bit, shifted into
the place of the stretch it was completed in, and a household's bits are OR-ed together
(`bit_or`; gridcare/sqlite.py gives SQLite one): one aggregate for every period, instead
of one per period and outcome. The days a month is stored through per household
(`VisitMonth`, pk_visit_month: closed months, and the running month through yesterday)
are read from its rows; the rest of the time (today) from the visits
(ix_visit_completed_at for the completions, BitmapOr ix_visit_status_window_end for the
windows that closed; from a small area's households, ix_visit_household_kind_status).
"""

from datetime import date, timedelta
from itertools import pairwise

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)

from gridcare.clock import day_start_utc, month_start, next_month_start, utc_to_local_date
from gridcare.registry.models import Household
from gridcare.reports.periods import Period
from gridcare.visits.models import (
    CHECKED,
    NOT_HOME,
    PHONE,
    VIDEO,
    VISITED,
    Visit,
    VisitMonth,
    completed_in,
    outcome_bit,
    timeliness,
    window_closed_in,
)
from gridcare.visits.services.months import stored_through

TIMELINESS = ("on_time", "late", "missed")
OUTCOMES = {
    "visited": VISITED,
    "phone_contacted": PHONE,
    "not_home": NOT_HOME,
    "checked": CHECKED,
    "reached": VISITED | PHONE | VIDEO,
}
BITS_PER_STRETCH = 5
# Stretches whose bits one 64-bit mask holds; more stretches take another mask.
STRETCHES_PER_MASK = 12


class VisitsByHousehold:
    """Per household: what its visits did in each stretch of time, as bits in one or more
    masks, and the timeliness of the windows that closed in the periods counted in full.

    The periods cut the time from the first start to the last end into stretches; each
    visit's outcome bit is shifted into its stretch's place, and `did` tests the bits of
    a period's stretches. A month's stored days (`VisitMonth`, from its first day through
    the day `StoredMonth` gives, before `today`) that lie within one stretch are read
    from its rows, shifted the same way; only the rest of the time is read from the
    visits (`from_rows=False`: every day from the visits)."""

    def __init__(
        self,
        in_area,
        periods: list[Period],
        full: set[int],
        today: date,
        everywhere: bool,
        from_rows: bool = True,
    ):
        cuts = sorted({p.start_utc for p in periods} | {p.end_utc for p in periods})
        self.stretches = list(pairwise(cuts))
        self.span = (cuts[0], cuts[-1])
        self.today = today
        self.months = _stored_months(self.stretches, today) if from_rows else {}
        households = select(Household.id).where(in_area)

        def of_area(column):
            return true() if everywhere else column.in_(households)

        rows = [self._visits(periods, full, today).where(of_area(Visit.household_id))]
        if self.months:
            rows.append(self._stored(periods, full, today).where(of_area(VisitMonth.household_id)))
        both = union_all(*rows).subquery("visit_rows")
        self.subquery = (
            select(
                both.c.household_id.label("household_id"),
                *(
                    func.bit_or(both.c[f"mask{m}"]).label(f"mask{m}")
                    for m in range(len(self._chunks()))
                ),
                *(
                    func.coalesce(func.sum(both.c[f"{name}{i}"]), 0).label(f"{name}{i}")
                    for i in sorted(full)
                    for name in TIMELINESS
                ),
            )
            .group_by(both.c.household_id)
            .cte("household_visits")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        self.c = self.subquery.c

    def _visits(self, periods: list[Period], full: set[int], today: date):
        """One row per visit of the time no stored month covers: its outcome bit in its
        stretch's place, and 1 or 0 for each timeliness count of each period in full."""
        holes = [(day_start_utc(m), day_start_utc(after)) for m, after in self._stored_days()]
        masks = [
            (
                outcome_bit()
                * _place([(n, gap) for n, s in enumerate(chunk) for gap in _gaps(s, holes)])
            ).label(f"mask{m}")
            for m, chunk in enumerate(self._chunks())
        ]
        counts, windows = [], []
        stored = self._stored_days()
        for i in sorted(full):
            p = periods[i]
            last = min(p.end, today - timedelta(days=1))
            closed = window_closed_in(_gaps((p.start, last + timedelta(days=1)), stored))
            windows.append(closed)
            conditions = timeliness(closed)
            counts += [
                case((conditions[name], 1), else_=0).label(f"{name}{i}") for name in TIMELINESS
            ]
        completed = completed_in(_gaps(self.span, holes))
        return select(Visit.household_id.label("household_id"), *masks, *counts).where(
            or_(completed, *windows)
        )

    def _stored(self, periods: list[Period], full: set[int], today: date):
        """One row per household and stored month: its outcome bits in the place of the
        month's stretch, and its timeliness counts for each period in full that holds the
        month."""
        masks = []
        for m, chunk in enumerate(self._chunks()):
            places = {
                month: 1 << (BITS_PER_STRETCH * n)
                for month in self.months
                for n, (start, end) in enumerate(chunk)
                if start <= day_start_utc(month) < end
            }
            masks.append((VisitMonth.outcomes * _month_place(places)).label(f"mask{m}"))
        counts = []
        for i in sorted(full):
            p = periods[i]
            inside = [month for month in self.months if p.start <= month <= p.end]
            counts += [
                _month_count(getattr(VisitMonth, name), inside).label(f"{name}{i}")
                for name in TIMELINESS
            ]
        return select(VisitMonth.household_id, *masks, *counts).where(
            VisitMonth.month.in_(list(self.months))
        )

    def stored_since(self) -> bool:
        """Some days were read from stored rows, and a store has committed since they were
        looked up: the rows may hold more days than those (their statement must run
        again)."""
        return bool(self.months) and _stored_months(self.stretches, self.today) != self.months

    def _stored_days(self) -> list[tuple[date, date]]:
        """The stored days of each month read from its rows: (first day, day after the
        last), in order."""
        return [(m, through + timedelta(days=1)) for m, through in self.months.items()]

    def _chunks(self) -> list[list[tuple]]:
        size = STRETCHES_PER_MASK
        return [self.stretches[n : n + size] for n in range(0, len(self.stretches), size)]

    def did(self, name: str, period: Period) -> ColumnElement[bool]:
        """The household's visits did `name` (an OUTCOMES key) in `period`."""
        tests = []
        for m, chunk in enumerate(self._chunks()):
            bits = sum(
                OUTCOMES[name] << (BITS_PER_STRETCH * n)
                for n, (start, _) in enumerate(chunk)
                if period.start_utc <= start < period.end_utc
            )
            if bits:
                tests.append(self.c[f"mask{m}"].op("&")(literal(bits, BigInteger)) != 0)
        return or_(*tests)


def _stored_months(stretches: list[tuple], today: date) -> dict[date, date]:
    """The months whose stored days (`StoredMonth`: from the first day through a day
    before `today`) each lie within one stretch, in order, with the last of those days.
    A stretch may begin or end inside a month: such a month is read from its visits."""
    starts = {}
    for start, end in stretches:
        month = month_start(utc_to_local_date(start))
        if day_start_utc(month) < start:
            month = next_month_start(month)
        while day_start_utc(month) < end:
            starts[month] = end
            month = next_month_start(month)
    if not starts:
        return {}
    stored = stored_through(starts, take_turn=False)  # a store meanwhile: `stored_since`
    return {
        month: through
        for month, through in sorted(stored.items())
        if through < today and day_start_utc(through + timedelta(days=1)) <= starts[month]
    }


def _gaps(span: tuple, holes: list[tuple]) -> list[tuple]:
    """The parts of the half-open `span` that none of the (sorted, disjoint) `holes` cover."""
    start, end = span
    gaps, at = [], start
    for a, b in holes:
        if b <= at or a >= end:
            continue
        if a > at:
            gaps.append((at, a))
        at = max(at, b)
    if at < end:
        gaps.append((at, end))
    return gaps


def _place(pieces: list[tuple[int, tuple]]) -> ColumnElement[int]:
    """The multiplier that shifts a visit's outcome bit into the place of stretch n, for a
    visit completed in one of the `(n, (start, end))` pieces of time (0 elsewhere)."""
    if not pieces:
        return literal(0, BigInteger)
    return case(
        *(
            (
                and_(Visit.completed_at >= start, Visit.completed_at < end),
                literal(1 << (BITS_PER_STRETCH * n), BigInteger),
            )
            for n, (start, end) in pieces
        ),
        else_=literal(0, BigInteger),
    )


def _month_place(places: dict[date, int]) -> ColumnElement[int]:
    """The multiplier that shifts a stored month's outcome bits into its stretch's place."""
    if not places:
        return literal(0, BigInteger)
    return case(
        *(
            (VisitMonth.month == month, literal(place, BigInteger))
            for month, place in places.items()
        ),
        else_=literal(0, BigInteger),
    )


def _month_count(column, months: list[date]) -> ColumnElement[int]:
    """A stored month's count when the month is one of `months` (0 otherwise)."""
    return case((VisitMonth.month.in_(months), column), else_=0) if months else literal(0)
