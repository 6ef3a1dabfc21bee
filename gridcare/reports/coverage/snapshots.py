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
    """Store every area's figures for a closed month, once; returns how many were stored."""
    taken = set(
        db.session.scalars(
            select(ReportSnapshot.area_id).where(ReportSnapshot.period_key == period.key)
        )
    )
    rows = []
    for area in db.session.scalars(select(Area).order_by(Area.path)):
        if area.id in taken:
            continue
        per_grid = grid_figures(area, period)
        total = Figures()
        for figures in per_grid.values():
            total.add(figures)
        rows.append({"area_id": area.id, "period_key": period.key, "figures": total.to_dict()})
    if not rows:
        return 0
    stored = db.session.execute(
        insert_ignoring_conflicts(ReportSnapshot).returning(ReportSnapshot.id), rows
    )
    count = len(stored.all())
    db.session.commit()
    return count


def snapshots_for(area: Area, keys: list[str]) -> dict[str, Figures]:
    """The stored figures of `area` for these period keys."""
    rows = db.session.execute(
        select(ReportSnapshot.period_key, ReportSnapshot.figures).where(
            ReportSnapshot.area_id == area.id, ReportSnapshot.period_key.in_(keys)
        )
    )
    return {key: Figures.from_dict(data) for key, data in rows}
