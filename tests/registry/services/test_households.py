import pytest
from sqlalchemy import func, select

from gridcare.clock import today
from gridcare.extensions import db
from gridcare.registry import services
from gridcare.registry.models import (
    Household,
)
from gridcare.registry.services import (
    RegistryError,
    RegistryPermissionError,
)
from tests.factories import loaded
from tests.registry.services.conftest import audit_rows


def test_officer_registers_a_household_in_a_grid_of_their_community(officer, tree):
    household = services.create_household(
        officer, tree["grid2"].id, " 新华路8号 ", "3", "2", "401", 39.77, 98.29
    )

    assert household.grid_id == tree["grid2"].id
    assert household.full_address == "新华路8号 3-2-401"
    assert household.care_level is None
    [event] = audit_rows("household")
    assert (event.action, event.entity_id) == ("create", household.id)
    assert "address" in event.field_names
    assert "新华路" not in event.fields


def test_a_grid_outside_the_officers_areas_is_refused(officer, tree):
    with pytest.raises(RegistryError) as raised:
        services.create_household(officer, tree["grid3"].id, "五一路1号")

    assert raised.value.field == "grid_id"
    assert db.session.scalar(select(func.count(Household.id))) == 0


def test_a_household_cannot_hang_off_a_community_instead_of_a_grid(officer, tree):
    with pytest.raises(RegistryError) as raised:
        services.create_household(officer, tree["community1"].id, "新华路1号")

    assert raised.value.field == "grid_id"


def test_a_worker_cannot_register_households(worker, tree):
    with pytest.raises(RegistryPermissionError):
        services.create_household(worker, tree["grid1"].id, "新华路1号")


def test_half_a_coordinate_pair_is_refused(officer, tree):
    with pytest.raises(RegistryError) as raised:
        services.create_household(officer, tree["grid1"].id, "新华路1号", lat=39.7)

    assert raised.value.field == "lon"


def test_updating_a_household_audits_only_the_changed_field_names(officer, household, tree):
    services.update_household(
        officer, household, grid_id=tree["grid2"].id, address=household.address, room="101"
    )

    assert household.grid_id == tree["grid2"].id
    [event] = audit_rows("household")
    assert event.field_names == ["grid_id", "room"]


def test_a_household_with_residents_cannot_be_closed(officer, household, make):
    make.resident(household)

    with pytest.raises(RegistryError):
        services.deactivate_household(officer, loaded(household, "residents"))

    assert household.active


def test_a_household_is_closed_once_everyone_moved_out_and_can_be_reopened(
    officer, household, make
):
    resident = make.resident(household)
    services.move_out(officer, resident, today())

    services.deactivate_household(officer, household)
    assert not household.active

    services.reactivate_household(officer, household)
    assert household.active
