"""The server's half of the phone's outbox, through the test client: JSON answers with the
stored record, a refusal the worker can read, idempotent resends of visits, hazards and
fixes, the phone's time within bounds, and a session that ended."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from gridcare.accounts.services import actor_for
from gridcare.clock import today, utcnow
from gridcare.extensions import db
from gridcare.hazards.models import FollowUp, Hazard, HazardStatus, Photo
from gridcare.visits import services
from gridcare.visits.models import Visit, VisitKind, VisitStatus
from tests.hazards.conftest import jpeg, raise_one

OUTBOX = {"Accept": "application/json", "Accept-Language": "en"}


@pytest.fixture
def people(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]], full_name="李网格")
    household = make.household(tree["grid1"], address="新华路1号", lat=39.77, lon=98.29)
    make.resident(household, birth_date=date(1938, 3, 1), lives_alone=True)
    services.generate_visits(today())
    return {"tree": tree, "worker": worker, "household": household}


def task(household, kind=VisitKind.home_visit) -> Visit:
    return db.session.scalar(
        select(Visit).where(
            Visit.household_id == household.id,
            Visit.kind == kind,
            Visit.status == VisitStatus.planned,
        )
    )


def quick(client, household, **fields):
    data = {"client_uuid": str(uuid.uuid4()), "visit_id": str(task(household).id)} | fields
    return client.post(f"/visits/household/{household.id}/quick", data=data, headers=OUTBOX)


def test_all_well_from_the_outbox_answers_with_the_stored_visit_once(people, client, login):
    login(people["worker"])
    token = str(uuid.uuid4())
    planned = task(people["household"])
    first = quick(client, people["household"], client_uuid=token)
    again = quick(client, people["household"], client_uuid=token, visit_id=str(planned.id))
    assert first.status_code == again.status_code == 200
    assert first.json == {"id": planned.id, "state": "done", "household": people["household"].id}
    assert again.json["id"] == planned.id
    assert db.session.scalar(select(func.count(Visit.id)).where(Visit.client_uuid == token)) == 1


def test_a_visit_queued_in_the_morning_keeps_the_phones_time(people, client, login):
    login(people["worker"])
    morning = (utcnow() - timedelta(hours=8)).replace(microsecond=0)
    answer = quick(client, people["household"], phone_time=morning.isoformat() + "Z")
    assert answer.status_code == 200
    assert db.session.get(Visit, answer.json["id"]).completed_at == morning


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (timedelta(days=-8), "up to 7 days"),
        (timedelta(hours=2), "in the future"),
    ],
)
def test_the_phones_time_is_refused_outside_its_bounds(people, client, login, moment, message):
    login(people["worker"])
    when = (datetime.now(UTC) + moment).isoformat()
    answer = quick(client, people["household"], phone_time=when)
    assert answer.status_code == 422
    assert message in answer.json["error"]
    assert answer.json["field"] == "completed_at"
    assert task(people["household"]) is not None, "a refused visit closed the task"


def test_a_stored_visit_resent_after_the_offline_bound_is_answered_as_stored(
    people, client, login, time_machine
):
    """The server stored it, the phone never heard: a resend days later is not a refusal."""
    login(people["worker"])
    token = str(uuid.uuid4())
    sent = {
        "client_uuid": token,
        "visit_id": str(task(people["household"]).id),
        "phone_time": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
    }
    first = client.post(
        f"/visits/household/{people['household'].id}/quick", data=sent, headers=OUTBOX
    )
    assert first.status_code == 200
    time_machine.move_to(datetime.now(UTC) + timedelta(days=9))
    login(people["worker"])
    again = client.post(
        f"/visits/household/{people['household'].id}/quick",
        data=sent,
        headers=OUTBOX,
    )
    assert again.status_code == 200, again.json
    assert again.json["id"] == first.json["id"]


def test_a_phone_clock_a_minute_ahead_is_stored_as_now(people, client, login):
    login(people["worker"])
    ahead = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    answer = quick(client, people["household"], phone_time=ahead)
    assert db.session.get(Visit, answer.json["id"]).completed_at <= utcnow()


def test_a_household_that_moved_out_is_a_refusal_with_the_reason(people, client, login):
    login(people["worker"])
    people["household"].active = False
    db.session.commit()
    answer = quick(client, people["household"])
    assert answer.status_code == 422
    assert "moved out" in answer.json["error"]
    assert "新华路1号" in answer.json["error"]


def test_without_a_session_the_outbox_is_told_to_log_in(people, client):
    answer = quick(client, people["household"])
    assert answer.status_code == 401
    assert answer.json["login"] is True


def test_a_form_without_javascript_still_redirects(people, client, login):
    login(people["worker"])
    data = {"client_uuid": str(uuid.uuid4()), "visit_id": str(task(people["household"]).id)}
    response = client.post(f"/visits/household/{people['household'].id}/quick", data=data)
    assert response.status_code == 302


def test_a_safety_check_where_all_pass_is_one_tap(people, client, login):
    login(people["worker"])
    check = task(people["household"], VisitKind.safety_check)
    url = f"/visits/household/{people['household'].id}/log?kind=safety_check&visit={check.id}"
    answer = client.post(
        url,
        data={
            "client_uuid": str(uuid.uuid4()),
            "visit_id": str(check.id),
            "kind": "safety_check",
            "outcome": "well",
            "method": "in_person",
            "check_gas_hose": "fail",
            "all_pass": "1",
        },
        headers=OUTBOX,
    )
    assert answer.status_code == 200
    db.session.expire_all()
    visit = db.session.get(Visit, answer.json["id"])
    assert answer.json["failed_items"] == ["gas_hose"]
    assert set(visit.checklist.values()) == {"pass", "fail"}
    assert len(visit.checklist) == len(services.checklist_items())


def test_other_outcome_from_the_list_returns_to_the_list(people, client, login):
    login(people["worker"])
    home = task(people["household"])
    url = f"/visits/household/{people['household'].id}/log?kind=home_visit&visit={home.id}"
    form = client.get(url + "&back=today").get_data(as_text=True)
    assert 'name="back" type="hidden" value="today"' in form
    response = client.post(
        url,
        data={
            "client_uuid": str(uuid.uuid4()),
            "visit_id": str(home.id),
            "kind": "home_visit",
            "outcome": "concerns",
            "method": "in_person",
            "back": "today",
        },
    )
    assert response.headers["Location"].endswith("/visits/today")


def test_a_hazard_queued_with_its_check_finds_the_check_by_its_token(people, client, login):
    login(people["worker"])
    check = services.log_visit(
        actor_for(people["worker"]),
        people["household"],
        kind=VisitKind.safety_check,
        client_uuid=(check_token := str(uuid.uuid4())),
        outcome="concerns",
        checklist={item.code: "fail" for item in services.checklist_items()},
    )
    token = str(uuid.uuid4())
    data = {
        "client_uuid": token,
        "visit_uuid": check_token,
        "checklist_code": "gas_hose",
        "category": "gas",
        "severity": "minor",
        "description": "燃气软管老化开裂",
    }

    def send():
        body = dict(data, before_photo=(BytesIO(jpeg()), "hazard.jpg"))
        return client.post(
            f"/hazards/household/{people['household'].id}/new",
            data=body,
            headers=OUTBOX,
            content_type="multipart/form-data",
        )

    first, again = send(), send()
    assert first.status_code == again.status_code == 200
    assert first.json["id"] == again.json["id"]
    assert first.json["photos"] == 1
    hazard = db.session.get(Hazard, first.json["id"])
    assert hazard.visit_id == check.id
    assert db.session.scalar(select(func.count(Photo.id))) == 1


def test_a_fix_sent_twice_is_one_move_with_one_photo(people, client, login):
    login(people["worker"])
    hazard = raise_one(people)
    token = str(uuid.uuid4())

    def send():
        return client.post(
            f"/hazards/{hazard.id}/move",
            data={
                "client_uuid": token,
                "action": "report_fixed",
                "note": "换了新软管",
                "photo": (BytesIO(jpeg()), "after.jpg"),
            },
            headers=OUTBOX,
            content_type="multipart/form-data",
        )

    first, again = send(), send()
    assert first.status_code == again.status_code == 200
    assert first.json["state"] == again.json["state"] == HazardStatus.awaiting_review
    fixes = db.session.scalar(
        select(func.count(FollowUp.id)).where(FollowUp.action == "report_fixed")
    )
    assert fixes == 1
    assert db.session.scalar(select(func.count(Photo.id)).where(Photo.hazard_id == hazard.id)) == 1


def test_a_refused_fix_says_why(people, client, login):
    login(people["worker"])
    hazard = raise_one(people)
    answer = client.post(
        f"/hazards/{hazard.id}/move",
        data={"client_uuid": str(uuid.uuid4()), "action": "report_fixed"},
        headers=OUTBOX,
    )
    assert answer.status_code == 422
    assert answer.json["field"] == "photo"


def test_the_today_list_renders_one_csrf_token_and_the_nearest_coming_days(
    people, client, login, make
):
    for number in range(15):
        home = make.household(people["tree"]["grid1"], address=f"新华路{number + 10}号")
        make.resident(home, birth_date=date(1938, 3, 1), lives_alone=True)
    services.generate_visits(today())
    for number, visit in enumerate(db.session.scalars(select(Visit))):
        visit.due_date = visit.window_end = today() + timedelta(days=1 + number % 5)
    db.session.commit()
    login(people["worker"])
    html = client.get("/visits/today", headers={"Accept-Language": "en"}).get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
    assert len(tokens) == 1, "each row made its own CSRF token"
    assert html.count('<li class="task') == services.UPCOMING_SHOWN
    assert "Show 22 more tasks of the coming days" in html
    everything = client.get("/visits/today?all=1").get_data(as_text=True)
    assert everything.count('<li class="task') == 32


def test_walking_order_shows_the_distance_to_each_stop(people, client, login):
    login(people["worker"])
    visit = task(people["household"])
    visit.due_date = today()
    db.session.commit()
    html = client.get(
        "/visits/today?lat=39.7710&lon=98.2900", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "111 m on foot" in html


def test_the_service_worker_names_the_fingerprinted_files_and_is_never_cached(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    script = worker.get_data(as_text=True)
    assert "/static/js/outbox.js?v=" in script
    assert "registry" in script and "/registry" not in script.split("KEPT")[1].split(";")[0]
    manifest = client.get("/manifest.webmanifest")
    assert manifest.json["start_url"] == "/visits/today"


def test_logout_clears_what_the_browser_kept(people, client, login):
    login(people["worker"])
    response = client.post("/logout")
    assert response.headers["Clear-Site-Data"] == '"cache"'


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-14:00", "yesterday", "2026-12-03T09:00"])
def test_an_unreadable_phone_time_is_refused_next_to_nothing_but_said(people, client, login, value):
    login(people["worker"])
    answer = quick(client, people["household"], phone_time=value)
    assert answer.status_code == 422
    assert answer.json["field"] == "phone_time"
