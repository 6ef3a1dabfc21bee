"""The worker raises a hazard from a failed gas check with a photo; the officer sees it,
the worker reports the fix, the officer closes it; its page shows every step."""

import re
import uuid
from io import BytesIO

from PIL import Image
from sqlalchemy import select

from gridcare.accounts.services import actor_for
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.hazards import services
from gridcare.hazards.models import Hazard, HazardCategory, HazardStatus, Photo, Severity
from gridcare.visits import services as visits
from tests.conftest import PASSWORD
from tests.hazards.conftest import jpeg

EN = {"Accept-Language": "en"}


def upload(data: bytes, name: str = "photo.jpg"):
    return (BytesIO(data), name)


def failed_gas_check(people, client, login):
    login(people["worker"])
    household = people["household"]
    data = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "safety_check",
        "outcome": "concerns",
        "method": "in_person",
    }
    for item in visits.checklist_items():
        data[f"check_{item.code}"] = "pass"
    data["check_gas_hose"] = "fail"
    return client.post(f"/visits/household/{household.id}/log", data=data, headers=EN)


def test_the_whole_hazard_journey(people, client, login, app):
    response = failed_gas_check(people, client, login)
    # Straight to a hazard form pre-filled from the failed gas item.
    assert "/hazards/household/" in response.headers["Location"]
    form = client.get(response.headers["Location"], headers=EN)
    html = form.get_data(as_text=True)
    assert "Failed check: Gas hose sound" in html
    assert 'capture="environment"' in html
    assert '<option selected value="gas">' in html or 'value="gas" selected' in html

    visit_id = db.session.scalar(select(Hazard.id).limit(1))  # no hazard yet
    assert visit_id is None
    raised = client.post(
        response.headers["Location"],
        data={
            "client_uuid": str(uuid.uuid4()),
            "category": "gas",
            "severity": "major",
            "description": "燃气软管老化开裂",
            "before_photo": upload(jpeg(exif_gps=True)),
            "visit_id": response.headers["Location"].split("visit=")[1].split("&")[0],
            "checklist_code": "gas_hose",
        },
        headers=EN,
        content_type="multipart/form-data",
    )
    assert raised.status_code == 302
    hazard = db.session.scalar(select(Hazard))
    assert hazard.checklist_code == "gas_hose"
    assert hazard.visit_id is not None

    # The officer sees it in the queue (major), with a message waiting.
    officer = app.test_client()
    officer.post(
        "/login", data={"username": people["officer"].username, "password": "correct horse battery"}
    )
    queue = officer.get("/hazards/queue", headers=EN).get_data(as_text=True)
    assert "新华路1号" in queue and "Major" in queue
    assert "unread message" in officer.get("/hazards/queue", headers=EN).get_data(as_text=True)

    # The worker reports the fix with an after photo.
    fixed = client.post(
        f"/hazards/{hazard.id}/move",
        data={"action": "report_fixed", "note": "已更换新软管", "photo": upload(jpeg())},
        headers=EN,
        content_type="multipart/form-data",
    )
    assert fixed.status_code == 302
    # A worker may not close it.
    assert client.post(f"/hazards/{hazard.id}/move", data={"action": "approve"}).status_code == 403
    # The officer closes it.
    assert officer.post(f"/hazards/{hazard.id}/move", data={"action": "approve"}).status_code == 302
    db.session.refresh(hazard)
    assert hazard.status == HazardStatus.closed

    page = officer.get(f"/hazards/{hazard.id}", headers=EN).get_data(as_text=True)
    for step in ("Raised", "Reported fixed", "Review passed, closed", "已更换新软管"):
        assert step in page
    photos = db.session.scalars(select(Photo).where(Photo.hazard_id == hazard.id)).all()
    assert len(photos) == 2


def test_not_an_image_is_refused_next_to_the_field(people, client, login):
    login(people["worker"])
    household = people["household"]
    response = client.post(
        f"/hazards/household/{household.id}/new",
        data={
            "client_uuid": str(uuid.uuid4()),
            "category": "fire",
            "severity": "minor",
            "description": "插座烧焦",
            "before_photo": upload(b"MZ\x90\x00 not an image", "virus.jpg"),
        },
        headers=EN,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "not a photo we can read" in response.get_data(as_text=True)
    assert db.session.scalar(select(Hazard.id)) is None


def test_too_large_an_upload_gets_the_apps_413_page(people, client, login, app):
    login(people["worker"])
    household = people["household"]
    # A raw body over the limit: the server refuses it from its length alone.
    response = client.post(
        f"/hazards/household/{household.id}/new",
        data=b"\xff" * (app.config["MAX_CONTENT_LENGTH"] + 1),
        content_type="multipart/form-data; boundary=photo",
        headers=EN,
    )
    assert response.status_code == 413
    assert "The limit is 12 MB" in response.get_data(as_text=True)


def test_hazards_and_photos_outside_scope_are_404(people, client, login, make):
    login(people["worker"])
    elsewhere = people["elsewhere"]
    assert client.get(f"/hazards/household/{elsewhere.id}/new").status_code == 404
    from gridcare.accounts.services import actor_for
    from gridcare.hazards import services
    from gridcare.hazards.models import HazardCategory, Severity

    other_worker = make.user("grid_worker", areas=[people["tree"]["grid3"]])
    hazard = services.raise_hazard(
        actor_for(other_worker),
        elsewhere,
        category=HazardCategory.fall,
        severity=Severity.minor,
        description="楼道无照明",
        today=today(),
        before_photo=jpeg(),
    )
    photo = db.session.scalar(select(Photo).where(Photo.hazard_id == hazard.id))
    assert client.get(f"/hazards/{hazard.id}").status_code == 404
    assert (
        client.post(
            f"/hazards/{hazard.id}/move", data={"action": "comment", "note": "x"}
        ).status_code
        == 404
    )
    assert client.get(f"/hazards/photos/{photo.id}").status_code == 404
    assert client.get(f"/hazards/photos/{photo.id}/thumb").status_code == 404


def test_photo_is_served_in_scope_as_jpeg(people, client, login):
    login(people["worker"])
    from gridcare.accounts.services import actor_for
    from gridcare.hazards import services
    from gridcare.hazards.models import HazardCategory, Severity

    hazard = services.raise_hazard(
        actor_for(people["worker"]),
        people["household"],
        category=HazardCategory.fall,
        severity=Severity.minor,
        description="浴室地滑",
        today=today(),
        before_photo=jpeg(),
    )
    photo = db.session.scalar(select(Photo).where(Photo.hazard_id == hazard.id))
    response = client.get(f"/hazards/photos/{photo.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"].startswith("private")
    response.close()


def test_worker_sees_own_hazards_by_deadline_and_officers_the_queue(people, client, login):
    from gridcare.accounts.services import actor_for
    from gridcare.hazards import services
    from gridcare.hazards.models import HazardCategory, Severity

    actor = actor_for(people["worker"])
    later = services.raise_hazard(
        actor,
        people["household"],
        category=HazardCategory.fire,
        severity=Severity.minor,
        description="later",
        today=today(),
    )
    sooner = services.raise_hazard(
        actor,
        people["household"],
        category=HazardCategory.gas,
        severity=Severity.major,
        description="sooner",
        today=today(),
    )
    assert sooner.deadline < later.deadline
    login(people["worker"])
    html = client.get("/hazards/mine", headers=EN).get_data(as_text=True)
    assert html.index("sooner") < html.index("later")
    assert client.get("/hazards/queue").status_code == 403
    household_page = client.get(f"/hazards/household/{people['household'].id}", headers=EN)
    assert "sooner" in household_page.get_data(as_text=True)


def test_notifications_page_lists_and_marks_read(people, client, login, app):
    from gridcare.accounts.services import actor_for
    from gridcare.hazards import services
    from gridcare.hazards.models import HazardCategory, Severity

    services.raise_hazard(
        actor_for(people["worker"]),
        people["household"],
        category=HazardCategory.gas,
        severity=Severity.major,
        description="燃气泄漏",
        today=today(),
    )
    login(people["officer"])
    page = client.get("/notifications", headers=EN).get_data(as_text=True)
    assert "Major hazard reported at 新华路1号 (Gas)." in page
    client.post("/notifications/read")
    from gridcare.accounts.services import unread_count

    assert unread_count(people["officer"].id) == 0
    assert "notification unread" not in client.get("/notifications").get_data(as_text=True)


def test_household_page_shows_open_and_past_hazards(people, client, login):
    from gridcare.accounts.services import actor_for
    from gridcare.hazards import services
    from gridcare.hazards.models import HazardCategory, Severity

    actor = actor_for(people["worker"])
    services.raise_hazard(
        actor,
        people["household"],
        category=HazardCategory.fire,
        severity=Severity.minor,
        description="插线板过载",
        today=today(),
    )
    services.raise_hazard(
        actor,
        people["household"],
        category=HazardCategory.fall,
        severity=Severity.minor,
        description="门口台阶松动",
        today=today(),
        fixed_on_spot=True,
        before_photo=jpeg(),
        after_photo=jpeg(),
    )
    login(people["worker"])
    page = client.get(f"/registry/households/{people['household'].id}", headers=EN)
    html = page.get_data(as_text=True)
    assert "插线板过载" in html and "门口台阶松动" in html
    assert html.index("插线板过载") < html.index("门口台阶松动")  # open before closed


def test_a_hazard_form_sent_twice_stores_one_hazard(people, client, login):
    login(people["worker"])
    household = people["household"]
    token = str(uuid.uuid4())
    for _ in range(2):  # a double tap, or a phone resending after a timeout
        response = client.post(
            f"/hazards/household/{household.id}/new",
            data={
                "client_uuid": token,
                "category": "gas",
                "severity": "major",
                "description": "燃气味道很重",
            },
        )
        assert response.status_code == 302
    assert len(db.session.scalars(select(Hazard)).all()) == 1


def test_a_bad_visit_id_in_the_hazard_form_is_a_404_not_a_crash(people, client, login):
    login(people["worker"])
    response = client.post(
        f"/hazards/household/{people['household'].id}/new",
        data={
            "client_uuid": str(uuid.uuid4()),
            "visit_id": "abc",
            "category": "gas",
            "severity": "minor",
            "description": "x",
        },
    )
    assert response.status_code in (302, 404)
    assert response.status_code != 500


def test_a_hazard_form_reused_for_another_household_is_refused_next_to_the_description(
    people, client, login, make
):
    login(people["worker"])
    token = str(uuid.uuid4())
    form = {"client_uuid": token, "category": "gas", "severity": "minor", "description": "漏气"}
    client.post(f"/hazards/household/{people['household'].id}/new", data=form)
    neighbour = make.household(people["tree"]["grid1"])

    response = client.post(f"/hazards/household/{neighbour.id}/new", data=form, headers=EN)

    assert response.status_code == 200
    assert "already used" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Hazard)).all()) == 1


def test_reassign_offers_only_workers_who_can_open_the_household(people, client, login, make):
    hazard = services.raise_hazard(
        actor_for(people["worker"]), people["household"], category=HazardCategory.gas,
        severity=Severity.minor, description="漏气", today=today(),
    )  # fmt: skip
    elsewhere = make.user("grid_worker", areas=[people["tree"]["grid2"]], full_name="赵远方")
    login(people["officer"])

    body = client.get(f"/hazards/{hazard.id}", headers=EN).get_data(as_text=True)
    response = client.post(
        f"/hazards/{hazard.id}/move",
        data={"action": "reassign", "assignee_id": str(elsewhere.id)},
        headers=EN,
    )

    assert "李网格" in body and "赵远方" not in body
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert "cannot open this household" in response.get_data(as_text=True)
    db.session.refresh(hazard)
    assert hazard.assignee_id == people["worker"].id


def test_a_photo_with_too_many_pixels_is_refused_next_to_the_photo_field(people, client, login):
    big = BytesIO()
    Image.new("1", (9400, 9400)).save(big, "PNG")  # about 10 kB
    login(people["worker"])

    response = client.post(
        f"/hazards/household/{people['household'].id}/new",
        data={
            "client_uuid": str(uuid.uuid4()),
            "category": "fire",
            "severity": "minor",
            "description": "插座烧焦",
            "before_photo": upload(big.getvalue(), "big.png"),
        },
        headers=EN,
        content_type="multipart/form-data",
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "too many pixels (88 megapixels; at most 50)" in body
    assert db.session.scalar(select(Hazard.id)) is None


def test_a_checklist_code_longer_than_any_code_is_refused_with_a_message(people, client, login):
    login(people["worker"])
    response = client.post(
        f"/hazards/household/{people['household'].id}/new",
        data={
            "client_uuid": str(uuid.uuid4()),
            "checklist_code": "gas_hose" * 20,
            "category": "gas",
            "severity": "minor",
            "description": "燃气软管老化",
        },
        headers=EN,
    )
    assert response.status_code == 200
    assert "This checklist item is unknown" in response.get_data(as_text=True)
    assert db.session.scalars(select(Hazard)).all() == []


def test_a_nul_in_the_description_is_refused_next_to_the_field(people, client, login):
    login(people["worker"])
    response = client.post(
        f"/hazards/household/{people['household'].id}/new",
        data={
            "client_uuid": str(uuid.uuid4()),
            "category": "gas",
            "severity": "minor",
            "description": "燃气\x00软管",
        },
        headers=EN,
    )
    assert response.status_code == 200
    assert "cannot be stored (NUL)" in response.get_data(as_text=True)
    assert db.session.scalars(select(Hazard)).all() == []


def test_control_characters_are_dropped_from_a_hazard_description(people, client, login):
    login(people["worker"])
    client.post(
        f"/hazards/household/{people['household'].id}/new",
        data={
            "client_uuid": str(uuid.uuid4()),
            "category": "gas",
            "severity": "minor",
            "description": "燃气\x0b软管\x1b老化\n第二行\t完",
        },
    )
    assert db.session.scalars(select(Hazard.description)).one() == "燃气软管老化\n第二行\t完"


def test_a_visit_id_no_record_can_have_in_the_hazard_address_is_ignored(people, client, login):
    login(people["worker"])
    household = people["household"]
    for number in ("2147483648", "9223372036854775808"):
        response = client.get(f"/hazards/household/{household.id}/new?visit={number}&item=x")
        assert response.status_code == 200


# The page offers one next step, fitting the hazard's state and the reader's role.


def step_titles(html):
    return re.findall(r'<h2 id="next-step-title">([^<]+)</h2>', html)


def note_labels(html):
    return re.findall(r'<label for="note-[a-z_]+">([^<]+)</label>', html)


def test_the_worker_is_offered_the_fix_report_and_the_officer_the_review(
    people, client, login, app
):
    hazard = services.raise_hazard(
        actor_for(people["worker"]),
        people["household"],
        category=HazardCategory.gas,
        severity=Severity.minor,
        description="燃气软管老化开裂",
        today=today(),
    )
    login(people["worker"])
    html = client.get(f"/hazards/{hazard.id}", headers=EN).get_data(as_text=True)
    assert step_titles(html) == ["Report the fix"]
    assert html.index("Timeline") < html.index("Report the fix")
    assert "Accept the fix and close" not in html
    services.move_hazard(actor_for(people["worker"]), hazard, "report_fixed", photo=jpeg())

    html = client.get(f"/hazards/{hazard.id}", headers=EN).get_data(as_text=True)
    assert "waiting for an officer" in html
    officer = app.test_client()
    officer.post("/login", data={"username": people["officer"].username, "password": PASSWORD})
    html = officer.get(f"/hazards/{hazard.id}", headers=EN).get_data(as_text=True)
    assert step_titles(html) == ["Review the fix"]
    assert "Accept the fix and close" in html and "Send back to be fixed again" in html
    assert "Report it fixed" not in html  # fixing is the worker's part
    labels = note_labels(html)
    assert len(labels) == len(set(labels)) >= 2, labels

    sent_back = officer.post(
        f"/hazards/{hazard.id}/move",
        data={"action": "reject", "note": "软管仍未固定"},
        headers=EN,
        follow_redirects=True,
    )
    assert "Waiting for the worker" in sent_back.get_data(as_text=True)
    messages = client.get("/notifications", headers=EN).get_data(as_text=True)
    assert "was sent back: 软管仍未固定" in messages
