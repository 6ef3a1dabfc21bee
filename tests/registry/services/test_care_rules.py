"""Care-level rules an admin edits: checked field by field, previewed, saved as versions."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.registry import services
from gridcare.registry.care_levels import DEFAULT_RULES, Cadence, care_rules
from gridcare.registry.models import CareRuleSet, Household
from gridcare.registry.services.care_rules import cadence_field

TODAY = date(2026, 11, 23)


@pytest.fixture
def admin(make):
    return actor_for(make.user("admin"), "10.0.0.9")


def with_cadence(rules, level, kind, interval, window):
    cadences = {lv: dict(kinds) for lv, kinds in rules.cadences.items()}
    cadences[level][kind] = Cadence(interval, window)
    return replace(rules, cadences=cadences)


def test_the_migration_seeds_designs_defaults_in_force_for_any_past_day():
    rules = care_rules(date(2001, 1, 1))
    assert rules.version is not None
    assert rules.same_rules_as(DEFAULT_RULES)
    assert rules.cadence(1, "home_visit") == Cadence(7, 3)
    assert rules.cadence(3, "safety_check") == Cadence(180, 30)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda r: with_cadence(r, 1, "home_visit", 5, 5), "level1_home_visit_window", "shorter"),
        (
            lambda r: with_cadence(r, 2, "safety_check", 10, 12),
            "level2_safety_check_window",
            "shorter",
        ),
        (
            lambda r: with_cadence(r, 3, "home_visit", None, 3),
            "level3_home_visit_interval",
            "needs a rule",
        ),
        (
            lambda r: with_cadence(r, 2, "home_visit", 30, None),
            "level2_home_visit_window",
            "needs a rule",
        ),
        (
            lambda r: with_cadence(r, 1, "home_visit", 400, 3),
            "level1_home_visit_interval",
            "1 to 366",
        ),
        (
            lambda r: replace(r, cadences={1: r.cadences[1], 2: r.cadences[2]}),
            "level3_home_visit_interval",
            "needs a rule",
        ),
        (lambda r: replace(r, elderly_age=30), "elderly_age", "40 to 120"),
        (lambda r: replace(r, very_old_age=55), "very_old_age", "at least the elderly age"),
        (lambda r: replace(r, severe_grades=(5,)), "severe_grades", "1 to 4"),
    ],
)
def test_bad_rules_are_refused_next_to_their_field_and_nothing_is_saved(
    admin, change, field, message
):
    before = db.session.scalar(select(func.count(CareRuleSet.id)))
    with pytest.raises(services.RegistryError) as refused:
        services.save_care_rules(admin, change(DEFAULT_RULES), TODAY, TODAY)
    assert refused.value.field == field
    assert message in str(refused.value.message)
    assert db.session.scalar(select(func.count(CareRuleSet.id))) == before


def test_a_version_cannot_be_dated_in_the_past(admin):
    rules = with_cadence(DEFAULT_RULES, 1, "home_visit", 5, 2)
    with pytest.raises(services.RegistryError) as refused:
        services.save_care_rules(admin, rules, TODAY - timedelta(days=1), TODAY)
    assert refused.value.field == "effective_from"


def test_only_an_admin_saves_rules(make, tree):
    officer = actor_for(make.user("officer", areas=[tree["community1"]]))
    with pytest.raises(services.RegistryPermissionError):
        services.save_care_rules(officer, DEFAULT_RULES, TODAY, TODAY)


def test_the_cadence_fields_are_named_as_the_form_names_them():
    assert cadence_field(2, "safety_check", "window") == "level2_safety_check_window"


def test_preview_counts_the_households_that_would_change_level(make, tree):
    seventy_five = make.household(tree["grid1"])
    make.resident(seventy_five, birth_date=date(1951, 6, 1), lives_alone=True)  # level 2
    sixty_two = make.household(tree["grid1"])
    make.resident(sixty_two, birth_date=date(1964, 6, 1))  # level 3
    rules = replace(DEFAULT_RULES, very_old_age=75, elderly_age=65)
    changes = services.preview_care_rules(rules, TODAY)
    assert changes.households == 2
    assert sorted(changes.moves, key=str) == sorted([(2, 1, 1), (3, None, 1)], key=str)
    # A preview changes nothing.
    db.session.expire_all()
    assert db.session.get(Household, seventy_five.id).care_level == 2


def test_saving_rules_in_force_today_re_derives_levels_once(admin, make, tree, test_day):
    home = make.household(tree["grid1"])
    make.resident(home, birth_date=date(1951, 6, 1), lives_alone=True)
    rules = replace(DEFAULT_RULES, very_old_age=75)
    saved = services.save_care_rules(admin, rules, test_day, test_day)
    assert saved.levels_changed == 1
    db.session.expire_all()
    assert db.session.get(Household, home.id).care_level == 1
    assert care_rules(test_day).version == saved.rule_set.id
    # The same rules again: nothing new saved, nothing changed.
    again = services.save_care_rules(admin, rules, test_day, test_day)
    assert again.rule_set is None and again.levels_changed == 0


def test_a_later_version_waits_for_its_date(admin, make, tree, test_day):
    home = make.household(tree["grid1"])
    make.resident(home, birth_date=date(1951, 6, 1), lives_alone=True)
    start = test_day + timedelta(days=10)
    saved = services.save_care_rules(
        admin, replace(DEFAULT_RULES, very_old_age=75), start, test_day
    )
    assert saved.levels_changed == 0
    assert care_rules(test_day).very_old_age == 80
    assert care_rules(start).very_old_age == 75
    assert services.refresh_care_levels(start) == 1  # the nightly job of that day


def test_versions_are_listed_newest_date_first(admin, test_day):
    services.save_care_rules(
        admin, replace(DEFAULT_RULES, elderly_age=62), test_day + timedelta(days=5), test_day
    )
    versions = services.rule_versions()
    assert versions[0].elderly_age == 62
    assert [lv.level for lv in versions[0].levels] == [1, 2, 3]
    assert versions[-1].effective_from == date(2000, 1, 1)
