"""Who was reached: target households and residents, the visits that reached them, and
the timeliness of the windows that closed, counted per grid for several periods in one
statement (run again if the night's store commits while it reads).

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

The statement counts from three subqueries of the area's households, each computed once
(MATERIALIZED on PostgreSQL: where the statistics say the tables are empty, as inside a
transaction that just loaded them, the planner otherwise ran each aggregate again for
every household, 30 s instead of 0.3 s for the small demo):
- `target_residents`: every household of the area with its grid and each of its
  residents who is a target resident at some end of the periods (ix_household_grid_id
  for the area's grids, then ix_resident_household_id, or one scan across a city);
- `area_households`: those rows grouped per household, one count of target residents
  per distinct period end (periods ending together share it), and `registry_counts`:
  the same rows counted straight into their grid for the registry's groups (counted
  per household first, they cost more than the rest of the households' side);
- `household_visits`: the visits grouped by household, what they did in each stretch of
  time, as bits, and the timeliness of the closed windows; the days each month is
  stored through (closed months, and the running month through yesterday) from their
  stored rows (`household_visits`).

The visits are joined to the area's households (every one of them: a household with
visits and no target resident still counts in timeliness), summed per grid, and the
grid's registry counts added.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    or_,
    select,
)

from gridcare.clock import today as local_today
from gridcare.clock import years_before
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
from gridcare.reports.coverage.household_visits import TIMELINESS, VisitsByHousehold
from gridcare.reports.periods import Period


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
    today = today or local_today()
    full = {i for i, p in enumerate(periods) if p in in_full}
    tallied = list({periods[i].end: periods[i] for i in sorted(full)}.values())
    residents = _target_residents(in_area, periods, tallied)
    people = _households(residents, periods)
    # The stored days are read before the statement that reads their rows: a store that
    # commits in between (the night's, at 01:00) would have some days counted twice, so
    # the statement runs again; the last time, with every day from the visits.
    for attempt in range(RECOUNTS + 1):
        from_rows = attempt < RECOUNTS
        visits = VisitsByHousehold(in_area, periods, full, today, everywhere, from_rows)
        statement, width = _per_grid(residents, people, visits, periods, full, tallied)
        rows = db.session.execute(statement).all()
        if not visits.stored_since():
            break
    names = list(registry_groups(periods[0]))
    result: list[dict[int, Reached]] = [{} for _ in periods]
    for grid_id, *values in rows:
        reach = iter(values[:width])  # in the order of `_per_grid`'s columns
        counted = iter(values[width:])  # each tallied end's groups, in order
        registry = {  # NULL where the grid has no target resident
            p.end: {name: int(next(counted) or 0) for name in names} for p in tallied
        }
        for i, p in enumerate(periods):
            counts = {name: int(next(reach)) for name in REACH}
            if i in full:
                counts |= {name: int(next(reach)) for name in TIMELINESS}
                counts |= registry[p.end]
            if counts["target"] or any(counts.get(name) for name in TIMELINESS):
                result[i][grid_id] = _reached(counts)
    return result


def _per_grid(residents, people, visits: VisitsByHousehold, periods, full, tallied):
    """The statement summing households and visits per grid, with the registry counts of
    the periods `tallied`, and how many columns come before those counts."""
    columns: list = []
    for i, p in enumerate(periods):
        people_count = people.c[_end(p)]  # 0 for none: every household has a row
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
    per_grid = (
        select(people.c.grid_id, *(c.label(f"c{n}") for n, c in enumerate(columns)))
        .select_from(people)
        .outerjoin(visits.subquery, visits.c.household_id == people.c.household_id)
        .group_by(people.c.grid_id)
        .subquery("per_grid")
    )
    statement = select(per_grid)
    if tallied:
        groups = _registry_counts(residents, tallied)
        statement = statement.add_columns(
            *(column for column in groups.c if column.name != "grid_id")
        ).outerjoin(groups, groups.c.grid_id == per_grid.c.grid_id)
    return statement, len(columns)


def _end(period: Period) -> str:
    """The name of the target residents' count at the period's end."""
    return f"t{period.end:%Y%m%d}"


def _target_residents(in_area: ColumnElement[bool], periods: list[Period], tallied: list[Period]):
    """Each household of the area with each of its residents who is a target resident at
    some end of `periods` (one row without a resident for a household with none): its
    grid, whether the resident is a target resident at each distinct end, and in which
    of the registry's groups at each end of `tallied`.

    When the periods all end together, a joined resident is a target resident: tested
    once, in the join, instead of once per column."""
    ends = {p.end: p for p in periods}
    joined = Resident.id.is_not(None)
    target = {end: joined if len(ends) == 1 else target_resident(p) for end, p in ends.items()}
    return (
        select(
            Household.id.label("household_id"),
            Household.grid_id.label("grid_id"),
            *(target[p.end].label(_end(p)) for p in ends.values()),
            *(
                and_(target[p.end], condition).label(f"{name}@{_end(p)}")
                for p in tallied
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
        .cte("target_residents")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )


def _households(residents, periods: list[Period]):
    """Each household of the area, its grid, and its target residents at each distinct end
    of `periods` (periods that end together share the count; 0 for none)."""
    ends = {_end(p) for p in periods}
    return (
        select(
            residents.c.household_id,
            residents.c.grid_id,
            *(count_if(residents.c[end]).label(end) for end in sorted(ends)),
        )
        .group_by(residents.c.household_id, residents.c.grid_id)
        .cte("area_households")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )


def _registry_counts(residents, tallied: list[Period]):
    """Per grid, the target residents in each of the registry's groups at each end of
    `tallied`, in that order: counted from the residents' rows straight into their grid,
    not per household first (14 counts per household cost more than the rest of the
    households' side)."""
    return (
        select(
            residents.c.grid_id,
            *(
                count_if(residents.c[f"{name}@{_end(p)}"]).label(f"{name}@{_end(p)}")
                for p in tallied
                for name in registry_groups(p)
            ),
        )
        .group_by(residents.c.grid_id)
        .cte("registry_counts")
    )


# How many times a report counts again when a store commits while it reads (after
# downtime, the night stores up to 14 months, each committed alone).
RECOUNTS = 3
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
