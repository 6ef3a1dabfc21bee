"""Care levels from DESIGN.md: who needs a weekly, monthly or quarterly visit.

| level | who |
|---|---|
| 1 | aged 80+ living alone; living alone with disability grade 1–2; officer-flagged |
| 2 | other living-alone or empty-nest residents aged 60+; any disabled resident |
| 3 | other residents aged 60+ |
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from gridcare.clock import age_on
from gridcare.registry.models import Resident, ResidentStatus


@dataclass(frozen=True)
class CareRules:
    elderly_age: int = 60
    very_old_age: int = 80
    severe_grades: tuple[int, ...] = (1, 2)


DEFAULT_RULES = CareRules()


def resident_care_level(
    resident: Resident, on: date, rules: CareRules = DEFAULT_RULES
) -> int | None:
    """The level one active resident needs on a given day, or None if not a target."""
    if resident.status != ResidentStatus.active:
        return None
    age = age_on(resident.birth_date, on)
    disabled = resident.disability_category is not None
    severe = disabled and resident.disability_grade in rules.severe_grades
    if resident.lives_alone and (age >= rules.very_old_age or severe):
        return 1
    if (resident.lives_alone or resident.empty_nest) and age >= rules.elderly_age:
        return 2
    if disabled:
        return 2
    if age >= rules.elderly_age:
        return 3
    return None


def derived_care_level(
    residents: Iterable[Resident], on: date, rules: CareRules = DEFAULT_RULES
) -> int | None:
    """The most intensive level any active resident needs."""
    levels = [level for r in residents if (level := resident_care_level(r, on, rules))]
    return min(levels, default=None)


def household_care_level(
    residents: Iterable[Resident], override: int | None, on: date
) -> int | None:
    """The effective level: an officer's override while anyone still lives there."""
    residents = list(residents)
    if override and any(r.status == ResidentStatus.active for r in residents):
        return override
    return derived_care_level(residents, on)
