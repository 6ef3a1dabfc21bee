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

The statement joins the area's households to two grouped subqueries, each computed once
(MATERIALIZED on PostgreSQL: where the statistics say the tables are empty, as inside a
transaction that just loaded them, the planner otherwise ran each aggregate again for
every household, 30 s instead of 0.3 s for the small demo):
- residents grouped by household (ix_household_grid_id for the area's grids, then
  ix_resident_household_id, or one scan across a city), one count of target residents
  per distinct period end (periods ending together share it);
- the visits grouped by household (ix_visit_completed_at for the completion range,
  BitmapOr ix_visit_status_window_end for the windows that closed; from a small area's
  households, ix_visit_household_kind_status). What each visit did (visited, phone,
  video, not home, checked) is one bit, shifted by the stretch of time it was completed
  in, and a household's bits are OR-ed together (`bit_or`; gridcare/sqlite.py gives
  SQLite one): one aggregate for every period, instead of one per period and outcome.
"""

from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from sqlalchemy import BigInteger, ColumnElement, and_, case, func, literal, or_, select, true

from gridcare.clock import today as local_today
from gridcare.clock import years_before
from gridcare.dialects import count_if, day_after_utc, settle_for_reports
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
from gridcare.visits.models import Visit, VisitKind, VisitMethod, VisitStatus


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
    """The registry's groups of residents as of the period's end, as conditions on a
    resident row: `living_alone`, `empty_nest`, `disabled`, then `category:N`, `grade:N`."""
    elderly = Resident.birth_date <= years_before(period.end, care_rules(period.end).elderly_age)
    on_register = active_at_end(period)
    groups = {
        "living_alone": and_(on_register, elderly, resident_has("lives_alone")),
        "empty_nest": and_(on_register, elderly, resident_has("empty_nest")),
        "disabled": and_(on_register, resident_has("disabled")),
    }
    for c in DISABILITY_CATEGORIES:
        groups[f"category:{c}"] = and_(on_register, Resident.disability_category == c)
    for g in DISABILITY_GRADES:
        groups[f"grade:{g}"] = and_(on_register, Resident.disability_grade == g)
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


# What a visit did, one bit each. A household reached by several visits in a stretch of
# time has the OR of their bits; `reached` is any done home visit, whatever its method.
VISITED, PHONE, VIDEO, NOT_HOME, CHECKED = 1, 2, 4, 8, 16
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


def _outcome_bit() -> ColumnElement[int]:
    home = Visit.kind == VisitKind.home_visit
    done = Visit.status == VisitStatus.done
    return case(
        (and_(home, Visit.status == VisitStatus.not_home), NOT_HOME),
        (and_(home, done, Visit.method == VisitMethod.in_person), VISITED),
        (and_(home, done, Visit.method == VisitMethod.phone), PHONE),
        (and_(home, done), VIDEO),
        (
            and_(Visit.kind == VisitKind.safety_check, done, Visit.method == VisitMethod.in_person),
            CHECKED,
        ),
        else_=0,
    )


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
    people = _residents_by_household(in_area, periods, [periods[i] for i in full])
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
        select(Household.grid_id, *columns)
        .select_from(Household)
        .outerjoin(people, people.c.household_id == Household.id)
        .outerjoin(visits.subquery, visits.c.household_id == Household.id)
        .where(
            in_area,
            or_(people.c.household_id.is_not(None), visits.c.household_id.is_not(None)),
        )
        .group_by(Household.grid_id)
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


def _residents_by_household(
    in_area: ColumnElement[bool], periods: list[Period], tallied: list[Period]
):
    """Per household: its target residents at each distinct end of `periods` (periods
    that end together share the count), and the registry's groups of its target residents
    at the ends of `tallied`."""
    ends = {p.end: p for p in periods}
    return (
        select(
            Resident.household_id.label("household_id"),
            *(count_if(target_resident(p)).label(f"t{end:%Y%m%d}") for end, p in ends.items()),
            *(
                count_if(and_(target_resident(p), condition)).label(f"{name}@{p.end:%Y%m%d}")
                for p in {p.end: p for p in tallied}.values()
                for name, condition in registry_groups(p).items()
            ),
        )
        .join(Household, Household.id == Resident.household_id)
        .where(in_area, or_(*(target_resident(p) for p in ends.values())))
        .group_by(Resident.household_id)
        .cte("target_residents")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )


class _VisitsByHousehold:
    """Per household: what its visits did in each stretch of time, as bits in one or more
    masks, and the timeliness of the windows that closed in the periods counted in full.

    The periods cut the time from the first start to the last end into stretches; each
    visit's outcome bit is shifted into its stretch's place, and `did` tests the bits of
    a period's stretches."""

    def __init__(self, in_area, periods: list[Period], full: set[int], today: date, everywhere):
        cuts = sorted({p.start_utc for p in periods} | {p.end_utc for p in periods})
        self.stretches = list(pairwise(cuts))
        masks = [
            func.bit_or(_outcome_bit() * _place(chunk)).label(f"mask{m}")
            for m, chunk in enumerate(self._chunks())
        ]
        timeliness, windows = [], []
        for i in sorted(full):
            closed = _closed_windows(periods[i], today)
            done = and_(closed, Visit.status == VisitStatus.done)
            in_time = Visit.completed_at < day_after_utc(Visit.window_end)
            windows.append(closed)
            timeliness += [
                count_if(and_(done, in_time)).label(f"on_time{i}"),
                count_if(and_(done, ~in_time)).label(f"late{i}"),
                count_if(and_(closed, Visit.status == VisitStatus.missed)).label(f"missed{i}"),
            ]
        completed = and_(
            Visit.completed_at >= cuts[0],
            Visit.completed_at < cuts[-1],
            Visit.status.in_((VisitStatus.done, VisitStatus.not_home)),
        )
        in_area_visits = Visit.household_id.in_(select(Household.id).where(in_area))
        self.subquery = (
            select(Visit.household_id.label("household_id"), *masks, *timeliness)
            .where(or_(completed, *windows), true() if everywhere else in_area_visits)
            .group_by(Visit.household_id)
            .cte("household_visits")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        self.c = self.subquery.c

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


def _place(chunk: list[tuple]) -> ColumnElement[int]:
    """The multiplier that shifts a visit's outcome bit into its stretch's place in a
    mask of `chunk`'s stretches (0 outside them)."""
    return case(
        *(
            (
                and_(Visit.completed_at >= start, Visit.completed_at < end),
                literal(1 << (BITS_PER_STRETCH * n), BigInteger),
            )
            for n, (start, end) in enumerate(chunk)
        ),
        else_=literal(0, BigInteger),
    )


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


def _closed_windows(period: Period, today: date) -> ColumnElement[bool]:
    """A done or missed visit whose window closed in the period and before `today`: work
    done early in a running period is not on time while nothing can be missed yet."""
    return and_(
        Visit.window_end >= period.start,
        Visit.window_end <= period.end,
        Visit.window_end < today,
        Visit.status.in_((VisitStatus.done, VisitStatus.missed)),
    )


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
