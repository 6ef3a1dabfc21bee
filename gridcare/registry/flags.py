"""The household flags an officer filters by: someone living alone, an empty nest, a disability.

A household has a flag when one of its active residents has it. The registry's lists,
the visits' campaigns and the reports all ask here, so a flag means one thing everywhere.
"""

from sqlalchemy import ColumnElement, exists

from gridcare.registry.models import Household, Resident, ResidentStatus

FLAGS = ("lives_alone", "empty_nest", "disabled")


def resident_has(flag: str) -> ColumnElement[bool]:
    """The condition on a resident row that gives their household this flag."""
    if flag == "lives_alone":
        return Resident.lives_alone.is_(True)
    if flag == "empty_nest":
        return Resident.empty_nest.is_(True)
    if flag == "disabled":
        return Resident.disability_category.is_not(None)
    raise ValueError(f"unknown flag {flag!r}")


def household_has(flag: str) -> ColumnElement[bool]:
    """The condition on a household row: an active resident of it has this flag."""
    return exists().where(
        Resident.household_id == Household.id,
        Resident.status == ResidentStatus.active,
        resident_has(flag),
    )
