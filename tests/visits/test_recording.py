"""Recording a visit (`log_visit`): completion, idempotency, location verdicts and refusals."""

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


def all_pass():
    return {item.code: "pass" for item in services.checklist_items()}


def test_the_checklist_is_the_active_items_in_their_order(setup):
    items = services.checklist_items()
    assert [i.position for i in items] == sorted(i.position for i in items)
    items[0].active = False
    db.session.commit()
    assert items[0].code not in {i.code for i in services.checklist_items()}


@pytest.mark.parametrize(
    "change", [{"made_up_item": "pass"}, {"gas_hose": "maybe"}], ids=["unknown", "answer"]
)
def test_a_checklist_with_an_unknown_item_or_answer_is_refused(setup, change):
    _, actor, household = setup
    with pytest.raises(services.VisitError) as refused:
        log(actor, household, kind=VisitKind.safety_check, checklist=all_pass() | change)
    assert refused.value.field == "checklist"
    assert visits_of(household, VisitStatus.done) == []


def test_a_visit_without_an_outcome_is_refused(setup):
    _, actor, household = setup
    with pytest.raises(services.VisitError) as refused:
        log(actor, household, outcome=None)
    assert refused.value.field == "outcome"


def test_a_not_home_attempt_keeps_no_outcome_and_no_checklist(setup):
    _, actor, household = setup
    visit = log(
        actor, household, kind=VisitKind.safety_check, not_home=True, checklist={"x": "fail"}
    )
    assert visit.status == VisitStatus.not_home
    assert (visit.outcome, visit.checklist) == (None, {})


def test_a_task_of_another_household_or_kind_is_refused(setup, make):
    tree, actor, household = setup
    neighbour = make.household(tree["grid1"])
    make.resident(neighbour, birth_date=date(1939, 1, 1), lives_alone=True)
    services.generate_visits(TODAY)
    theirs = visits_of(neighbour, VisitStatus.planned)[0]
    with pytest.raises(services.VisitError) as refused:
        log(actor, household, visit_id=theirs.id)
    assert refused.value.field == "visit"
    check = next(v for v in visits_of(household, VisitStatus.planned) if v.kind == "safety_check")
    with pytest.raises(services.VisitError) as refused:
        log(actor, household, visit_id=check.id)  # a home visit against the safety check
    assert refused.value.field == "kind"


def test_a_form_that_arrived_without_its_uuid_is_refused(setup):
    _, actor, household = setup
    with pytest.raises(services.VisitError) as refused:
        log(actor, household, client_uuid="not-a-uuid")
    assert refused.value.field == "client_uuid"
    assert refused.value.message == services.UUID_BROKEN


def test_an_implausible_position_accuracy_is_refused(setup):
    _, actor, household = setup
    with pytest.raises(services.VisitError) as refused:
        log(actor, household, position=services.Position(39.77, 98.29, -5))
    assert refused.value.field == "accuracy_m"


def test_a_recorded_visit_is_audited_by_field_name_never_by_value(setup, new_events):
    _, actor, household = setup
    visit = log(actor, household, notes="老人说最近睡得不好")
    (event,) = new_events("log", "visit")
    assert event.entity_id == visit.id
    assert "notes" in event.field_names
    assert "睡得" not in event.fields


def test_a_visit_at_a_household_with_no_coordinates_has_an_unknown_location(setup, make):
    tree, actor, _ = setup
    unplaced = make.household(tree["grid1"])
    visit = log(actor, unplaced, position=services.Position(39.77, 98.29, 10))
    assert visit.location_verdict == LocationVerdict.unknown
    assert visit.extra  # no task there: kept as an extra visit
