"""A hazard's lifecycle: raising it, its photos, and every move the rules allow or refuse."""

from datetime import timedelta
from io import BytesIO

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select

from gridcare.accounts.models import User
from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.hazards import services
from gridcare.hazards.models import (
    FollowUp,
    Hazard,
    HazardCategory,
    HazardStatus,
    Photo,
    Severity,
)
from gridcare.hazards.notices import notification_text
from gridcare.hazards.photos import photo_path
from tests.conftest import TEST_DAY
from tests.hazards.conftest import jpeg, notifications, raise_one

TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")


def test_minor_and_major_hazards_get_deadlines_from_their_severity(people):
    assert raise_one(people).deadline == TODAY + timedelta(days=15)
    major = raise_one(people, severity=Severity.major)
    assert major.deadline == TODAY + timedelta(days=3)
    assert major.status == HazardStatus.open
    assert major.assignee_id == people["worker"].id


def test_a_major_hazard_tells_the_communitys_officer_at_once(people):
    hazard = raise_one(people, severity=Severity.major)
    (message,) = notifications(people["officer"])
    assert (message.kind, message.entity_id) == ("hazard_major", hazard.id)
    assert notifications(people["other_officer"]) == []


def test_fixed_on_the_spot_closes_at_once_with_before_and_after_photos(people):
    with pytest.raises(services.HazardError) as refused:
        raise_one(people, fixed_on_spot=True, before_photo=jpeg())
    assert refused.value.field == "after_photo"
    assert db.session.scalar(select(func.count(Hazard.id))) == 0

    hazard = raise_one(people, fixed_on_spot=True, before_photo=jpeg(), after_photo=jpeg())
    assert hazard.status == HazardStatus.closed
    assert hazard.deadline is None
    actions = db.session.scalars(select(FollowUp.action).where(FollowUp.hazard_id == hazard.id))
    assert list(actions) == ["raised", "fixed_on_spot"]


def test_photos_lose_exif_and_are_downscaled(people):
    hazard = raise_one(people, before_photo=jpeg(4000, 3000, exif_gps=True))
    photo = db.session.scalar(select(Photo).where(Photo.hazard_id == hazard.id))
    assert max(photo.width, photo.height) == 1600
    with Image.open(photo_path(photo.filename)) as stored:
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
    assert photo_path(photo.filename, thumbnail=True).exists()


def test_a_file_that_is_not_an_image_is_refused_and_nothing_stored(people):
    with pytest.raises(services.HazardError) as refused:
        raise_one(people, before_photo=b"%PDF-1.4 not a photo")
    assert refused.value.field == "before_photo"
    assert db.session.scalar(select(func.count(Hazard.id))) == 0


def test_a_decompression_bomb_is_refused(people):
    bomb = BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # 400 Mpx, a few kB on disk
    with pytest.raises(services.HazardError) as refused:
        raise_one(people, before_photo=bomb.getvalue())
    with force_locale("en"):
        assert "too large" in str(refused.value.message)
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_the_full_lifecycle_leaves_a_follow_up_for_every_step(people):
    hazard = raise_one(people)
    worker, officer = actor_for(people["worker"]), actor_for(people["officer"])
    services.move_hazard(worker, hazard, "start_fixing")
    services.move_hazard(worker, hazard, "report_fixed", photo=jpeg(color=(20, 160, 40)))
    services.move_hazard(officer, hazard, "reject", note="软管仍未更换")
    services.move_hazard(worker, hazard, "report_fixed", photo=jpeg(color=(20, 160, 60)))
    services.move_hazard(officer, hazard, "approve")
    assert hazard.status == HazardStatus.closed
    steps = db.session.execute(
        select(FollowUp.action, FollowUp.to_status)
        .where(FollowUp.hazard_id == hazard.id)
        .order_by(FollowUp.id)
    ).all()
    assert [a for a, _ in steps] == [
        "raised",
        "start_fixing",
        "report_fixed",
        "reject",
        "report_fixed",
        "approve",
    ]
    assert steps[-1][1] == HazardStatus.closed


def test_workers_may_not_review_and_the_service_refuses_other_moves(people):
    hazard = raise_one(people)
    worker, officer = actor_for(people["worker"]), actor_for(people["officer"])
    services.move_hazard(worker, hazard, "report_fixed", photo=jpeg())
    with pytest.raises(services.HazardForbidden):
        services.move_hazard(worker, hazard, "approve")
    with pytest.raises(services.HazardError):
        services.move_hazard(officer, hazard, "start_fixing")  # not from awaiting review
    with pytest.raises(services.HazardError) as no_photo:
        services.move_hazard(worker, raise_one(people), "report_fixed")
    assert no_photo.value.field == "photo"
    with pytest.raises(services.HazardError) as no_note:
        services.move_hazard(officer, hazard, "reject")
    assert no_note.value.field == "note"
    assert hazard.status == HazardStatus.awaiting_review


def test_a_client_uuid_in_another_spelling_is_stored_canonical_and_resends_match(people):
    token = "7d3c0b0e-2f8a-4c1e-9b5a-0f6f1a2b3c4d"

    first = raise_one(people, client_uuid="urn:uuid:" + token.upper())
    again = raise_one(people, client_uuid=token)

    assert first.client_uuid == token
    assert again.id == first.id


def test_a_client_uuid_used_for_another_household_or_by_another_user_is_refused(people, make):
    token = "7d3c0b0e-2f8a-4c1e-9b5a-0f6f1a2b3c4d"
    raise_one(people, client_uuid=token)
    neighbour = make.household(people["tree"]["grid1"])
    colleague = actor_for(make.user("grid_worker", areas=[people["tree"]["grid1"]]))

    with pytest.raises(services.HazardError) as other_home:
        services.raise_hazard(
            actor_for(people["worker"]), neighbour, category=HazardCategory.gas,
            severity=Severity.minor, description="x", today=TODAY, client_uuid=token,
        )  # fmt: skip
    with pytest.raises(services.HazardError) as other_user:
        services.raise_hazard(
            colleague, people["household"], category=HazardCategory.gas,
            severity=Severity.minor, description="x", today=TODAY, client_uuid=token,
        )  # fmt: skip

    assert other_home.value.field == other_user.value.field == "client_uuid"
    assert db.session.scalar(select(func.count(Hazard.id))) == 1


def test_a_hazard_is_reassigned_only_to_a_worker_who_can_open_its_household(people, make):
    hazard = raise_one(people)
    officer = actor_for(people["officer"])
    other_grid = make.user("grid_worker", areas=[people["tree"]["grid2"]])
    same_grid = make.user("grid_worker", areas=[people["tree"]["grid1"]])

    with pytest.raises(services.HazardError) as refused:
        services.move_hazard(officer, hazard, "reassign", assignee_id=other_grid.id)
    services.move_hazard(officer, hazard, "reassign", assignee_id=same_grid.id)

    assert refused.value.field == "assignee_id"
    assert hazard.assignee_id == same_grid.id
    assert [w.id for w in services.assignable_workers(hazard)] == sorted(
        [people["worker"].id, same_grid.id], key=lambda i: db.session.get(User, i).username
    )


def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(people, app, monkeypatch):
    big = BytesIO()
    Image.new("1", (9400, 9400)).save(big, "PNG")  # 88 Mpx in about 10 kB
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self))

    with pytest.raises(services.HazardError) as refused:
        raise_one(people, before_photo=big.getvalue())

    assert refused.value.field == "before_photo"
    with force_locale("en"):
        assert "megapixels" in str(refused.value.message)
    assert decoded == []
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_the_pixel_limit_is_configurable(people, app, monkeypatch):
    monkeypatch.setitem(app.config, "GRIDCARE_PHOTO_MAX_PIXELS", 800 * 600 - 1)

    with pytest.raises(services.HazardError):
        raise_one(people, before_photo=jpeg(800, 600))


# What the worker hears of the review.


def reported_fixed(people):
    hazard = raise_one(people)
    services.move_hazard(actor_for(people["worker"]), hazard, "report_fixed", photo=jpeg())
    return hazard


def test_the_worker_gets_one_message_when_their_hazard_is_closed(people):
    hazard = reported_fixed(people)
    services.move_hazard(actor_for(people["officer"]), hazard, "approve")
    services.move_hazard(actor_for(people["officer"]), hazard, "comment", note="已回访")
    (message,) = notifications(people["worker"])
    assert (message.kind, message.entity, message.entity_id) == (
        "hazard_closed",
        "hazard",
        hazard.id,
    )
    with force_locale("en"):
        assert notification_text(message) == (
            "The hazard at 新华路1号 (Gas) passed review and is closed."
        )
    assert notifications(people["officer"]) == []


def test_each_sending_back_tells_the_worker_with_the_officers_note(people):
    hazard = reported_fixed(people)
    officer, worker = actor_for(people["officer"]), actor_for(people["worker"])
    services.move_hazard(officer, hazard, "reject", note="软管仍未固定")
    services.move_hazard(worker, hazard, "report_fixed", photo=jpeg())
    services.move_hazard(officer, hazard, "reject", note="阀门仍漏气")
    sent_back = [m for m in notifications(people["worker"]) if m.kind == "hazard_sent_back"]
    assert [m.params["note"] for m in sent_back] == ["软管仍未固定", "阀门仍漏气"]
    with force_locale("en"):
        assert notification_text(sent_back[0]).endswith("was sent back: 软管仍未固定")
