"""Who was reached: target households and residents, and the visits that reached them,
counted per grid for several periods in one grouped query.

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
  the same residents.

The query joins two grouped subqueries instead of testing each household with EXISTS:
residents grouped by household (ix_resident_household_id, through ix_household_grid_id
for the area's grids), and the period's visits grouped by household
(ix_visit_completed_at for the completion range; ix_visit_household_kind_status when the
area is small enough for the planner to start from its households). Each period is a
set of CASE columns, so the page's period, the one before it and the trend's live months
cost one pass over the rows, not one query each.
"""

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, true

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
from gridcare.reports.periods import Period
from gridcare.visits.models import Visit, VisitKind, VisitMethod, VisitStatus


@dataclass
class Reached:
    """One grid's reach in one period (the household and resident counts)."""

    target: int = 0
    visited: int = 0
    phone_contacted: int = 0
    not_home: int = 0
    checked: int = 0
    target_residents: int = 0
    visited_residents: int = 0
    reached_residents: int = 0
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


COUNTS = (
    "target",
    "visited",
    "phone_contacted",
    "not_home",
    "checked",
    "target_residents",
    "visited_residents",
    "reached_residents",
    "living_alone",
    "empty_nest",
    "disabled",
)


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


def outcomes(kind, status, method) -> dict[str, ColumnElement[bool]]:
    """The visit outcomes a household can have in a period, on a visit's columns."""
    done, home = status == VisitStatus.done, kind == VisitKind.home_visit
    return {
        "visited": and_(home, done, method == VisitMethod.in_person),
        "phone_contacted": and_(home, done, method == VisitMethod.phone),
        "not_home": and_(home, status == VisitStatus.not_home),
        "checked": and_(kind == VisitKind.safety_check, done, method == VisitMethod.in_person),
        "reached": and_(home, done),
    }


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
    in_area: ColumnElement[bool], periods: list[Period], everywhere: bool = False
) -> list[dict[int, Reached]]:
    """For each period (in order), the reach of every grid of households matching
    `in_area` that has a target household in it.

    `everywhere`: `in_area` holds every household (a top-level area), so the visits need
    no test of their household's area; elsewhere the test lets a small area reach its
    visits through their households."""
    if not periods:
        return []
    settle_for_reports()
    first = min(p.start_utc for p in periods)
    last = max(p.end_utc for p in periods)

    residents = (
        select(
            Household.grid_id.label("grid_id"),
            Resident.household_id.label("household_id"),
            *(count_if(target_resident(p)).label(f"t{i}") for i, p in enumerate(periods)),
            *(
                count_if(condition).label(f"{name}@{i}")
                for i, p in enumerate(periods)
                for name, condition in registry_groups(p).items()
            ),
        )
        .join(Household, Household.id == Resident.household_id)
        .where(in_area, or_(*(target_resident(p) for p in periods)))
        .group_by(Household.grid_id, Resident.household_id)
        .subquery("target_residents")
    )

    # The visits of the households in the area, one row per household, kind, status,
    # method and stretch of time: the periods cut the time from the first start to the
    # last end into stretches, and each period is a set of them.
    cuts = sorted({p.start_utc for p in periods} | {p.end_utc for p in periods})
    inner = [(Visit.completed_at < cut, n) for n, cut in enumerate(cuts[1:-1])]
    stretch = case(*inner, else_=len(cuts) - 2) if inner else literal(0)
    kinds = (
        select(Visit.household_id, Visit.kind, Visit.status, Visit.method, stretch.label("stretch"))
        .where(
            Visit.completed_at >= first,
            Visit.completed_at < last,
            Visit.status.in_((VisitStatus.done, VisitStatus.not_home)),
            true() if everywhere else Visit.household_id.in_(select(Household.id).where(in_area)),
        )
        .distinct()
        .subquery("visit_kinds")
    )
    named = outcomes(kinds.c.kind, kinds.c.status, kinds.c.method)

    def within(p: Period):
        inside = [n for n in range(len(cuts) - 1) if p.start_utc <= cuts[n] < p.end_utc]
        return kinds.c.stretch.in_(inside) if len(inside) < len(cuts) - 1 else true()

    visits = (
        select(
            kinds.c.household_id,
            *(
                func.max(case((and_(within(p), condition), 1), else_=0)).label(f"{name}{i}")
                for i, p in enumerate(periods)
                for name, condition in named.items()
            ),
        )
        .group_by(kinds.c.household_id)
        .subquery("household_visits")
    )

    columns = []
    columns, groups = [], list(registry_groups(periods[0]))
    for i in range(len(periods)):
        people = residents.c[f"t{i}"]
        is_target = people > 0

        def outcome(name, i=i):
            return visits.c[f"{name}{i}"] == 1

        columns += [
            count_if(is_target),
            count_if(and_(is_target, outcome("visited"))),
            count_if(and_(is_target, outcome("phone_contacted"))),
            count_if(and_(is_target, outcome("not_home"))),
            count_if(and_(is_target, outcome("checked"))),
            func.coalesce(func.sum(people), 0),
            func.coalesce(func.sum(case((outcome("visited"), people), else_=0)), 0),
            func.coalesce(func.sum(case((outcome("reached"), people), else_=0)), 0),
            *(func.coalesce(func.sum(residents.c[f"{name}@{i}"]), 0) for name in groups),
        ]
    rows = db.session.execute(
        select(residents.c.grid_id, *columns)
        .select_from(residents)
        .outerjoin(visits, visits.c.household_id == residents.c.household_id)
        .group_by(residents.c.grid_id)
    )
    width = len(columns) // len(periods)
    result: list[dict[int, Reached]] = [{} for _ in periods]
    for grid_id, *values in rows:
        for i in range(len(periods)):
            counts = dict(
                zip(COUNTS[:8] + tuple(groups), values[i * width : (i + 1) * width], strict=True)
            )
            if counts["target"]:
                result[i][grid_id] = _reached(counts)
    return result


def _reached(counts: dict) -> Reached:
    tallies: dict[str, dict[str, int]] = {"category": {}, "grade": {}}
    for name, number in counts.items():
        if ":" in name and number:
            group, key = name.split(":")
            tallies[group][key] = int(number)
    return Reached(
        **{name: int(counts[name]) for name in COUNTS},
        disabled_by_category=tallies["category"],
        disabled_by_grade=tallies["grade"],
    )
