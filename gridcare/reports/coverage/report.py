"""The coverage report: each grid's figures assembled into child areas, workers, a
total, the months before, and the page that shows them."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from gridcare.accounts.lookups import grid_workers
from gridcare.accounts.models import User
from gridcare.areas.models import Area
from gridcare.areas.scope import under
from gridcare.areas.services import child_areas, in_tree_order
from gridcare.clock import today as local_today
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.reports.coverage.figures import Coverage, Figures, Row
from gridcare.reports.coverage.per_grid import (
    area_grids,
    done_in_period,
    figures_in,
    grid_figures,
    target_condition,
)
from gridcare.reports.coverage.reached import Reached, reached_per_grid
from gridcare.reports.coverage.snapshots import snapshots_for
from gridcare.reports.periods import Period, last_months
from gridcare.visits.models import Visit, VisitKind, VisitMethod, VisitStatus


def coverage(area: Area, period: Period, today: date | None = None) -> Coverage:
    """The area's figures for the period, by child area and by grid worker."""
    return assemble(area, period, grid_figures(area, period, today))


def assemble(area: Area, period: Period, per_grid: dict[int, Figures]) -> Coverage:
    """The report of `area` from its grids' figures: child areas, workers and a total."""
    children = child_areas(area) or [area]
    grid_paths = dict(
        db.session.execute(select(Area.id, Area.path).where(Area.id.in_(list(per_grid)))).all()
    )
    child_rows = {child.id: Row(child.name, Figures(), area=child) for child in children}
    for grid_id, figures in per_grid.items():
        for child in children:
            if grid_paths[grid_id].startswith(child.path):
                child_rows[child.id].figures.add(figures)
                break

    workers_by_grid = grid_workers(list(per_grid))
    people = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_(set(workers_by_grid.values()))))
    }
    worker_rows: dict[int | None, Row] = {}
    for grid_id, figures in per_grid.items():
        worker_id = workers_by_grid.get(grid_id)
        if worker_id not in worker_rows:
            worker = people.get(worker_id)
            worker_rows[worker_id] = Row(
                worker.display_name if worker else "—", Figures(), worker=worker
            )
        worker_rows[worker_id].figures.add(figures)

    return Coverage(
        area=area,
        period=period,
        total=total_of(per_grid),
        children=list(child_rows.values()),
        workers=sorted(worker_rows.values(), key=lambda r: r.label),
    )


def total_of(per_grid: dict[int, Figures]) -> Figures:
    total = Figures()
    for figures in per_grid.values():
        total.add(figures)
    return total


def unvisited_households(area: Area, period: Period) -> list[Household]:
    """Target households under `area` with no in-person home visit done in the period."""
    visited = done_in_period(
        period,
        VisitKind.home_visit,
        Visit.status == VisitStatus.done,
        Visit.method == VisitMethod.in_person,
    )
    stmt = (
        select(Household, Area)
        .join(Area, Area.id == Household.grid_id)
        .where(
            under(Area.path, area.path),
            Household.created_at < period.end_utc,
            target_condition(period),
            ~visited,
        )
        .order_by(Household.address, Household.building, Household.unit, Household.room)
    )
    rows = db.session.execute(stmt).all()
    grids = in_tree_order({grid.id: grid for _, grid in rows}.values())
    rank = {grid.id: n for n, grid in enumerate(grids)}
    return [household for household, grid in sorted(rows, key=lambda row: rank[row[1].id])]


def trend(
    area: Area, months: list[Period], snapshots: dict[str, Figures]
) -> list[tuple[Period, Figures]]:
    """The area's total per month: stored snapshots where there are any; the other months
    counted live, all in one grouped query (only their reach: the chart shows coverage)."""
    live = [m for m in months if m.key not in snapshots]
    reach = reached_per_grid(Household.grid_id.in_(area_grids(area)), live, area.parent_id is None)
    return _series(months, snapshots, dict(zip([m.key for m in live], reach, strict=True)))


def _series(
    months: list[Period], snapshots: dict[str, Figures], live: dict[str, dict[int, Reached]]
) -> list[tuple[Period, Figures]]:
    """Each month's stored figures, or the total of its grids' reach counted live."""
    out = []
    for m in months:
        if m.key in snapshots:
            out.append((m, snapshots[m.key]))
            continue
        total = Figures()
        for counts in live[m.key].values():
            total.add(Figures(**counts.counts()))
        out.append((m, total))
    return out


@dataclass
class CoveragePage:
    report: Coverage
    previous: Figures
    previous_as_reported: bool  # the previous period's stored snapshot, not recounted
    reported: Figures | None  # the month's snapshot, when one was stored
    trend: list[tuple[Period, Figures]]


def coverage_page(area: Area, period: Period, today: date | None = None) -> CoveragePage:
    """What the report page shows: this period, the previous one beside it (its stored
    snapshot once it has closed and been stored, else counted), the stored snapshot of
    this period if any, and the 12 months to its end (or to this month: never months
    still to come).

    The households of this period, the previous one and the trend's months without a
    snapshot are counted in one statement (`reached_per_grid`), each period once."""
    today = today or local_today()
    months = last_months(period, 12, today)
    previous = period.previous()
    snapshots = snapshots_for(area, [m.key for m in months] + [period.key, previous.key])
    live = [m for m in months if m.key not in snapshots]
    in_area = Household.grid_id.in_(area_grids(area))
    previous_figures = snapshots.get(previous.key)
    in_full = (period, *([previous] * (previous_figures is None)))
    # A month's page counts that month (and the one before it) for the trend too: once.
    counted = [*in_full, *(m for m in live if m.key not in {p.key for p in in_full})]
    reach = dict(
        zip(
            [p.key for p in counted],
            reached_per_grid(
                in_area, counted, area.parent_id is None, in_full=in_full, today=today
            ),
            strict=True,
        )
    )
    current_grids = figures_in(in_area, period, reach[period.key])
    if previous_figures is None:
        previous_figures = total_of(figures_in(in_area, previous, reach[previous.key]))
    return CoveragePage(
        report=assemble(area, period, current_grids),
        previous=previous_figures,
        previous_as_reported=previous.key in snapshots,
        reported=snapshots.get(period.key),
        trend=_series(months, snapshots, reach),
    )
