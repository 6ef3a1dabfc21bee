from datetime import date

import pytest

from gridcare.registry import services
from gridcare.registry.services import (
    RegistryError,
)
from tests.registry.services.conftest import add, audit_rows


def test_turning_80_while_living_alone_moves_the_household_to_level_1(officer, household, make):
    number = make.id_number(date(1946, 11, 15))
    add(officer, household, make, id_number=number, lives_alone=True)

    services.refresh_care_levels(date(2026, 11, 14))
    assert household.care_level == 2

    changed = services.refresh_care_levels(date(2026, 11, 15))
    assert changed == 1
    assert household.care_level == 1
    assert services.refresh_care_levels(date(2026, 11, 15)) == 0


def test_an_override_needs_a_reason(officer, household, make):
    make.resident(household, birth_date=date(1990, 1, 1))

    with pytest.raises(RegistryError) as raised:
        services.set_care_level_override(officer, household, 1, "  ")

    assert raised.value.field == "reason"
    assert household.care_level_override is None


def test_an_override_sets_the_level_and_clearing_it_restores_the_derived_one(
    officer, household, make
):
    make.resident(household, birth_date=date(1958, 1, 1))  # 68, no flags: level 3

    services.set_care_level_override(officer, household, 1, "Hoards gas cylinders")
    assert (household.care_level, household.care_level_override) == (1, 1)
    assert household.care_level_override_reason == "Hoards gas cylinders"
    event = audit_rows("household")[-1]
    assert "Hoards" not in event.fields
    assert "care_level_override_reason" in event.field_names

    services.set_care_level_override(officer, household, None, "")
    assert (household.care_level, household.care_level_override) == (3, None)
    assert household.care_level_override_reason == ""
