"""Gathering what the household page shows from each domain, in one place."""

from dataclasses import dataclass
from datetime import date

from gridcare.areas.scope import Scope
from gridcare.hazards.models import Hazard
from gridcare.hazards.services import household_hazards
from gridcare.registry.models import Household
from gridcare.registry.services import ResidentCard, household_residents
from gridcare.renovation.models import RenovationCase
from gridcare.renovation.services import household_cases


@dataclass(frozen=True)
class HouseholdPage:
    """A household with its residents (as cards), its hazards and its renovation cases, as
    the caller may see them."""

    household: Household
    residents: list[ResidentCard]
    hazards: list[Hazard]
    renovation_cases: list[RenovationCase]


def household_page(scope: Scope, household: Household, on: date) -> HouseholdPage:
    """The household's residents on `on`, its hazards and renovation cases within `scope`."""
    return HouseholdPage(
        household=household,
        residents=household_residents(household, on),
        hazards=household_hazards(household.id, scope),
        renovation_cases=household_cases(household.id, scope),
    )
