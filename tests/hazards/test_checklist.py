"""The safety-check template an admin edits: what the next check asks, and in what order."""

import pytest

from gridcare.accounts.services import actor_for
from gridcare.hazards import checklist
from gridcare.visits import services


@pytest.fixture
def admin(make):
    return actor_for(make.user("admin"))


def codes() -> list[str]:
    return [item.code for item in services.checklist_items()]


def test_a_new_item_is_asked_last_in_the_next_check(admin):
    item = checklist.add_checklist_item(
        admin,
        code="cooker_hood",
        label_zh="油烟机清洁",
        label_en="Cooker hood",
        hazard_category="fire",
    )
    assert codes()[-1] == "cooker_hood"
    assert item.label("zh_CN") == "油烟机清洁"


def test_a_retired_item_is_asked_no_more_and_comes_back_last(admin):
    first = services.checklist_items()[0]
    checklist.update_checklist_item(
        admin,
        first,
        label_zh=first.label_zh,
        label_en=first.label_en,
        hazard_category=first.hazard_category,
        active=False,
    )
    assert first.code not in codes()
    assert first.code in services.checklist_by_code()
    checklist.update_checklist_item(
        admin,
        first,
        label_zh=first.label_zh,
        label_en=first.label_en,
        hazard_category=first.hazard_category,
        active=True,
    )
    assert codes()[-1] == first.code


def test_items_move_one_place_at_a_time_and_stop_at_the_ends(admin):
    before = codes()
    second = services.checklist_items()[1]
    assert checklist.move_checklist_item(admin, second, -1)
    assert codes()[:2] == [before[1], before[0]]
    assert not checklist.move_checklist_item(admin, second, -1)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "X"}, "code"),
        ({"code": "gas_hose"}, "code"),
        ({"label_zh": " "}, "label_zh"),
        ({"label_en": ""}, "label_en"),
        ({"hazard_category": "volcano"}, "hazard_category"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(admin, fields, field):
    values = {"code": "new_item", "label_zh": "甲", "label_en": "A", "hazard_category": "gas"}
    with pytest.raises(checklist.ChecklistError) as refused:
        checklist.add_checklist_item(admin, **{**values, **fields})
    assert refused.value.field == field
    assert "new_item" not in codes()


def test_only_an_admin_changes_the_checklist(make):
    officer = actor_for(make.user("officer"))
    with pytest.raises(checklist.ChecklistError):
        checklist.add_checklist_item(
            officer, code="new_item", label_zh="甲", label_en="A", hazard_category="gas"
        )
