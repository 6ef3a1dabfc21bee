"""The visits domain's wiring: create_app connects it to the registry's signal, visibly."""

from datetime import date

import pytest
from blinker import ANY

from gridcare import create_app, visits
from gridcare.accounts.services import actor_for
from gridcare.config import TestConfig
from gridcare.registry.services import households_changed, set_care_level_override
from gridcare.visits.services import follow_households
from tests.visits.conftest import open_tasks

pytestmark = pytest.mark.usefixtures("test_day")


def connected_receivers() -> list:
    return [r for r in households_changed.receivers_for(ANY) if r is follow_households]


def test_a_household_change_plans_visits_only_through_the_receiver_init_app_connects(app, make):
    tree = make.tree()
    officer = actor_for(make.user("officer", areas=[tree["community1"]]))
    unheard = make.household(tree["grid1"])
    heard = make.household(tree["grid1"])
    for household in (unheard, heard):
        make.resident(household, birth_date=date(1955, 1, 1))  # level 3, nothing planned yet

    households_changed.disconnect(follow_households)
    try:
        set_care_level_override(officer, unheard, 1, "独居，近期摔倒过")
        assert open_tasks(unheard) == []  # nobody listening: nothing planned
    finally:
        visits.init_app(app)  # what create_app does

    set_care_level_override(officer, heard, 1, "独居，近期摔倒过")
    assert {task.kind for task in open_tasks(heard)} == {"home_visit", "safety_check"}


def test_the_receiver_is_connected_once_however_many_apps_are_created(tmp_path):
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'gridcare.db'}",
        "SECRET_KEY": "x",
        "GRIDCARE_DATA_KEY": TestConfig.GRIDCARE_DATA_KEY,
        "GRIDCARE_INSTANCE_PATH": str(tmp_path),
    }
    create_app(config)
    create_app(config)
    assert len(connected_receivers()) == 1


def test_importing_the_services_does_not_connect_the_receiver():
    households_changed.disconnect(follow_households)
    try:
        import gridcare.visits.services  # noqa: F401  (already imported: no side effect)

        assert connected_receivers() == []
    finally:
        households_changed.connect(follow_households)
