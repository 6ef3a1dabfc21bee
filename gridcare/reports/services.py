"""Figures civil affairs reports, computed with aggregate SQL over an area and its children."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from gridcare.areas.models import Area
from gridcare.areas.scope import Scope, under
from gridcare.areas.services import child_areas
from gridcare.extensions import db
from gridcare.registry.models import Household, Resident, ResidentStatus
from gridcare.reports.resident_counts import ResidentCounts, resident_counts


@dataclass(kw_only=True)
class RegistryCounts(ResidentCounts):
    """Registry counts for one area: who is on the books today."""

    area: Area
    households: int = 0
    by_care_level: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0})

    @property
    def target_households(self) -> int:
        return sum(self.by_care_level.values())


def registry_counts(area: Area, on: date) -> tuple[list[RegistryCounts], RegistryCounts]:
    """Counts per child area of `area` (or the area itself for a grid), and their total.

    Two grouped queries whatever the size of the area: households by child area and care
    level, and residents by grid (summed into child areas here). The household query uses
    ix_area_path (prefix match) and ix_household_grid_id; residents add
    ix_resident_household_id and ix_resident_status.
    """
    children = child_areas(area) or [area]
    rows = {child.id: RegistryCounts(area=child) for child in children}
    child = aliased(Area)
    grid = aliased(Area)
    placed = (
        select(child.id)
        .select_from(child)
        .join(grid, under(grid.path, child.path))
        .where(child.id.in_(rows))
    )

    households = db.session.execute(
        placed.add_columns(Household.care_level, func.count(Household.id))
        .join(Household, and_(Household.grid_id == grid.id, Household.active.is_(True)))
        .group_by(child.id, Household.care_level)
    )
    for child_id, level, count in households:
        rows[child_id].households += count
        if level in (1, 2, 3):
            rows[child_id].by_care_level[level] += count

    grid_paths = dict(
        db.session.execute(select(Area.id, Area.path).where(under(Area.path, area.path))).all()
    )
    residents = resident_counts(
        Household.grid_id.in_(list(grid_paths)),
        on,
        Household.active.is_(True),
        Resident.status == ResidentStatus.active,
    )
    for grid_id, counts in residents.items():
        for child_row in rows.values():
            if grid_paths[grid_id].startswith(child_row.area.path):
                child_row.add(counts)
                break

    total = RegistryCounts(area=area)
    for row in rows.values():
        total.add(row)
    return list(rows.values()), total


def default_area(scope: Scope) -> Area | None:
    """The highest area a caller may see: where their reports start."""
    stmt = select(Area).where(scope.filter(Area.path)).order_by(func.length(Area.path), Area.code)
    return db.session.scalars(stmt.limit(1)).first()
