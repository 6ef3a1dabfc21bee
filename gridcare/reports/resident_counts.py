"""Registry counts: who is on the books, in the groups civil affairs reports.

Counted once, here, per grid: the registry overview sums grids into child areas, and
the coverage report stores them with each grid's figures. The two differ only in who
counts as current: today's active residents of active households, or residents active
at the end of a period.
"""

from dataclasses import dataclass, field, fields
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select

from gridcare.clock import years_before
from gridcare.dialects import count_if
from gridcare.extensions import db
from gridcare.registry.care_levels import care_rules
from gridcare.registry.flags import resident_has
from gridcare.registry.models import (
    DISABILITY_CATEGORIES,
    DISABILITY_GRADES,
    Household,
    Resident,
)


@dataclass
class ResidentCounts:
    """Residents of one grid (or a sum of grids), by the groups the reports name."""

    residents: int = 0
    elderly: int = 0
    living_alone: int = 0  # elderly and living alone
    empty_nest: int = 0  # elderly with their children away
    disabled: int = 0
    disabled_by_category: dict[int, int] = field(
        default_factory=lambda: dict.fromkeys(DISABILITY_CATEGORIES, 0)
    )
    disabled_by_grade: dict[int, int] = field(
        default_factory=lambda: dict.fromkeys(DISABILITY_GRADES, 0)
    )

    def add(self, other: "ResidentCounts") -> None:
        """Add another's counts to these (numbers and per-key dicts; anything else stays)."""
        for f in fields(other):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict):
                for key, value in theirs.items():
                    mine[key] = mine.get(key, 0) + value
            elif isinstance(mine, int):
                setattr(self, f.name, mine + theirs)


def resident_counts(
    in_area: ColumnElement[bool], on: date, *current: ColumnElement[bool]
) -> dict[int, ResidentCounts]:
    """Counts per grid of the residents of households matching `in_area` for whom every
    `current` condition holds; "elderly" is of the elderly age (60 by default) on `on`,
    under the care-level rules in force that day.

    One grouped query over ix_household_grid_id and ix_resident_household_id.
    """
    elderly = Resident.birth_date <= years_before(on, care_rules(on).elderly_age)
    rows = db.session.execute(
        select(
            Household.grid_id,
            func.count(Resident.id),
            count_if(elderly),
            count_if(and_(elderly, resident_has("lives_alone"))),
            count_if(and_(elderly, resident_has("empty_nest"))),
            count_if(resident_has("disabled")),
            *(count_if(Resident.disability_category == c) for c in DISABILITY_CATEGORIES),
            *(count_if(Resident.disability_grade == g) for g in DISABILITY_GRADES),
        )
        .join(Household, Household.id == Resident.household_id)
        .where(in_area, *current)
        .group_by(Household.grid_id)
    )
    counts = {}
    for grid_id, residents, old, alone, nest, disabled, *rest in rows:
        categories, grades = rest[: len(DISABILITY_CATEGORIES)], rest[len(DISABILITY_CATEGORIES) :]
        counts[grid_id] = ResidentCounts(
            residents=residents,
            elderly=old,
            living_alone=alone,
            empty_nest=nest,
            disabled=disabled,
            disabled_by_category=dict(zip(DISABILITY_CATEGORIES, categories, strict=True)),
            disabled_by_grade=dict(zip(DISABILITY_GRADES, grades, strict=True)),
        )
    return counts
