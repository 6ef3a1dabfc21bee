"""The household flags: one definition for the registry's list, campaigns and reports."""

from datetime import date

import pytest
from sqlalchemy import select

from gridcare.extensions import db
from gridcare.registry.flags import FLAGS, household_has
from gridcare.registry.models import Household, ResidentStatus


def households_with(flag: str) -> set[int]:
    return set(db.session.scalars(select(Household.id).where(household_has(flag))))


def test_a_household_has_a_flag_when_an_active_resident_has_it(make):
    tree = make.tree()
    alone = make.household(tree["grid1"])
    make.resident(alone, birth_date=date(1940, 1, 1), lives_alone=True)
    nest = make.household(tree["grid1"])
    make.resident(nest, birth_date=date(1950, 1, 1), empty_nest=True)
    disabled = make.household(tree["grid1"])
    make.resident(disabled, disability_category=3, disability_grade=2)
    former = make.household(tree["grid1"])
    make.resident(former, lives_alone=True, status=ResidentStatus.moved_out)

    assert FLAGS == ("lives_alone", "empty_nest", "disabled")
    assert households_with("lives_alone") == {alone.id}
    assert households_with("empty_nest") == {nest.id}
    assert households_with("disabled") == {disabled.id}


def test_an_unknown_flag_is_a_programming_error(app):
    with pytest.raises(ValueError, match="unknown flag"):
        household_has("wealthy")
