"""Coverage: how much of the target population was reached, exactly as DESIGN.md defines it.

Every figure is counted per grid by aggregate SQL; areas and workers are sums of their
grids, so an area's numerators and denominators always equal the sums over its
children. The indexes each query uses:
- the area's grids: ix_area_path (a range on the path, `areas.scope.under`), then
  ix_household_grid_id;
- target households, residents and visits: see `reached` (ix_resident_household_id,
  ix_visit_completed_at);
- timeliness: counted with the reach, in `reached` (ix_visit_status_window_end);
- hazards, in one statement: found by ix_hazard_reported_at, closed by
  ix_hazard_closed_at, and those still open at the period's end (reported before it:
  the backlog, a few thousand in a city) by ix_hazard_reported_at; from a small area's
  households, ix_hazard_household_id (tests/reports/coverage/test_query_plans.py checks
  the plans);
- registry counts: counted with the target residents, in `reached`.
"""

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, exists, or_, select

from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import under
from gridcare.dialects import day_after_utc
from gridcare.extensions import db
from gridcare.hazards.models import Hazard, HazardStatus
from gridcare.registry.models import Household, Resident
from gridcare.reports.coverage.figures import Figures
from gridcare.reports.coverage.reached import (
    Reached,
    reached_per_grid,
    target_resident,
)
from gridcare.reports.periods import Period
from gridcare.visits.models import Visit, VisitKind


def target_condition(period: Period):
    """A household with a target resident of the period (see `reached.target_resident`)."""
    return exists().where(Resident.household_id == Household.id, target_resident(period))


def done_in_period(period: Period, kind: VisitKind, *conditions):
    return exists().where(
        Visit.household_id == Household.id,
        Visit.kind == kind,
        Visit.completed_at >= period.start_utc,
        Visit.completed_at < period.end_utc,
        *conditions,
    )


def area_grids(area: Area):
    """The ids of the grids under `area` (the area itself when it is a grid), as a subquery."""
    return select(Area.id).where(Area.kind == AreaKind.grid, under(Area.path, area.path))


def grid_figures(area: Area, period: Period, today: date | None = None) -> dict[int, Figures]:
    """Figures per grid under `area` (the area itself when it is a grid).

    Timeliness counts only windows closed by `today` (default: the local date), so work
    done early in a running period is not on time while nothing can be missed yet.
    """
    in_area = Household.grid_id.in_(area_grids(area))
    (reach,) = reached_per_grid(
        in_area, [period], area.parent_id is None, in_full=(period,), today=today
    )
    return figures_in(in_area, period, reach)


def figures_in(in_area, period: Period, reach: dict[int, Reached]) -> dict[int, Figures]:
    """Every figure of the grids of households matching `in_area`, given their reach and
    timeliness (`reached_per_grid` with the period in full): the hazards are added here."""
    result: dict[int, Figures] = defaultdict(Figures)
    for grid_id, counts in reach.items():
        f = result[grid_id]
        for name, number in counts.counts().items():
            setattr(f, name, number)
    _hazard_figures(result, in_area, period)
    return dict(result)


def _hazard_figures(result: dict[int, Figures], in_area, period: Period) -> None:
    """The hazards found and closed in the period, and those open at its end, from one
    statement: the period's hazards and the backlog still open at its end (a few
    thousand in a city), joined to their households once. Three statements hashed the
    city's 120,000 households three times."""
    found = and_(Hazard.reported_at >= period.start_utc, Hazard.reported_at < period.end_utc)
    closed = and_(
        Hazard.status == HazardStatus.closed,
        Hazard.closed_at >= period.start_utc,
        Hazard.closed_at < period.end_utc,
    )
    open_at_end = and_(
        Hazard.reported_at < period.end_utc,
        or_(Hazard.closed_at.is_(None), Hazard.closed_at >= period.end_utc),
    )
    in_time = or_(Hazard.deadline.is_(None), Hazard.closed_at < day_after_utc(Hazard.deadline))
    rows = db.session.execute(
        select(
            Household.grid_id,
            Hazard.category,
            Hazard.severity,
            Hazard.reported_at,
            Hazard.closed_at,
            Hazard.deadline,
            found,
            closed,
            open_at_end,
            in_time,
        )
        .join(Household, Household.id == Hazard.household_id)
        .where(in_area, or_(found, closed, open_at_end))
    )
    for grid_id, category, severity, reported_at, closed_at, deadline, *tests in rows:
        was_found, was_closed, still_open, closed_in_time = tests
        f = result[grid_id]
        if was_found:
            f.hazards_found += 1
            key = f"{category.value}/{severity.value}"
            f.hazards_by_kind[key] = f.hazards_by_kind.get(key, 0) + 1
        if was_closed:
            f.hazards_closed += 1
            f.hazards_closed_in_time += bool(closed_in_time)
            f.days_to_close.append((closed_at - reported_at).days)
        if still_open:
            f.hazards_open_at_end += 1
            f.hazards_open_past_deadline += deadline is not None and deadline < period.end
