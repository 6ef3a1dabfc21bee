"""Snapshots: a closed month's figures for every area, stored once as they were reported."""

from sqlalchemy import select

from gridcare.areas.models import Area
from gridcare.dialects import insert_ignoring_conflicts
from gridcare.extensions import db
from gridcare.reports.coverage.figures import Figures
from gridcare.reports.coverage.per_grid import grid_figures
from gridcare.reports.models import ReportSnapshot
from gridcare.reports.periods import Period


def snapshot_month(period: Period) -> int:
    """Store every area's figures for a closed month (or quarter, or year), once; returns
    how many were stored.

    Each grid's figures are counted once, for the whole tree; every area's total is the
    sum of the grids under it, found by the ids in their paths. Memory holds one set of
    figures per grid and per area, whatever the number of households.
    """
    taken = set(
        db.session.scalars(
            select(ReportSnapshot.area_id).where(ReportSnapshot.period_key == period.key)
        )
    )
    areas = db.session.execute(select(Area.id, Area.path, Area.parent_id).order_by(Area.path)).all()
    missing = [area_id for area_id, _, _ in areas if area_id not in taken]
    if not missing:
        return 0
    totals = {area_id: Figures() for area_id in missing}
    paths = {area_id: path for area_id, path, _ in areas}
    for root_id in (area_id for area_id, _, parent in areas if parent is None):
        root = db.session.get(Area, root_id)
        for grid_id, figures in grid_figures(root, period).items():
            for ancestor in _ids_in(paths[grid_id]):
                if ancestor in totals:
                    totals[ancestor].add(figures)
    rows = [
        {"area_id": area_id, "period_key": period.key, "figures": totals[area_id].to_dict()}
        for area_id in missing
    ]
    stored = db.session.execute(
        insert_ignoring_conflicts(ReportSnapshot).returning(ReportSnapshot.id), rows
    )
    count = len(stored.all())
    db.session.commit()
    return count


def _ids_in(path: str) -> list[int]:
    """The ids of the areas a path runs through, the area itself last: "/1/4/" is [1, 4]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def snapshots_for(area: Area, keys: list[str]) -> dict[str, Figures]:
    """The stored figures of `area` for these period keys."""
    rows = db.session.execute(
        select(ReportSnapshot.period_key, ReportSnapshot.figures).where(
            ReportSnapshot.area_id == area.id, ReportSnapshot.period_key.in_(keys)
        )
    )
    return {key: Figures.from_dict(data) for key, data in rows}
