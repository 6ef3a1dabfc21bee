"""Who was reached: target households and residents, the visits that reached them, and
the timeliness of the windows that closed, counted per grid for several periods in one
statement.

DESIGN.md's definitions, per period:
- a **target resident** is active at the period's end (on the register before it ends,
  not moved out or dead by then) in a household on the register before it ends, and meets
  a care-level rule: aged 60 or over at the end, disabled, or in a household an officer
  has flagged (the care-level override);
- a **target household** has at least one target resident;
- **visited**: a target household with a `done` `in_person` home visit completed in the
  period; **phone contacted** and **not home** are counted apart, **checked** is the same
  as visited for safety checks;
- **reached**: a `done` home visit of any method (in person, phone, video); the monthly
  visit rate (月探访率) is target residents whose household was reached / target
  residents. Reached includes visited, so the rate is never below in-person coverage of
  the same residents;
- **timeliness** (for a period counted in full): of the visits whose window closed in the
  period (and before today), done within the window / (done + missed).

The statement joins two grouped subqueries of the area's households, each computed once
(MATERIALIZED on PostgreSQL: where the statistics say the tables are empty, as inside a
transaction that just loaded them, the planner otherwise ran each aggregate again for
every household, 30 s instead of 0.3 s for the small demo):
- the area's households with their grid and their target residents (ix_household_grid_id
  for the area's grids, then ix_resident_household_id, or one scan across a city), one
  count of target residents per distinct period end (periods ending together share it);
- the visits grouped by household (ix_visit_completed_at for the completion range,
  BitmapOr ix_visit_status_window_end for the windows that closed; from a small area's
  households, ix_visit_household_kind_status). What each visit did (visited, phone,
  video, not home, checked) is one bit, shifted by the stretch of time it was completed
  in, and a household's bits are OR-ed together (`bit_or`; gridcare/sqlite.py gives
  SQLite one): one aggregate for every period, instead of one per period and outcome.
  A closed month stored per household (`VisitMonth`, pk_visit_month) is read from its
  rows instead of its visits: a city's quarter reads its running month's visits only.

The visits are joined to the area's households (every one of them: a household with
visits and no target resident still counts in timeliness), and summed per grid.
"""

from dataclasses import dataclass, field
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

from gridcare.clock import (
    day_start_utc,
    month_start,
    next_month_start,
    utc_to_local_date,
    years_before,
)
from gridcare.clock import today as local_today
from gridcare.dialects import count_if, settle_for_reports
from gridcare.extensions import db
from gridcare.registry.care_levels import care_rules
from gridcare.registry.flags import resident_has
from gridcare.registry.models import (
    DISABILITY_CATEGORIES,
    DISABILITY_GRADES,
    Household,
    Resident,
    ResidentStatus,
)
from gridcare.reports.periods import Period
from gridcare.visits.models import (
    CHECKED,
    NOT_HOME,
    PHONE,
    VIDEO,
    VISITED,
    StoredMonth,
    Visit,
    VisitMonth,
    completed_in,
    outcome_bit,
    timeliness,
    window_closed_in,
)


@dataclass
class Reached:
    """One grid's reach in one period (the household and resident counts), and, for a
    period counted in full, the timeliness of its closed windows."""

    target: int = 0
    visited: int = 0
    phone_contacted: int = 0
    not_home: int = 0
    checked: int = 0
    target_residents: int = 0
    visited_residents: int = 0
    reached_residents: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    # The registry counts of its target residents (every group is aged 60+ or disabled).
    living_alone: int = 0
    empty_nest: int = 0
    disabled: int = 0
    disabled_by_category: dict[str, int] = field(default_factory=dict)
    disabled_by_grade: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict:
        """Its numbers by name, as `Figures` names them (the tallies copied): what
        `dataclasses.asdict` gives, without its deep copies (one per grid and period)."""
        return {
            name: dict(value) if isinstance(value, dict) else value
            for name, value in self.__dict__.items()
        }


def registry_groups(period: Period) -> dict[str, ColumnElement[bool]]:
    """The registry's groups of a period's target residents (who are on the register at
    its end), as conditions on their rows: `living_alone`, `empty_nest`, `disabled`, then
    `category:N`, `grade:N`."""
    elderly = Resident.birth_date <= years_before(period.end, care_rules(period.end).elderly_age)
    groups = {
        "living_alone": and_(elderly, resident_has("lives_alone")),
        "empty_nest": and_(elderly, resident_has("empty_nest")),
        "disabled": resident_has("disabled"),
    }
    for c in DISABILITY_CATEGORIES:
        groups[f"category:{c}"] = Resident.disability_category == c
    for g in DISABILITY_GRADES:
        groups[f"grade:{g}"] = Resident.disability_grade == g
    return groups


def active_at_end(period: Period) -> ColumnElement[bool]:
    """A resident on the register at the end of the period."""
    return and_(
        Resident.created_at < period.end_utc,
        or_(Resident.status == ResidentStatus.active, Resident.status_date > period.end),
    )


def target_resident(period: Period) -> ColumnElement[bool]:
    """A resident row (joined to its household) who is a target resident of the period."""
    elderly = Resident.birth_date <= years_before(period.end, care_rules(period.end).elderly_age)
    return and_(
        Household.created_at < period.end_utc,
        active_at_end(period),
        or_(
            elderly,
            Resident.disability_category.is_not(None),
            Household.care_level_override.is_not(None),
        ),
    )


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


def reached_per_grid(
    in_area: ColumnElement[bool],
    periods: list[Period],
    everywhere: bool = False,
    *,
    in_full: tuple[Period, ...] = (),
    today: date | None = None,
) -> list[dict[int, Reached]]:
    """For each period (in order), the reach of every grid of households matching
    `in_area` that has a target household in it (or, for a period `in_full`, a closed
    window).

    Periods `in_full` also get the registry counts and the timeliness of the windows that
    closed in them before `today`; the others (a trend's months) only their reach.
    `everywhere`: `in_area` holds every household (a top-level area), so the visits need
    no test of their household's area; elsewhere the test lets a small area reach its
    visits through their households."""
    if not periods:
        return []
    settle_for_reports()
    full = {i for i, p in enumerate(periods) if p in in_full}
    people = _households(in_area, periods, [periods[i] for i in full])
    visits = _VisitsByHousehold(in_area, periods, full, today or local_today(), everywhere)

    groups = list(registry_groups(periods[0]))
    columns: list = []
    for i, p in enumerate(periods):
        people_count = func.coalesce(people.c[f"t{p.end:%Y%m%d}"], 0)
        is_target = people_count > 0
        columns += [
            count_if(is_target),
            *(
                count_if(and_(is_target, visits.did(name, p)))
                for name in ("visited", "phone_contacted", "not_home", "checked")
            ),
            func.coalesce(func.sum(people_count), 0),
            func.coalesce(func.sum(case((visits.did("visited", p), people_count), else_=0)), 0),
            func.coalesce(func.sum(case((visits.did("reached", p), people_count), else_=0)), 0),
        ]
        if i in full:
            columns += [func.coalesce(func.sum(visits.c[f"{n}{i}"]), 0) for n in TIMELINESS]
            columns += [
                func.coalesce(func.sum(people.c[f"{name}@{p.end:%Y%m%d}"]), 0) for name in groups
            ]
    rows = db.session.execute(
        select(people.c.grid_id, *columns)
        .select_from(people)
        .outerjoin(visits.subquery, visits.c.household_id == people.c.household_id)
        .group_by(people.c.grid_id)
    )
    result: list[dict[int, Reached]] = [{} for _ in periods]
    for grid_id, *values in rows:
        read = (int(value) for value in values)  # in the order of `columns`
        for i in range(len(periods)):
            counts = {name: next(read) for name in REACH}
            if i in full:
                counts |= {name: next(read) for name in (*TIMELINESS, *groups)}
            if counts["target"] or any(counts.get(name) for name in TIMELINESS):
                result[i][grid_id] = _reached(counts)
    return result


def _households(in_area: ColumnElement[bool], periods: list[Period], tallied: list[Period]):
    """Each household of the area, its grid, its target residents at each distinct end of
    `periods` (periods that end together share the count; 0 for none), and the registry's
    groups of its target residents at the ends of `tallied`.

    Only target residents of some end are joined; when the periods all end together, a
    joined resident is a target resident, tested once per row instead of once per count."""
    ends = {p.end: p for p in periods}
    joined = Resident.id.is_not(None)
    target = {end: joined if len(ends) == 1 else target_resident(p) for end, p in ends.items()}
    return (
        select(
            Household.id.label("household_id"),
            Household.grid_id.label("grid_id"),
            *(count_if(target[end]).label(f"t{end:%Y%m%d}") for end in ends),
            *(
                count_if(and_(target[p.end], condition)).label(f"{name}@{p.end:%Y%m%d}")
                for p in {p.end: p for p in tallied}.values()
                for name, condition in registry_groups(p).items()
            ),
        )
        .select_from(Household)
        .outerjoin(
            Resident,
            and_(
                Resident.household_id == Household.id,
                or_(*(target_resident(p) for p in ends.values())),
            ),
        )
        .where(in_area)
        .group_by(Household.id, Household.grid_id)
        .cte("area_households")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )


class _VisitsByHousehold:
    """Per household: what its visits did in each stretch of time, as bits in one or more
    masks, and the timeliness of the windows that closed in the periods counted in full.

    The periods cut the time from the first start to the last end into stretches; each
    visit's outcome bit is shifted into its stretch's place, and `did` tests the bits of
    a period's stretches. A closed month stored per household (`VisitMonth`) that lies
    within one stretch is read from its rows, shifted the same way; only the rest of the
    time is read from the visits."""

    def __init__(self, in_area, periods: list[Period], full: set[int], today: date, everywhere):
        cuts = sorted({p.start_utc for p in periods} | {p.end_utc for p in periods})
        self.stretches = list(pairwise(cuts))
        self.span = (cuts[0], cuts[-1])
        self.months = _stored_months(self.stretches)
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
        holes = [(day_start_utc(m), day_start_utc(next_month_start(m))) for m in self.months]
        masks = [
            (
                outcome_bit()
                * _place([(n, gap) for n, s in enumerate(chunk) for gap in _gaps(s, holes)])
            ).label(f"mask{m}")
            for m, chunk in enumerate(self._chunks())
        ]
        counts, windows = [], []
        for i in sorted(full):
            p = periods[i]
            last = min(p.end, today - timedelta(days=1))
            stored = [(m, next_month_start(m)) for m in self._closed_by(today)]
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
        month (once the month has closed by `today`)."""
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
            inside = [month for month in self._closed_by(today) if p.start <= month <= p.end]
            counts += [
                _month_count(getattr(VisitMonth, name), inside).label(f"{name}{i}")
                for name in TIMELINESS
            ]
        return select(VisitMonth.household_id, *masks, *counts).where(
            VisitMonth.month.in_(self.months)
        )

    def _closed_by(self, today: date) -> list[date]:
        """The stored months that ended before `today` (their windows all closed)."""
        return [m for m in self.months if next_month_start(m) <= today]

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


def _stored_months(stretches: list[tuple]) -> list[date]:
    """The stored months (`StoredMonth`) that each lie within one stretch."""
    inside = []
    for start, end in stretches:
        month = month_start(utc_to_local_date(start))
        while day_start_utc(next_month_start(month)) <= end:
            if day_start_utc(month) >= start:
                inside.append(month)
            month = next_month_start(month)
    if not inside:
        return []
    return sorted(
        db.session.scalars(select(StoredMonth.month).where(StoredMonth.month.in_(inside)))
    )


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


REACH = (
    "target",
    "visited",
    "phone_contacted",
    "not_home",
    "checked",
    "target_residents",
    "visited_residents",
    "reached_residents",
)
TIMELINESS = ("on_time", "late", "missed")


def _reached(counts: dict) -> Reached:
    tallies: dict[str, dict[str, int]] = {"category": {}, "grade": {}}
    plain = {}
    for name, number in counts.items():
        if ":" in name:
            if number:
                group, key = name.split(":")
                tallies[group][key] = number
        else:
            plain[name] = number
    return Reached(
        **plain, disabled_by_category=tallies["category"], disabled_by_grade=tallies["grade"]
    )
