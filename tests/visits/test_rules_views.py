"""The admin pages (care-level rules, checklist), life events, campaign rounds and video
calls, through the test client: bad input gets a message next to its field, never a 500."""

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gridcare.accounts.models import Notification
from gridcare.accounts.services import actor_for
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.registry.care_levels import care_rules, forget_care_rules
from gridcare.registry.models import CareRuleSet, Household
from gridcare.registry.services.lookups import HOUSEHOLD_WITH_RESIDENTS
from gridcare.visits import services
from gridcare.visits.models import (
    ChecklistItem,
    LifeEvent,
    Outcome,
    Visit,
    VisitKind,
    VisitMethod,
)
from tests.conftest import PASSWORD, new_client

EN = {"Accept-Language": "en"}


@pytest.fixture
def city(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    officer = make.user("officer", areas=[tree["community1"]])
    admin = make.user("admin")
    home = make.household(tree["grid1"], address="新华路1号")
    resident = make.resident(home, name="王桂兰", birth_date=date(1938, 3, 1), lives_alone=True)
    services.generate_visits(today())
    return {"worker": worker, "officer": officer, "admin": admin, "home": home, "who": resident}


def rules_form(**changes) -> dict:
    rules = care_rules(today())
    form = {
        "effective_from": today().isoformat(),
        "elderly_age": rules.elderly_age,
        "very_old_age": rules.very_old_age,
        "severe_grades": list(rules.severe_grades),
        "empty_nest_is_key": "y",
    }
    for level, kinds in rules.cadences.items():
        for kind, cadence in kinds.items():
            form[f"level{level}_{kind}_interval"] = cadence.interval_days
            form[f"level{level}_{kind}_window"] = cadence.window_days
    form.update(changes)
    return form


def test_the_rules_page_previews_then_saves(client, login, city):
    login(city["admin"])
    page = client.get("/registry/rules", headers=EN)
    assert page.status_code == 200 and 'value="7"' in page.text
    preview = client.post(
        "/registry/rules", data=rules_form(very_old_age=75, action="preview"), headers=EN
    )
    assert "households would change level" in preview.text or "household would" in preview.text
    assert db.session.scalar(select(func.count(CareRuleSet.id))) == 1
    # Saving values other than those previewed shows their preview first.
    unseen = client.post(
        "/registry/rules",
        data=rules_form(level1_home_visit_interval=5, action="save", previewed=""),
        headers=EN,
    )
    assert "The values changed since the preview" in unseen.text
    assert db.session.scalar(select(func.count(CareRuleSet.id))) == 1
    digest = re.search(r'name="previewed"[^>]*value="([0-9a-f]+)"', unseen.text)
    digest = digest or re.search(r'value="([0-9a-f]{64})"', unseen.text)
    saved = client.post(
        "/registry/rules",
        data=rules_form(level1_home_visit_interval=5, action="save", previewed=digest.group(1)),
        headers=EN,
        follow_redirects=True,
    )
    assert "saved and in force" in saved.text
    forget_care_rules()  # the test's own session read the rules before the request saved
    assert care_rules(today()).cadence(1, "home_visit").interval_days == 5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level1_home_visit_window": 9}, "shorter than the interval"),
        ({"level2_safety_check_interval": ""}, "Every level needs a rule"),
        ({"level3_home_visit_interval": "abc"}, ""),
        ({"effective_from": (date(2000, 1, 2)).isoformat()}, "today or later"),
        ({"elderly_age": 200}, ""),
    ],
)
def test_bad_rules_get_a_message_next_to_the_field(client, login, city, changes, message):
    login(city["admin"])
    response = client.post("/registry/rules", data=rules_form(action="save", **changes), headers=EN)
    assert response.status_code == 200
    assert 'class="error"' in response.text and message in response.text
    assert db.session.scalar(select(func.count(CareRuleSet.id))) == 1


def test_only_admins_open_the_rules_and_the_checklist(client, login, city):
    login(city["officer"])
    assert client.get("/registry/rules").status_code == 403
    assert client.get("/hazards/checklist/").status_code == 403


def test_an_admin_adds_an_item_the_next_check_asks_and_retires_one_past_checks_still_read(
    client, login, city
):
    login(city["admin"])
    added = client.post(
        "/hazards/checklist/",
        data={
            "code": "cooker_hood",
            "label_zh": "油烟机",
            "label_en": "Cooker hood",
            "hazard_category": "fire",
        },
        headers=EN,
        follow_redirects=True,
    )
    assert "Cooker hood" in added.text
    assert "cooker_hood" in [i.code for i in services.checklist_items()]
    smoke = db.session.scalar(select(ChecklistItem).where(ChecklistItem.code == "smoke_alarm"))
    if smoke is None:
        smoke = services.checklist_items()[0]
    client.post(
        f"/hazards/checklist/{smoke.id}",
        data={
            "label_zh": smoke.label_zh,
            "label_en": smoke.label_en,
            "hazard_category": smoke.hazard_category,
        },  # active unticked: retired
        headers=EN,
    )
    assert smoke.code not in [i.code for i in services.checklist_items()]
    assert smoke.code in services.checklist_by_code()


def test_a_relabelled_item_reads_in_past_checks_as_it_was_asked(client, login, city):
    worker = actor_for(city["worker"])
    items = services.checklist_items()
    home = db.session.scalar(
        select(Household).where(Household.id == city["home"].id).options(*HOUSEHOLD_WITH_RESIDENTS)
    )
    check = services.log_visit(
        worker,
        home,
        kind=VisitKind.safety_check,
        client_uuid=str(uuid.uuid4()),
        outcome=Outcome.well,
        checklist={item.code: "pass" for item in items[1:]} | {items[0].code: "fail"},
    )
    first, old_label = items[0], items[0].label_en
    login(city["admin"])
    client.post(
        f"/hazards/checklist/{first.id}",
        data={
            "label_zh": "新名称",
            "label_en": "New wording",
            "active": "y",
            "hazard_category": first.hazard_category,
        },
        headers=EN,
    )
    client.get("/logout")
    login(city["worker"])
    page = client.get(f"/visits/household/{city['home'].id}", headers=EN).text
    assert old_label in page and "New wording" not in page
    assert check.failed_items == [first.code]
    db.session.expire_all()
    assert services.checklist_by_code()[first.code].label("en") == "New wording"


def test_a_checklist_item_with_bad_values_is_refused_next_to_the_field(client, login, city):
    login(city["admin"])
    before = db.session.scalar(select(func.count(ChecklistItem.id)))
    for data, message in (
        ({"code": "Bad Code", "label_zh": "甲", "label_en": "A"}, "small letters"),
        ({"code": "gas_hose", "label_zh": "甲", "label_en": "A"}, ""),
        ({"code": "new_one", "label_zh": "", "label_en": "A"}, "Chinese label"),
    ):
        response = client.post(
            "/hazards/checklist/", data={**data, "hazard_category": "gas"}, headers=EN
        )
        assert response.status_code == 200 and 'class="error"' in response.text
        assert message in response.text
    assert db.session.scalar(select(func.count(ChecklistItem.id))) == before


def test_a_worker_records_hospitalised_and_the_urgent_visit_tops_the_list(client, login, city):
    login(city["worker"])
    form = client.get(f"/visits/household/{city['home'].id}/event", headers=EN)
    token = re.search(r'name="client_uuid"[^>]*value="([^"]+)"', form.text)
    token = token.group(1) if token else str(uuid.uuid4())
    response = client.post(
        f"/visits/household/{city['home'].id}/event",
        data={
            "client_uuid": token,
            "resident_id": city["who"].id,
            "kind": "hospitalised",
            "occurred_on": today().isoformat(),
        },
        headers=EN,
        follow_redirects=True,
    )
    assert "urgent visit is due within 24 hours" in response.text
    assert "Taken into hospital" in response.text  # in the household's history
    listing = client.get("/visits/today", headers=EN)
    first = listing.text.index('class="task')
    assert "Urgent" in listing.text[first : first + 800]


def test_a_life_event_with_bad_input_gets_a_message_and_records_nothing(client, login, city):
    login(city["worker"])
    url = f"/visits/household/{city['home'].id}/event"
    for data in (
        {"resident_id": "", "kind": "fell", "occurred_on": today().isoformat()},
        {"resident_id": city["who"].id, "kind": "nonsense", "occurred_on": today().isoformat()},
        {
            "resident_id": city["who"].id,
            "kind": "fell",
            "occurred_on": (today() + timedelta(days=2)).isoformat(),
        },
        {"resident_id": "999999", "kind": "fell", "occurred_on": today().isoformat()},
    ):
        response = client.post(url, data={"client_uuid": str(uuid.uuid4()), **data}, headers=EN)
        assert response.status_code == 200 and 'class="error"' in response.text
    assert db.session.scalar(select(func.count(LifeEvent.id))) == 0


def test_an_officer_starts_a_round_in_two_taps_and_the_worker_is_told(app, client, login, city):
    login(city["officer"])
    listing = client.get("/visits/campaigns", headers=EN)
    assert "Heat wave visits" in listing.text
    form = client.get("/visits/campaigns/new?template=heat_wave", headers=EN)
    assert 'value="Heat wave visits"' in form.text
    fields = {
        name: value
        for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form.text)
        if name in ("csrf_token", "client_uuid", "name")
    }
    area = re.search(r'<option[^>]*value="(\d+)"', form.text).group(1)
    started = client.post(
        "/visits/campaigns/new",
        data={
            **fields,
            "kind": "home_visit",
            "area_id": area,
            "care_levels": ["1", "2"],
            "due_date": (today() + timedelta(days=2)).isoformat(),
        },
        headers=EN,
        follow_redirects=True,
    )
    assert "Campaign Heat wave visits started" in started.text
    (note,) = db.session.scalars(
        select(Notification).where(Notification.user_id == city["worker"].id)
    )
    assert note.kind == "campaign_tasks"
    worker = new_client(app)
    worker.post("/login", data={"username": city["worker"].username, "password": PASSWORD})
    assert "Heat wave visits gives you 1 tasks" in worker.get("/notifications", headers=EN).text


def test_a_video_call_is_logged_and_shown_in_the_history(client, login, city):
    login(city["worker"])
    url = f"/visits/household/{city['home'].id}/log?kind=home_visit"
    response = client.post(
        url,
        data={
            "client_uuid": str(uuid.uuid4()),
            "kind": "home_visit",
            "outcome": "well",
            "method": "video",
        },
        headers=EN,
        follow_redirects=True,
    )
    assert "Video call to" in response.text and "By video call" in response.text
    visit = db.session.scalar(select(Visit).where(Visit.method == VisitMethod.video))
    assert visit is not None and visit.extra
