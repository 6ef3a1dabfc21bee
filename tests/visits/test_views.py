"""The worker's day and the officers' pages, through the test client."""

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gridcare.clock import today
from gridcare.extensions import db
from gridcare.visits import services
from gridcare.visits.models import Campaign, LocationVerdict, Visit, VisitKind, VisitStatus

EN = {"Accept-Language": "en"}


@pytest.fixture
def city(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]], full_name="李网格")
    other_worker = make.user("grid_worker", areas=[tree["grid3"]])
    officer = make.user("officer", areas=[tree["community1"]])
    mine = make.household(tree["grid1"], address="新华路1号", lat=39.7700, lon=98.2900)
    make.resident(mine, name="王桂兰", birth_date=date(1938, 3, 1), lives_alone=True)
    theirs = make.household(tree["grid3"], address="五一路9号")
    make.resident(theirs, name="赵大爷", birth_date=date(1941, 3, 1), lives_alone=True)
    services.generate_visits(today())
    for visit in db.session.scalars(select(Visit)):
        visit.due_date = visit.window_end = today()  # everything due today, for the list
        visit.window_end = today() + timedelta(days=3)
    db.session.commit()
    return {
        "tree": tree,
        "worker": worker,
        "other": other_worker,
        "officer": officer,
        "mine": mine,
        "theirs": theirs,
    }


def planned_home_visit(household):
    return db.session.scalar(
        select(Visit).where(
            Visit.household_id == household.id,
            Visit.kind == VisitKind.home_visit,
            Visit.status == VisitStatus.planned,
        )
    )


def test_worker_lands_on_todays_list_with_address_residents_and_task(city, client, login):
    login(city["worker"])
    page = client.get("/", follow_redirects=True, headers=EN)
    html = page.get_data(as_text=True)
    assert page.request.path == "/visits/today"
    assert "新华路1号" in html
    assert "王桂兰" in html
    assert "Home visit" in html and "Safety check" in html
    assert "五一路9号" not in html  # another grid's household


def test_the_list_words_follow_each_readers_language(city, client, login):
    # The list translates its repeated words once per page: never once for every reader.
    login(city["worker"])
    english = client.get("/visits/today", headers=EN).get_data(as_text=True)
    chinese = client.get("/visits/today", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert '<span class="badge flag">alone</span>' in english and "All well ✓" in english
    assert '<span class="badge flag">独居</span>' in chinese and "All well ✓" not in chinese
    assert "Home visit" in english and "Home visit" not in chinese
    home = f"/visits/household/{city['mine'].id}"
    assert '<span class="badge flag">alone</span>' in client.get(home, headers=EN).get_data(
        as_text=True
    )
    assert '<span class="badge flag">独居</span>' in client.get(
        home, headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)


def test_overdue_tasks_come_first_with_days_overdue(city, client, login):
    task = planned_home_visit(city["mine"])
    task.due_date = today() - timedelta(days=3)
    db.session.commit()
    login(city["worker"])
    html = client.get("/visits/today", headers=EN).get_data(as_text=True)
    assert html.index("Overdue") < html.index("Due today")
    assert "3 days overdue" in html


def test_routine_visit_is_one_tap_from_the_list_and_a_resend_stores_nothing_new(
    city, client, login
):
    login(city["worker"])
    html = client.get("/visits/today", headers=EN).get_data(as_text=True)
    task = planned_home_visit(city["mine"])
    # The list's "All well" button is a form: one tap posts exactly what the page rendered
    # (position.js fills in the position when the phone shares it).
    action, body = re.search(
        r'<form method="post" action="(/visits/household/\d+/quick)"(.*?)</form>', html, re.S
    ).groups()
    data = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        assert name not in data, f"{name} rendered twice"
        data[name] = value.group(1) if value else ""
    data |= {"lat": "39.7701", "lon": "98.2901", "accuracy": "12"}
    first = client.post(action, data=data, headers=EN)
    again = client.post(action, data=data, headers=EN)  # the phone resends
    assert first.status_code == again.status_code == 302
    db.session.expire_all()
    done = db.session.scalars(select(Visit).where(Visit.status == VisitStatus.done)).all()
    assert [v.id for v in done] == [task.id]
    assert done[0].location_verdict == LocationVerdict.near
    assert done[0].completed_by_id == city["worker"].id
    after = client.get("/visits/today", headers=EN).get_data(as_text=True)
    assert f'name="visit_id" type="hidden" value="{task.id}"' not in after


def test_walking_order_from_the_phones_position(city, client, login, make):
    far = make.household(city["tree"]["grid1"], address="新华路99号", lat=39.7800, lon=98.2900)
    make.resident(far, birth_date=date(1939, 1, 1), lives_alone=True)
    near = make.household(city["tree"]["grid1"], address="新华路50号", lat=39.7752, lon=98.2900)
    make.resident(near, birth_date=date(1939, 1, 1), lives_alone=True)
    services.generate_visits(today())
    for visit in db.session.scalars(select(Visit).where(Visit.status == VisitStatus.planned)):
        visit.due_date = today()
        visit.window_end = today() + timedelta(days=3)
    db.session.commit()
    login(city["worker"])
    html = client.get("/visits/today?lat=39.7810&lon=98.2900", headers=EN).get_data(as_text=True)
    assert "In walking order" in html
    assert html.index("新华路99号") < html.index("新华路50号") < html.index("新华路1号")
    by_address = client.get("/visits/today", headers=EN).get_data(as_text=True)
    assert by_address.index("新华路1号") < by_address.index("新华路50号")


def test_visit_for_a_household_outside_scope_is_404(city, client, login):
    login(city["worker"])
    theirs = city["theirs"]
    assert client.get(f"/visits/household/{theirs.id}").status_code == 404
    assert client.get(f"/visits/household/{theirs.id}/log").status_code == 404
    response = client.post(
        f"/visits/household/{theirs.id}/log",
        data={
            "client_uuid": str(uuid.uuid4()),
            "kind": "home_visit",
            "outcome": "well",
            "method": "in_person",
        },
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).where(Visit.status == VisitStatus.done)) == 0


def test_safety_check_form_keeps_failed_items(city, client, login):
    login(city["worker"])
    household = city["mine"]
    page = client.get(f"/visits/household/{household.id}/log?kind=safety_check", headers=EN)
    assert "Gas hose sound" in page.get_data(as_text=True)
    data = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "safety_check",
        "outcome": "concerns",
        "method": "in_person",
        "notes": "燃气软管老化",
    }
    for item in services.checklist_items():
        data[f"check_{item.code}"] = "pass"
    data["check_gas_hose"] = "fail"
    response = client.post(f"/visits/household/{household.id}/log", data=data, headers=EN)
    assert response.status_code == 302
    check = db.session.scalar(select(Visit).where(Visit.status == VisitStatus.done))
    assert check.kind == VisitKind.safety_check
    assert check.failed_items == ["gas_hose"]
    history = client.get(f"/visits/household/{household.id}", headers=EN).get_data(as_text=True)
    assert "1 item failed" in history


def test_incomplete_checklist_is_refused_with_a_message(city, client, login):
    login(city["worker"])
    household = city["mine"]
    data = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "safety_check",
        "outcome": "well",
        "method": "in_person",
        "check_gas_hose": "pass",
    }
    response = client.post(f"/visits/household/{household.id}/log", data=data, headers=EN)
    assert response.status_code == 200
    assert "Every checklist item needs an answer." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(Visit.status == VisitStatus.done)) == 0


def test_future_completion_time_is_refused_next_to_the_field(city, client, login):
    login(city["worker"])
    household = city["mine"]
    tomorrow = (today() + timedelta(days=2)).strftime("%Y-%m-%dT10:00")
    data = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "home_visit",
        "outcome": "well",
        "method": "in_person",
        "completed_at": tomorrow,
    }
    response = client.post(f"/visits/household/{household.id}/log", data=data, headers=EN)
    assert response.status_code == 200
    assert "cannot be logged in the future" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(Visit.status == VisitStatus.done)) == 0


def test_a_visit_against_a_task_that_closed_meanwhile_is_kept_with_a_message(city, client, login):
    task = planned_home_visit(city["mine"])
    task_id = task.id
    services.close_missed(task.window_end + timedelta(days=1))
    login(city["worker"])
    data = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "home_visit",
        "outcome": "concerns",
        "method": "in_person",
        "notes": "老人说胸口疼，已联系家属",
        "visit_id": str(task_id),
    }
    response = client.post(
        f"/visits/household/{city['mine'].id}/log", data=data, headers=EN, follow_redirects=True
    )
    assert "already closed; the visit is kept" in response.get_data(as_text=True)
    kept = db.session.scalar(select(Visit).where(Visit.status == VisitStatus.done))
    assert kept.notes == "老人说胸口疼，已联系家属"
    assert db.session.get(Visit, task_id).status == VisitStatus.missed


def test_officer_campaign_creates_one_task_per_matching_household_once(city, client, login):
    for task in db.session.scalars(select(Visit).where(Visit.kind == VisitKind.safety_check)):
        task.status = VisitStatus.done  # the schedule's check was just done
    db.session.commit()
    login(city["officer"])
    community = city["tree"]["community1"]
    due = (today() + timedelta(days=20)).isoformat()
    data = {
        "name": "冬季燃气安全检查",
        "kind": "safety_check",
        "area_id": str(community.id),
        "care_levels": ["1"],
        "due_date": due,
    }
    response = client.post("/visits/campaigns/new", data=data, headers=EN)
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    tasks = db.session.scalars(select(Visit).where(Visit.campaign_id == campaign.id)).all()
    assert [t.household_id for t in tasks] == [city["mine"].id]
    assert tasks[0].worker_id == city["worker"].id
    client.post(f"/visits/campaigns/{campaign.id}/refresh", headers=EN)
    again = db.session.scalar(select(func.count()).where(Visit.campaign_id == campaign.id))
    assert again == 1
    listing = client.get("/visits/campaigns", headers=EN).get_data(as_text=True)
    assert "冬季燃气安全检查" in listing and "0 / 1" in listing


def test_officer_cannot_start_a_campaign_outside_their_areas(city, client, login):
    login(city["officer"])
    outside = city["tree"]["community2"]
    data = {
        "name": "x",
        "kind": "safety_check",
        "area_id": str(outside.id),
        "due_date": (today() + timedelta(days=5)).isoformat(),
    }
    response = client.post("/visits/campaigns/new", data=data, headers=EN)
    assert response.status_code == 200  # not a choice: refused by the form
    assert db.session.scalar(select(func.count(Campaign.id))) == 0


def test_officer_assigns_one_off_checks_and_sees_workload(city, client, login):
    for task in db.session.scalars(select(Visit).where(Visit.kind == VisitKind.safety_check)):
        task.status = VisitStatus.done  # the schedule's check was just done
    db.session.commit()
    login(city["officer"])
    grid = city["tree"]["grid1"]
    due = (today() + timedelta(days=3)).isoformat()
    response = client.post(
        "/visits/assign",
        data={
            "grid": str(grid.id),
            "kind": "safety_check",
            "due_date": due,
            "worker_id": "0",
            "expected": "1",
        },
        headers=EN,
    )
    assert response.status_code == 302
    one_off = db.session.scalar(
        select(Visit).where(Visit.schedule_id.is_(None), Visit.campaign_id.is_(None))
    )
    assert one_off.worker_id == city["worker"].id
    page = client.get("/visits/workload", headers=EN).get_data(as_text=True)
    assert "李网格" in page
    assert city["other"].username not in page  # another community's worker


def test_officer_reassigns_overdue_tasks(city, client, login, make):
    helper = make.user("grid_worker", areas=[city["tree"]["grid1"]], full_name="张帮手")
    task = planned_home_visit(city["mine"])
    task.due_date = today() - timedelta(days=2)
    db.session.commit()
    login(city["officer"])
    response = client.post(
        "/visits/reassign", data={"visit_ids": [str(task.id)], "worker_id": str(helper.id)}
    )
    assert response.status_code == 302
    db.session.refresh(task)
    assert task.worker_id == helper.id


def test_tasks_are_not_given_to_a_worker_who_cannot_open_the_home(city, client, login, make):
    elsewhere = make.user("grid_worker", areas=[city["tree"]["grid2"]])
    task = planned_home_visit(city["mine"])
    task.due_date = today() - timedelta(days=2)
    db.session.commit()
    login(city["officer"])
    client.post(
        "/visits/reassign", data={"visit_ids": [str(task.id)], "worker_id": str(elsewhere.id)}
    )
    db.session.refresh(task)
    assert task.worker_id == city["worker"].id


def test_workers_cannot_open_officer_pages(city, client, login):
    login(city["worker"])
    for path in ("/visits/workload", "/visits/assign", "/visits/campaigns"):
        assert client.get(path).status_code == 403


def test_walking_order_from_the_position_the_phone_shared_minutes_ago(city, client, login, make):
    far = make.household(city["tree"]["grid1"], address="新华路99号", lat=39.7800, lon=98.2900)
    make.resident(far, birth_date=date(1939, 1, 1), lives_alone=True)
    services.generate_visits(today())
    for visit in db.session.scalars(select(Visit).where(Visit.status == VisitStatus.planned)):
        visit.due_date = today()
    db.session.commit()
    login(city["worker"])
    # position.js keeps the last fix in this cookie: the list need not load twice.
    client.set_cookie("gridcare_here", "39.78100,98.29000", path="/visits/today")
    html = client.get("/visits/today", headers=EN).get_data(as_text=True)
    assert "In walking order" in html and "data-has-start" in html
    assert html.index("新华路99号") < html.index("新华路1号")
    client.set_cookie("gridcare_here", "not,a-place", path="/visits/today")
    assert "By address" in client.get("/visits/today", headers=EN).get_data(as_text=True)


def test_a_form_reused_for_another_household_is_refused_with_a_message(client, login, make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    first, second = make.household(tree["grid1"]), make.household(tree["grid1"])
    token = str(uuid.uuid4())
    login(worker)
    form = {"client_uuid": token, "kind": "home_visit", "outcome": "well", "method": "in_person"}
    client.post(f"/visits/household/{first.id}/log", data=form)

    response = client.post(
        f"/visits/household/{second.id}/log", data=form, headers={"Accept-Language": "en"}
    )

    assert response.status_code == 200
    assert "already used" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("outcome", "method", "said"),
    [
        ("not_home", "in_person", "Nobody was home at 新华路1号; the task stays open."),
        ("well", "phone", "Phone call to 新华路1号 logged; the task stays open for a visit."),
    ],
)
def test_not_home_and_phone_say_the_task_stays_open(city, client, login, outcome, method, said):
    task = planned_home_visit(city["mine"])
    login(city["worker"])
    data = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "home_visit",
        "outcome": outcome,
        "method": method,
        "visit_id": str(task.id),
    }
    response = client.post(
        f"/visits/household/{city['mine'].id}/log", data=data, headers=EN, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert said in html
    assert "already closed" not in html
    db.session.refresh(task)
    assert task.status == VisitStatus.planned


def test_a_safety_check_with_a_failed_item_is_saved_with_concerns(city, client, login):
    login(city["worker"])
    data = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "safety_check",
        "outcome": "well",
        "method": "in_person",
    }
    data.update({f"check_{item.code}": "pass" for item in services.checklist_items()})
    data["check_smoke_alarm"] = "fail"
    response = client.post(
        f"/visits/household/{city['mine'].id}/log", data=data, headers=EN, follow_redirects=True
    )
    check = db.session.scalar(select(Visit).where(Visit.status == VisitStatus.done))
    assert check.outcome == "concerns"
    assert "saved with concerns" in response.get_data(as_text=True)


def open_tasks(household, kind):
    return db.session.scalar(
        select(func.count()).where(
            Visit.household_id == household.id,
            Visit.kind == kind,
            Visit.status == VisitStatus.planned,
        )
    )


def test_a_one_off_check_is_not_added_where_one_is_already_open(city, client, login):
    login(city["officer"])
    assert open_tasks(city["mine"], VisitKind.safety_check) == 1  # the schedule's
    response = client.post(
        "/visits/assign",
        data={
            "grid": str(city["tree"]["grid1"].id),
            "kind": "safety_check",
            "due_date": (today() + timedelta(days=3)).isoformat(),
            "worker_id": "0",
            "expected": "0",
        },
        headers=EN,
        follow_redirects=True,
    )
    assert open_tasks(city["mine"], VisitKind.safety_check) == 1
    html = response.get_data(as_text=True)
    assert "0 tasks assigned" in html
    assert "1 household already had an open task of this kind" in html


def campaign_form(client, area, **fields):
    page = client.get("/visits/campaigns/new", headers=EN).get_data(as_text=True)
    token = re.search(r'name="client_uuid" type="hidden" value="([^"]+)"', page).group(1)
    return {
        "client_uuid": token,
        "name": "冬季燃气安全检查",
        "kind": "home_visit",
        "area_id": str(area.id),
        "due_date": (today() + timedelta(days=20)).isoformat(),
        **fields,
    }


def test_a_campaign_adds_no_second_task_and_takes_the_open_one_in_by_its_date(
    city, client, login, make
):
    fresh = make.household(city["tree"]["grid2"], address="新华路7号")
    make.resident(fresh, birth_date=date(1940, 1, 1), lives_alone=True)  # level 1, no tasks yet
    db.session.execute(Visit.__table__.delete().where(Visit.household_id == fresh.id))
    scheduled = planned_home_visit(city["mine"])
    scheduled.due_date, scheduled.window_end = (
        today() + timedelta(days=25),
        today() + timedelta(days=28),
    )
    db.session.commit()
    login(city["officer"])
    data = campaign_form(client, city["tree"]["community1"])
    response = client.post("/visits/campaigns/new", data=data, headers=EN, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "started: 1 tasks" in html
    assert "1 household already had an open task of this kind" in html
    assert "now counts for this campaign" in html
    assert open_tasks(city["mine"], VisitKind.home_visit) == 1
    assert open_tasks(fresh, VisitKind.home_visit) == 1
    db.session.refresh(scheduled)
    campaign = db.session.scalar(select(Campaign))
    assert scheduled.campaign_id == campaign.id
    assert scheduled.due_date == campaign.due_date  # brought forward to the campaign's date
    assert "0 / 2" in client.get("/visits/campaigns", headers=EN).get_data(as_text=True)


def test_a_campaign_form_sent_twice_starts_one_campaign(city, client, login):
    planned_home_visit(city["mine"]).status = VisitStatus.done
    db.session.commit()
    login(city["officer"])
    data = campaign_form(client, city["tree"]["community1"])
    client.post("/visits/campaigns/new", data=data, headers=EN)
    again = client.post("/visits/campaigns/new", data=data, headers=EN, follow_redirects=True)
    assert db.session.scalar(select(func.count(Campaign.id))) == 1
    assert open_tasks(city["mine"], VisitKind.home_visit) == 1
    assert "already started" in again.get_data(as_text=True)


def test_an_identical_campaign_is_refused_next_to_its_name(city, client, login):
    login(city["officer"])
    client.post("/visits/campaigns/new", data=campaign_form(client, city["tree"]["community1"]))
    data = campaign_form(client, city["tree"]["community1"])
    response = client.post("/visits/campaigns/new", data=data, headers=EN)
    assert response.status_code == 200
    assert "An identical campaign is already running" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Campaign.id))) == 1


def test_reassign_offers_only_workers_who_can_open_the_homes_and_preselects_none(
    city, client, login, make
):
    helper = make.user("grid_worker", areas=[city["tree"]["grid1"]], full_name="张帮手")
    make.user("grid_worker", areas=[city["tree"]["grid2"]], full_name="隔壁网格员")
    task = planned_home_visit(city["mine"])
    task.due_date = today() - timedelta(days=2)
    db.session.commit()
    login(city["officer"])
    html = client.get("/visits/workload", headers=EN).get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="worker_id".*?</select>', html, re.S).group(0)
    assert "张帮手" in select_html and "李网格" in select_html
    assert "隔壁网格员" not in select_html
    options = re.findall(r"<option([^>]*)>", select_html)
    assert 'value=""' in options[0]
    assert all('value=""' in attrs for attrs in options if "selected" in attrs)
    assert "required" in select_html
    response = client.post("/visits/reassign", data={"visit_ids": [str(task.id)]}, headers=EN)
    db.session.refresh(task)
    assert task.worker_id == city["worker"].id
    assert response.status_code == 302
    assert helper.id != task.worker_id


def test_one_off_checks_offer_only_workers_who_can_open_the_grids_homes(city, client, login, make):
    make.user("grid_worker", areas=[city["tree"]["grid2"]], full_name="隔壁网格员")
    login(city["officer"])
    html = client.get(f"/visits/assign?grid={city['tree']['grid1'].id}", headers=EN).get_data(
        as_text=True
    )
    select_html = re.search(r'<select[^>]*name="worker_id".*?</select>', html, re.S).group(0)
    assert "李网格" in select_html and "隔壁网格员" not in select_html


# Hostile input: a message or a 404, never a server error.


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808"])
def test_ids_no_record_can_have_are_refused_without_an_error(city, client, login, number):
    task = planned_home_visit(city["mine"])
    task.due_date = today() - timedelta(days=2)
    db.session.commit()
    login(city["officer"])
    assert client.get(f"/visits/household/{number}").status_code == 404
    assert client.get("/visits/workload", query_string={"worker": number}).status_code == 200
    assert client.get("/visits/assign", query_string={"grid": number}).status_code == 200
    response = client.post(
        "/visits/reassign",
        data={"visit_ids": [str(task.id), number], "worker_id": str(city["worker"].id)},
        headers=EN,
    )
    assert response.status_code == 302
    db.session.refresh(task)
    assert task.worker_id == city["worker"].id, "the real task is still reassigned"


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808"])
def test_a_visit_logged_for_a_task_no_record_can_have_is_no_error(city, client, login, number):
    login(city["worker"])
    mine = city["mine"]
    before = db.session.scalar(select(func.count(Visit.id)))
    quick = client.post(
        f"/visits/household/{mine.id}/quick",
        data={"client_uuid": str(uuid.uuid4()), "visit_id": number},
    )
    assert quick.status_code == 302
    assert db.session.scalar(select(func.count(Visit.id))) == before
    full = client.post(
        f"/visits/household/{mine.id}/log",
        data={
            "client_uuid": str(uuid.uuid4()),
            "visit_id": number,
            "kind": "home_visit",
            "outcome": "well",
            "method": "in_person",
        },
    )
    assert full.status_code == 302, "the visit is logged, as if no task had been named"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "0001-01-01T09:00", "1899-12-31T08:00"])
def test_a_visit_time_centuries_ago_is_refused_next_to_the_field(city, client, login, moment):
    login(city["worker"])
    before = db.session.scalar(select(func.count(Visit.id)))
    response = client.post(
        f"/visits/household/{city['mine'].id}/log",
        data={
            "client_uuid": str(uuid.uuid4()),
            "kind": "home_visit",
            "outcome": "well",
            "method": "in_person",
            "completed_at": moment,
        },
        headers=EN,
    )
    assert response.status_code == 200
    assert "Give a time after 1 January 2000." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Visit.id))) == before


# Officers' tasks: what the reviewer found.


@pytest.mark.parametrize(
    "sent",
    ["urn:uuid:12345678-1234-5678-1234-567812345678", "{12345678-1234-5678-1234-56781234567A}"],
)
def test_a_campaign_form_with_a_uuid_in_another_spelling_starts_once(city, client, login, sent):
    login(city["officer"])
    data = campaign_form(client, city["tree"]["community1"], client_uuid=sent)
    assert client.post("/visits/campaigns/new", data=data, headers=EN).status_code == 302
    data["client_uuid"] = str(uuid.UUID(sent))
    again = client.post("/visits/campaigns/new", data=data, headers=EN, follow_redirects=True)
    assert "already started" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Campaign.id))) == 1


def test_a_campaign_form_another_officer_sent_is_refused_next_to_the_name(
    city, client, login, make
):
    login(city["officer"])
    data = campaign_form(client, city["tree"]["community1"], name="独居老人走访")
    client.post("/visits/campaigns/new", data=data)
    client.post("/logout")
    login(make.user("officer", areas=[city["tree"]["community1"]]))
    response = client.post("/visits/campaigns/new", data={**data, "name": "另一个"}, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already used for another campaign" in html
    assert "独居老人走访" not in html and "already started" not in html
    assert db.session.scalar(select(func.count(Campaign.id))) == 1


def test_a_one_off_check_brings_the_far_routine_task_forward_for_the_named_worker(
    city, client, login, make
):
    helper = make.user("grid_worker", areas=[city["tree"]["grid1"]], full_name="张帮手")
    routine = db.session.scalar(
        select(Visit).where(
            Visit.household_id == city["mine"].id, Visit.kind == VisitKind.safety_check
        )
    )
    routine.due_date = today() + timedelta(days=150)
    routine.window_end = today() + timedelta(days=160)
    db.session.commit()
    login(city["officer"])
    due = today() + timedelta(days=1)
    response = client.post(
        "/visits/assign",
        data={
            "grid": str(city["tree"]["grid1"].id),
            "kind": "safety_check",
            "due_date": due.isoformat(),
            "worker_id": str(helper.id),
            "expected": "0",
        },
        headers=EN,
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "1 household already had an open task of this kind" in html
    assert "now due by" in html and "张帮手" in html
    assert open_tasks(city["mine"], VisitKind.safety_check) == 1
    db.session.refresh(routine)
    assert (routine.due_date, routine.window_end, routine.worker_id) == (due, due, helper.id)


def test_overdue_tasks_across_grids_go_to_a_worker_who_can_open_some_of_them(
    city, client, login, make
):
    neighbour = make.user("grid_worker", areas=[city["tree"]["grid2"]], full_name="隔壁网格员")
    next_door = make.household(city["tree"]["grid2"], address="新华路2号")
    make.resident(next_door, birth_date=date(1939, 1, 1), lives_alone=True)
    services.generate_visits(today())
    mine, theirs = planned_home_visit(city["mine"]), planned_home_visit(next_door)
    mine.due_date = theirs.due_date = today() - timedelta(days=2)
    db.session.commit()
    login(city["officer"])
    html = client.get("/visits/workload", headers=EN).get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="worker_id".*?</select>', html, re.S).group(0)
    assert "李网格" in select_html and "隔壁网格员" in select_html
    assert all(
        'value=""' in a for a in re.findall(r"<option([^>]*)>", select_html) if "selected" in a
    )
    response = client.post(
        "/visits/reassign",
        data={"visit_ids": [str(mine.id), str(theirs.id)], "worker_id": str(neighbour.id)},
        headers=EN,
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 tasks reassigned" in page
    assert "1 task was not moved: the worker&#39;s areas do not hold its household" in page
    db.session.refresh(mine)
    db.session.refresh(theirs)
    assert (mine.worker_id, theirs.worker_id) == (city["worker"].id, neighbour.id)


def test_overdue_tasks_none_of_which_the_worker_can_open_are_refused_with_a_message(
    city, client, login, make
):
    neighbour = make.user("grid_worker", areas=[city["tree"]["grid2"]], full_name="隔壁网格员")
    task = planned_home_visit(city["mine"])
    task.due_date = today() - timedelta(days=2)
    db.session.commit()
    login(city["officer"])
    response = client.post(
        "/visits/reassign",
        data={"visit_ids": [str(task.id)], "worker_id": str(neighbour.id)},
        headers=EN,
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "hold none of the chosen tasks" in response.get_data(as_text=True)
    db.session.refresh(task)
    assert task.worker_id == city["worker"].id


def test_workload_heading_counts_every_overdue_task_beyond_those_listed(
    city, client, login, monkeypatch
):
    from gridcare.visits.services import reading

    monkeypatch.setattr(reading, "OVERDUE_LISTED", 1)
    for visit in db.session.scalars(
        select(Visit).where(Visit.household_id == city["mine"].id, Visit.status == "planned")
    ):
        visit.due_date = today() - timedelta(days=2)
    db.session.commit()
    late = db.session.scalar(
        select(func.count(Visit.id)).where(
            Visit.household_id == city["mine"].id, Visit.due_date < today()
        )
    )
    assert late >= 2
    login(city["officer"])
    html = client.get("/visits/workload", headers=EN).get_data(as_text=True)
    assert f"Overdue tasks ({late})" in html
    assert html.count('name="visit_ids"') == 1
    assert "The 1 most overdue are listed here" in html


# One-off checks by filter: the count first, then exactly those tasks.


def level_one_households(make, grid, n):
    homes = []
    for i in range(n):
        home = make.household(grid, address=f"幸福路{i + 1}号")
        make.resident(home, birth_date=date(1935, 1, 1), lives_alone=True)
        homes.append(home)
    return homes


def test_the_assign_page_counts_matching_households_before_anything_is_made(
    city, client, login, make
):
    level_one_households(make, city["tree"]["grid1"], 3)
    login(city["officer"])
    before = db.session.scalar(select(func.count(Visit.id)))
    query = {
        "grid": str(city["tree"]["grid1"].id),
        "care_levels": "1",
        "kind": "home_visit",
        "worker_id": "0",
    }
    html = client.get("/visits/assign", query_string=query, headers=EN).get_data(as_text=True)
    assert "4 households match." in html
    assert "3 will get a new task." in html
    assert "1 already has an open task of this kind" in html  # 新华路1号's routine visit
    assert "Assign 3 checks" in html
    assert db.session.scalar(select(func.count(Visit.id))) == before


def test_confirming_the_count_creates_exactly_those_tasks(city, client, login, make):
    homes = level_one_households(make, city["tree"]["grid1"], 3)
    login(city["officer"])
    data = {
        "grid": str(city["tree"]["grid1"].id),
        "care_levels": "1",
        "kind": "home_visit",
        "worker_id": "0",
        "due_date": (today() + timedelta(days=5)).isoformat(),
        "expected": "3",
    }
    response = client.post("/visits/assign", data=data, headers=EN, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "3 tasks assigned." in html
    assert "1 household already had an open task of this kind" in html
    for home in homes:
        assert open_tasks(home, VisitKind.home_visit) == 1


def test_a_count_that_changed_since_the_preview_assigns_nothing(city, client, login, make):
    homes = level_one_households(make, city["tree"]["grid1"], 2)
    login(city["officer"])
    data = {
        "grid": str(city["tree"]["grid1"].id),
        "care_levels": "1",
        "kind": "home_visit",
        "worker_id": "0",
        "due_date": (today() + timedelta(days=5)).isoformat(),
        "expected": "1",  # one more household was registered since the officer counted
    }
    response = client.post("/visits/assign", data=data, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The households changed since you counted them" in html
    assert "Assign 2 checks" in html
    assert all(open_tasks(home, VisitKind.home_visit) == 0 for home in homes)


def test_households_outside_the_named_workers_grids_are_counted_apart(city, client, login, make):
    level_one_households(make, city["tree"]["grid2"], 2)
    login(city["officer"])
    query = {"care_levels": "1", "kind": "safety_check", "worker_id": str(city["worker"].id)}
    html = client.get("/visits/assign", query_string=query, headers=EN).get_data(as_text=True)
    assert "2 are outside the grids of 李网格 and get no task." in html


def test_a_bad_filter_gets_a_message_not_an_error(city, client, login):
    login(city["officer"])
    query = {"care_levels": "7", "kind": "home_visit", "not_visited_since": "2026-13-40"}
    response = client.get("/visits/assign", query_string=query, headers=EN)
    assert response.status_code == 200
    assert "households match" not in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_a_confirmation_without_its_count_assigns_nothing_and_says_so(city, client, login, make):
    homes = level_one_households(make, city["tree"]["grid1"], 1)
    login(city["officer"])
    data = {
        "grid": str(city["tree"]["grid1"].id),
        "kind": "home_visit",
        "worker_id": "0",
        "due_date": (today() + timedelta(days=5)).isoformat(),
        "expected": "many",
    }
    response = client.post("/visits/assign", data=data, headers=EN)
    assert "The form arrived incomplete. Count the households again." in response.get_data(
        as_text=True
    )
    assert open_tasks(homes[0], VisitKind.home_visit) == 0
