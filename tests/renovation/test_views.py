from io import BytesIO

from sqlalchemy import func, select

from gridcare.extensions import db
from gridcare.renovation.models import CaseStep, RenovationCase, RenovationProgramme, Stage
from tests.conftest import TEST_DAY
from tests.renovation.conftest import jpeg, walk

UUID = "9b2d3c1e-6f1a-4c55-9a0b-3f1f4f0a8c11"


def _photo(name="home.jpg"):
    return (BytesIO(jpeg()), name)


def _case(people, programme, key="severe"):
    from gridcare.accounts.services import actor_for
    from gridcare.renovation import services

    services.add_cases(actor_for(people["officer"]), programme, [people[key].id])
    return db.session.scalar(
        select(RenovationCase).where(RenovationCase.household_id == people[key].id)
    )


def test_an_officer_opens_a_programme_and_picks_its_households(people, client, login):
    login(people["officer"])
    url = "/renovation/programmes/new"
    data = {
        "client_uuid": UUID,
        "name": "2026年无障碍改造",
        "area_id": people["tree"]["community1"].id,
        "year": 2026,
        "budget": "120000",
    }
    response = client.post(url, data=data)
    assert response.status_code == 302
    client.post(url, data=data)  # sent twice
    assert db.session.scalar(select(func.count(RenovationProgramme.id))) == 1
    programme = db.session.scalar(select(RenovationProgramme))
    picker = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "明珠路1号" in picker and "明珠路2号" in picker and "明珠路3号" not in picker
    form_url = f"/renovation/programmes/{programme.id}/candidates"
    response = client.post(
        form_url,
        data={
            "household_ids": [people["severe"].id, people["grade2"].id],
        },
    )
    assert response.status_code == 302
    page = client.get(f"/renovation/programmes/{programme.id}").get_data(as_text=True)
    assert 'data-stage="surveyed">2<' in page


def test_a_negative_budget_is_shown_next_to_the_field(people, client, login):
    login(people["officer"])
    url = "/renovation/programmes/new"
    response = client.post(
        url,
        data={
            "client_uuid": UUID,
            "name": "x",
            "area_id": people["tree"]["community1"].id,
            "year": 2026,
            "budget": "-1",
        },
    )
    assert response.status_code == 200
    assert "金额不能为负数" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RenovationProgramme.id))) == 0


def test_an_assessment_with_photos_moves_the_case(people, programme, client, login):
    case = _case(people, programme)
    login(people["worker"])
    url = f"/renovation/cases/{case.id}/assess"
    response = client.post(
        url,
        data={
            "client_uuid": UUID,
            "needs": ["grab_bars", "bathroom"],
            "door_width": "70",
            "photos": [_photo("a.jpg"), _photo("b.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(RenovationCase, case.id).stage == Stage.assessed
    page = client.get(f"/renovation/cases/{case.id}").get_data(as_text=True)
    assert page.count('src="/renovation/photos/') == 2
    photo = page.split('href="/renovation/photos/')[1].split('"')[0]
    served = client.get(f"/renovation/photos/{photo}")
    assert served.mimetype == "image/jpeg"
    served.close()


def test_a_worker_may_not_plan_403_with_the_reason(people, programme, client, login):
    case = _case(people, programme)
    walk(people["officer"], case, Stage.assessed)
    login(people["worker"])
    response = client.get(f"/renovation/cases/{case.id}/plan")
    assert response.status_code == 403
    assert "只有社区干部可以进行此操作" in response.get_data(as_text=True)


def test_a_case_outside_the_scope_is_404(people, programme, client, login):
    case = _case(people, programme)
    login(people["other_officer"])
    for url in (
        f"/renovation/cases/{case.id}",
        f"/renovation/cases/{case.id}/assess",
        f"/renovation/programmes/{programme.id}",
    ):
        assert client.get(url).status_code == 404, url


def test_acceptance_without_a_photo_for_a_point_says_so(people, programme, client, login):
    case = _case(people, programme)
    walk(people["officer"], case, Stage.under_construction)
    login(people["officer"])
    url = f"/renovation/cases/{case.id}/accept"
    data = {"client_uuid": UUID, "actual_cost": "900"}
    for point in ("person", "items", "money", "supervision"):
        data[f"{point}_passed"] = "pass"
        if point != "money":
            data[f"{point}_photos"] = [_photo()]
    data["answer"] = "satisfied"
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert 'id="money_photos-msg"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RenovationCase, case.id).stage == Stage.under_construction


def test_a_plan_with_a_negative_cost_is_refused_next_to_the_item(people, programme, client, login):
    case = _case(people, programme)
    walk(people["officer"], case, Stage.assessed)
    login(people["officer"])
    url = f"/renovation/cases/{case.id}/plan"
    response = client.post(
        url,
        data={
            "client_uuid": UUID,
            "items-0-need_code": "ramps",
            "items-0-estimated_cost": "-20",
            "consent_by": "刘明",
            "consent_on": TEST_DAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert 'id="items-0-estimated_cost-msg"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RenovationCase, case.id).stage == Stage.assessed


def test_the_household_page_shows_each_step(people, programme, client, login):
    case = _case(people, programme)
    walk(people["officer"], case, Stage.accepted)
    login(people["officer"])
    page = client.get(f"/registry/households/{people['severe'].id}").get_data(as_text=True)
    steps = [s.action for s in db.session.scalars(select(CaseStep).order_by(CaseStep.id))]
    assert steps == ["survey", "assess", "plan", "start_construction", "accept"]
    for action in steps:
        assert f'data-step="{action}"' in page
    assert 'data-case-stage="accepted"' in page
    assert "刘明" in page  # who consented


def test_the_worker_answers_a_follow_up_from_the_list(people, programme, client, login, test_day):
    from gridcare.accounts.services import actor_for
    from gridcare.renovation import services

    case = _case(people, programme)
    walk(people["officer"], case, Stage.accepted)
    services.request_follow_up_round(
        actor_for(people["officer"]), programme, due_date=test_day, today=test_day
    )
    login(people["worker"])
    listing = client.get("/renovation/").get_data(as_text=True)
    link = listing.split('href="/renovation/follow-ups/')[1].split('"')[0]
    assert "明珠路1号" in listing
    url = f"/renovation/follow-ups/{link}"
    data = {"client_uuid": UUID, "answer": "satisfied"}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 302  # resent: stored once
    assert (
        db.session.scalar(select(func.count(CaseStep.id)).where(CaseStep.action == "follow_up"))
        == 1
    )
    today_list = client.get("/visits/today").get_data(as_text=True)
    assert "明珠路1号" not in today_list


def test_only_admins_see_the_needs_catalogue(people, make, client, login):
    login(people["officer"])
    assert client.get("/renovation/needs").status_code == 403
    client.post("/logout", data={})
    admin = make.user("admin")
    client2 = client.application.test_client()
    client2.post("/login", data={"username": admin.username, "password": "correct horse battery"})
    assert "grab_bars" in client2.get("/renovation/needs").get_data(as_text=True)


def test_a_forbidden_move_posted_anyway_is_403_and_changes_nothing(
    people, programme, client, login
):
    case = _case(people, programme)
    walk(people["officer"], case, Stage.under_construction)
    login(people["worker"])
    response = client.post(
        f"/renovation/cases/{case.id}/accept",
        data={"client_uuid": UUID, "person_passed": "pass"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(RenovationCase, case.id).stage == Stage.under_construction


def test_a_district_programme_shows_each_officer_only_their_homes(people, make, client, login):
    from decimal import Decimal

    from gridcare.accounts.models import Role
    from gridcare.accounts.services import Actor
    from gridcare.areas.scope import EVERYWHERE
    from gridcare.renovation import services

    federation = Actor(people["officer"].id, Role.officer, EVERYWHERE)
    district = services.open_programme(
        federation, people["tree"]["district"], year=2026, name="全区改造", budget=Decimal(9)
    )
    services.add_cases(federation, district, [people["severe"].id, people["elsewhere"].id])
    login(people["officer"])
    page = client.get(f"/renovation/programmes/{district.id}").get_data(as_text=True)
    assert "明珠路1号" in page and "朝阳路9号" not in page
    assert 'data-stage="surveyed">1<' in page


def test_the_programme_page_lists_overdue_steps(people, programme, client, login, test_day):
    from datetime import timedelta

    from gridcare.clock import utcnow

    case = _case(people, programme)
    case.stage_since = utcnow() - timedelta(days=45)  # 30 days allowed when surveyed
    db.session.commit()
    login(people["officer"])
    page = client.get(f"/renovation/programmes/{programme.id}").get_data(as_text=True)
    overdue = page.split("data-spending")[1]
    assert f'href="/renovation/cases/{case.id}"' in overdue
    assert "15" in overdue.split(f'href="/renovation/cases/{case.id}"')[1].split("</li>")[0]


def test_not_satisfied_reaches_the_officers_messages(people, programme, client, login):
    from gridcare.renovation.models import Satisfaction

    case = _case(people, programme)
    walk(people["officer"], case, Stage.accepted, answer=Satisfaction.not_satisfied)
    login(people["officer"])
    page = client.get("/notifications").get_data(as_text=True)
    assert f'href="/renovation/cases/{case.id}"' in page and "明珠路1号" in page


def test_the_programme_page_makes_as_many_queries_for_many_homes_as_for_one(
    people, programme, make, client, login, count_queries
):
    def queries() -> int:
        with count_queries() as counted:
            assert client.get(f"/renovation/programmes/{programme.id}").status_code == 200
        return counted.n

    walk(people["officer"], _case(people, programme), Stage.planned)
    login(people["officer"])
    one = queries()
    for n in range(6):
        home = make.household(people["tree"]["grid2"], address=f"多户路{n}号")
        make.resident(home, disability_category=4, disability_grade=1)
        people[f"home{n}"] = home
        walk(people["officer"], _case(people, programme, f"home{n}"), Stage.planned)
    assert queries() == one


def test_an_admin_renames_and_retires_a_need(people, make, app):
    from gridcare.renovation.models import RenovationNeed

    admin = make.user("admin")
    browser = app.test_client()
    browser.post("/login", data={"username": admin.username, "password": "correct horse battery"})
    need = db.session.scalar(select(RenovationNeed).where(RenovationNeed.code == "lighting"))
    response = browser.post(
        f"/renovation/needs/{need.id}", data={"label_zh": "夜间照明", "label_en": "Night lights"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    need = db.session.get(RenovationNeed, need.id)
    assert (need.label_zh, need.active) == ("夜间照明", False)
