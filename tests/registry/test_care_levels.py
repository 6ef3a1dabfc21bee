"""Each row of the care-level table in DESIGN.md, on fixed dates."""

from dataclasses import replace
from datetime import date

import pytest

from gridcare.registry.care_levels import (
    DEFAULT_RULES,
    derived_care_level,
    household_care_level,
    resident_care_level,
)
from gridcare.registry.models import Gender, Resident, ResidentStatus

ON = date(2026, 11, 15)


def person(age: int, **fields) -> Resident:
    return Resident(
        name="张秀英",
        gender=Gender.female,
        birth_date=date(ON.year - age, 1, 1),
        status=fields.pop("status", ResidentStatus.active),
        lives_alone=fields.pop("lives_alone", False),
        empty_nest=fields.pop("empty_nest", False),
        **fields,
    )


ALONE = {"lives_alone": True}
NEST = {"empty_nest": True}


def disabled(category: int, grade: int, **fields) -> dict:
    return {"disability_category": category, "disability_grade": grade, **fields}


@pytest.mark.parametrize(
    ("age", "fields", "level"),
    [
        # Level 1: aged 80+ living alone; living alone with disability grade 1–2.
        pytest.param(80, ALONE, 1, id="80-alone"),
        pytest.param(92, ALONE, 1, id="92-alone"),
        pytest.param(45, disabled(1, 1, **ALONE), 1, id="45-alone-grade1"),
        pytest.param(70, disabled(4, 2, **ALONE), 1, id="70-alone-grade2"),
        # Level 2: other living-alone or empty-nest residents aged 60+; any disabled resident.
        pytest.param(79, ALONE, 2, id="79-alone"),
        pytest.param(60, ALONE, 2, id="60-alone"),
        pytest.param(65, NEST, 2, id="65-empty-nest"),
        pytest.param(85, NEST, 2, id="85-empty-nest"),
        pytest.param(45, disabled(6, 3, **ALONE), 2, id="45-alone-grade3"),
        pytest.param(30, disabled(2, 1), 2, id="30-grade1-not-alone"),
        pytest.param(75, disabled(5, 4), 2, id="75-grade4"),
        # Level 3: other residents aged 60+.
        pytest.param(60, {}, 3, id="60"),
        pytest.param(88, {}, 3, id="88-with-family"),
        # Nobody else is a target.
        pytest.param(59, {}, None, id="59"),
        pytest.param(59, ALONE, None, id="59-alone"),
        pytest.param(50, NEST, None, id="50-empty-nest"),
    ],
)
def test_resident_level_follows_the_design_table(age, fields, level):
    assert resident_care_level(person(age, **fields), ON) == level


def test_residents_who_left_or_died_need_no_visits():
    assert resident_care_level(person(90, lives_alone=True, status="moved_out"), ON) is None
    assert resident_care_level(person(90, lives_alone=True, status="deceased"), ON) is None


def test_turning_80_while_living_alone_moves_up_to_level_1_on_the_birthday():
    resident = Resident(
        gender=Gender.male,
        birth_date=date(1946, 11, 15),
        lives_alone=True,
        empty_nest=False,
        status=ResidentStatus.active,
    )

    assert resident_care_level(resident, date(2026, 11, 14)) == 2
    assert resident_care_level(resident, date(2026, 11, 15)) == 1


def test_a_household_takes_the_most_intensive_level_of_its_residents():
    residents = [person(62), person(30, disability_category=4, disability_grade=3)]

    assert derived_care_level(residents, ON) == 2
    assert derived_care_level([person(20), person(30)], ON) is None


def test_an_officer_override_wins_while_someone_lives_there():
    assert household_care_level([person(40)], 1, ON) == 1
    assert household_care_level([person(85, lives_alone=True)], 3, ON) == 3


def test_an_override_lapses_when_nobody_lives_there_any_more():
    assert household_care_level([person(85, status="deceased")], 1, ON) is None


def test_without_override_the_household_level_is_derived():
    assert household_care_level([person(81, lives_alone=True)], None, ON) == 1


def test_the_evaluation_follows_the_rules_it_is_given():
    strict = replace(
        DEFAULT_RULES, elderly_age=65, very_old_age=85, severe_grades=(1,), empty_nest_is_key=False
    )
    assert resident_care_level(person(82, **ALONE), ON, strict) == 2
    assert resident_care_level(person(70, **disabled(4, 2, **ALONE)), ON, strict) == 2
    assert resident_care_level(person(70, **disabled(4, 1, **ALONE)), ON, strict) == 1
    assert resident_care_level(person(70, **NEST), ON, strict) == 3
    assert resident_care_level(person(62), ON, strict) is None
    assert resident_care_level(person(62), ON, DEFAULT_RULES) == 3
