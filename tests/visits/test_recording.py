"""Logging visits and checks: completion, idempotency, location verdicts and refusals."""

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gridcare.accounts.services import actor_for
from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.visits import services
from gridcare.visits.models import (
    LocationVerdict,
    Outcome,
    Visit,
    VisitKind,
    VisitMethod,
    VisitStatus,
)
from tests.conftest import TEST_DAY

TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")
HOME = (39.7700, 98.2900)


@pytest.fixture
def setup(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    household = make.household(tree["grid1"], lat=HOME[0], lon=HOME[1])
    make.resident(household, birth_date=date(1940, 1, 1), lives_alone=True)
    services.generate_visits(TODAY)
    return tree, actor_for(worker), household


def visits_of(household, status=None):
    stmt = select(Visit).where(Visit.household_id == household.id)
    if status:
        stmt = stmt.where(Visit.status == status)
    return list(db.session.scalars(stmt))


def log(actor, household, **kwargs):
    kwargs.setdefault("kind", VisitKind.home_visit)
    kwargs.setdefault("client_uuid", str(uuid.uuid4()))
    kwargs.setdefault("outcome", Outcome.well)
    return services.log_visit(actor, household, **kwargs)


def test_logging_completes_the_open_planned_visit(setup):
    _, actor, household = setup
    (open_visit,) = visits_of(household, VisitStatus.planned)[:1] or [None]
    home_visit = next(
        v for v in visits_of(household, VisitStatus.planned) if v.kind == "home_visit"
    )

    visit = log(actor, household)

    assert visit.id == home_visit.id
    assert visit.status == VisitStatus.done
    assert visit.completed_by_id == actor.user_id
    assert visit.method == VisitMethod.in_person
    assert len(visits_of(household, VisitStatus.planned)) == 2  # the next visit and the check


def test_a_resent_form_returns_the_visit_already_stored(setup):
    _, actor, household = setup
    token = str(uuid.uuid4())
    first = log(actor, household, client_uuid=token)
    second = log(actor, household, client_uuid=token, notes="sent again")
    assert second.id == first.id
    assert second.notes == ""
    assert len(visits_of(household, VisitStatus.done)) == 1


def test_a_visit_without_a_planned_task_is_stored_as_an_extra_visit(setup, make):
    tree, actor, _ = setup
    no_level = make.household(tree["grid1"])
    make.resident(no_level, birth_date=date(1975, 1, 1))
    extra = log(actor, no_level, outcome=Outcome.concerns, notes="咳嗽，建议就医")
    assert extra.schedule_id is None
    assert extra.outcome == Outcome.concerns
    assert extra.status == VisitStatus.done
    assert visits_of(no_level, VisitStatus.planned) == []


def test_logging_again_completes_the_next_planned_visit_early(setup):
    _, actor, household = setup
    first = log(actor, household)
    second = log(actor, household)
    assert second.id != first.id
    assert second.schedule_id == first.schedule_id
    assert len(visits_of(household, VisitStatus.done)) == 2


def test_a_visit_whose_task_was_swept_to_missed_is_still_stored(setup):
    _, actor, household = setup
    task = next(v for v in visits_of(household, VisitStatus.planned) if v.kind == "home_visit")
    services.close_missed(task.window_end + timedelta(days=1))
    visit = log(actor, household, visit_id=task.id, notes="胸口疼")
    assert visit.id != task.id
    assert visit.notes == "胸口疼"
    assert db.session.get(Visit, task.id).status == VisitStatus.missed


def test_phone_calls_and_not_home_attempts_leave_the_task_open(setup):
    _, actor, household = setup
    task = next(v for v in visits_of(household, VisitStatus.planned) if v.kind == "home_visit")
    call = log(actor, household, method=VisitMethod.phone, visit_id=task.id)
    attempt = log(actor, household, outcome=None, not_home=True, visit_id=task.id)
    assert {call.id, attempt.id}.isdisjoint({task.id})
    assert (call.method, attempt.status) == (VisitMethod.phone, VisitStatus.not_home)
    assert db.session.get(Visit, task.id).status == VisitStatus.planned


def test_a_safety_check_by_phone_is_refused(setup):
    _, actor, household = setup
    answers = {item.code: "pass" for item in services.checklist_items()}
    with pytest.raises(services.VisitError) as refused:
        log(
            actor,
            household,
            kind=VisitKind.safety_check,
            method=VisitMethod.phone,
            checklist=answers,
        )
    assert refused.value.field == "method"


def test_a_back_dated_visit_does_not_complete_the_next_task(setup):
    _, actor, household = setup
    log(actor, household)  # today: the next weekly visit is planned a week on
    (next_task,) = [v for v in visits_of(household, VisitStatus.planned) if v.kind == "home_visit"]
    forgotten = log(actor, household, completed_at=utcnow() - timedelta(days=6))
    assert forgotten.id != next_task.id
    db.session.refresh(next_task)
    assert next_task.status == VisitStatus.planned


def test_a_completion_time_in_the_future_is_refused(setup):
    _, actor, household = setup
    with pytest.raises(services.VisitError) as refused:
        log(actor, household, completed_at=utcnow() + timedelta(hours=2))
    assert refused.value.field == "completed_at"
    assert visits_of(household, VisitStatus.done) == []


def test_coordinates_out_of_range_are_refused(setup):
    _, actor, household = setup
    with pytest.raises(services.VisitError):
        log(actor, household, position=services.Position(123.0, 98.29, 10))
    assert visits_of(household, VisitStatus.done) == []


@pytest.mark.parametrize(
    ("position", "verdict"),
    [
        (services.Position(39.7705, 98.2900, 10), LocationVerdict.near),  # ~55 m
        (services.Position(39.7800, 98.2900, 20), LocationVerdict.far),  # ~1.1 km
        (services.Position(39.7720, 98.2900, 300), LocationVerdict.near),  # 222 m, vague fix
        (None, LocationVerdict.unknown),
    ],
)
def test_check_in_verdict_uses_distance_radius_and_accuracy(setup, position, verdict):
    _, actor, household = setup
    visit = log(actor, household, position=position)
    assert visit.location_verdict == verdict
    if position:
        assert visit.distance_m > 0


def test_safety_check_needs_every_item_and_keeps_failed_ones(setup):
    _, actor, household = setup
    items = services.checklist_items()
    assert {"gas_hose", "smoke_alarm"} <= {i.code for i in items}
    with pytest.raises(services.VisitError):
        log(actor, household, kind=VisitKind.safety_check, checklist={"gas_hose": "fail"})
    answers = {item.code: "pass" for item in items} | {"gas_hose": "fail"}
    visit = log(actor, household, kind=VisitKind.safety_check, checklist=answers)
    assert visit.failed_items == ["gas_hose"]
    assert visit.kind == VisitKind.safety_check


@pytest.mark.parametrize(
    "spelling", ["urn:uuid:{}", "{{{}}}", "{}", "UPPER"], ids=["urn", "braces", "plain", "upper"]
)
def test_a_client_uuid_in_any_spelling_is_stored_canonical_and_resends_match(setup, spelling):
    _, actor, household = setup
    token = uuid.uuid4()
    sent = str(token).upper() if spelling == "UPPER" else spelling.format(token)

    first = log(actor, household, client_uuid=sent)
    again = log(actor, household, client_uuid=str(token))

    assert first.client_uuid == str(token)
    assert again.id == first.id
    assert len(visits_of(household, VisitStatus.done)) == 1


def test_a_client_uuid_used_for_another_household_is_refused(setup, make):
    tree, actor, household = setup
    token = str(uuid.uuid4())
    log(actor, household, client_uuid=token)
    other = make.household(tree["grid1"])

    with pytest.raises(services.VisitError) as refused:
        log(actor, other, client_uuid=token)

    assert refused.value.field == "client_uuid"
    assert visits_of(other, VisitStatus.done) == []


def test_a_client_uuid_used_by_another_worker_is_refused(setup, make):
    tree, actor, household = setup
    token = str(uuid.uuid4())
    log(actor, household, client_uuid=token)
    colleague = actor_for(make.user("grid_worker", areas=[tree["grid1"]]))

    with pytest.raises(services.VisitError) as refused:
        log(colleague, household, client_uuid=token)

    assert refused.value.field == "client_uuid"


def test_a_failed_item_makes_the_safety_check_one_with_concerns(setup):
    _, actor, household = setup
    answers = {item.code: "pass" for item in services.checklist_items()} | {"smoke_alarm": "fail"}
    visit = log(actor, household, kind=VisitKind.safety_check, checklist=answers)
    assert visit.outcome == Outcome.concerns
    passed = {item.code: "pass" for item in services.checklist_items()}
    assert log(actor, household, kind=VisitKind.safety_check, checklist=passed).outcome == "well"
