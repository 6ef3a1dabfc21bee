"""Figures civil affairs reports, computed with aggregate SQL over an area and its children."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from gridcare.areas.models import Area
from gridcare.areas.scope import Scope
from gridcare.areas.services import child_areas
from gridcare.clock import years_before
from gridcare.dialects import count_if
from gridcare.extensions import db
from gridcare.registry.care_levels import DEFAULT_RULES
from gridcare.registry.models import (
    DISABILITY_CATEGORIES,
    DISABILITY_GRADES,
    Household,
    Resident,
    ResidentStatus,
)


@dataclass
class RegistryCounts:
    """Registry counts for one area: who is on the books today."""

    area: Area
    households: int = 0
    by_care_level: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0})
    residents: int = 0
    elderly: int = 0
    living_alone: int = 0
    empty_nest: int = 0
    disabled: int = 0
    disabled_by_category: dict[int, int] = field(
        default_factory=lambda: dict.fromkeys(DISABILITY_CATEGORIES, 0)
    )
    disabled_by_grade: dict[int, int] = field(
        default_factory=lambda: dict.fromkeys(DISABILITY_GRADES, 0)
    )

    @property
    def target_households(self) -> int:
        return sum(self.by_care_level.values())

    def add(self, other: "RegistryCounts") -> None:
        for name in (
            "households",
            "residents",
            "elderly",
            "living_alone",
            "empty_nest",
            "disabled",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("by_care_level", "disabled_by_category", "disabled_by_grade"):
            mine, theirs = getattr(self, name), getattr(other, name)
            for key, value in theirs.items():
                mine[key] += value


def registry_counts(area: Area, on: date) -> tuple[list[RegistryCounts], RegistryCounts]:
    """Counts per child area of `area` (or the area itself for a grid), and their total.

    Two grouped queries whatever the size of the area: households by child area and care
    level, and residents by child area with conditional sums. The household query uses
    ix_area_path (prefix match) and ix_household_grid_id; residents add
    ix_resident_household_id and ix_resident_status.
    """
    children = child_areas(area) or [area]
    rows = {child.id: RegistryCounts(child) for child in children}
    child = aliased(Area)
    grid = aliased(Area)
    placed = (
        select(child.id)
        .select_from(child)
        .join(grid, grid.path.startswith(child.path))
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

    elderly = Resident.birth_date <= years_before(on, DEFAULT_RULES.elderly_age)
    disabled = Resident.disability_category.is_not(None)

    columns = [
        func.count(Resident.id),
        count_if(elderly),
        count_if(and_(elderly, Resident.lives_alone.is_(True))),
        count_if(and_(elderly, Resident.empty_nest.is_(True))),
        count_if(disabled),
        *(count_if(Resident.disability_category == c) for c in DISABILITY_CATEGORIES),
        *(count_if(Resident.disability_grade == g) for g in DISABILITY_GRADES),
    ]
    residents = db.session.execute(
        placed.add_columns(*columns)
        .join(Household, and_(Household.grid_id == grid.id, Household.active.is_(True)))
        .join(
            Resident,
            and_(Resident.household_id == Household.id, Resident.status == ResidentStatus.active),
        )
        .group_by(child.id)
    )
    for child_id, total, old, alone, nest, dis, *rest in residents:
        row = rows[child_id]
        row.residents, row.elderly, row.living_alone, row.empty_nest, row.disabled = (
            total,
            old,
            alone,
            nest,
            dis,
        )
        categories, grades = rest[: len(DISABILITY_CATEGORIES)], rest[len(DISABILITY_CATEGORIES) :]
        row.disabled_by_category = dict(zip(DISABILITY_CATEGORIES, categories, strict=True))
        row.disabled_by_grade = dict(zip(DISABILITY_GRADES, grades, strict=True))

    total = RegistryCounts(area)
    for row in rows.values():
        total.add(row)
    return list(rows.values()), total


def default_area(scope: Scope) -> Area | None:
    """The highest area a caller may see: where their reports start."""
    stmt = select(Area).where(scope.filter(Area.path)).order_by(func.length(Area.path), Area.code)
    return db.session.scalars(stmt.limit(1)).first()
