"""Life events (重大变故): the urgent visit within hours, on top of the worker's list, and
the officers told once when it was not done in time."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from gridcare.accounts.models import Notification
from gridcare.accounts.services import actor_for
from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.registry.models import Household, Resident
from gridcare.registry.services.lookups import HOUSEHOLD_WITH_RESIDENTS
from gridcare.reports.life_events import life_event_counts
from gridcare.reports.periods import month
from gridcare.visits import services
from gridcare.visits.models import (
    LifeEvent,
    LifeEventKind,
    Outcome,
    Visit,
    VisitKind,
    VisitStatus,
)
from tests.conftest import TEST_DAY
from tests.visits.conftest import open_tasks

TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")


def record(actor, household, kind=LifeEventKind.hospitalised, **fields):
    values = {
        "resident_id": _resident_id(household),
        "kind": kind,
        "occurred_on": TODAY,
        "client_uuid": str(uuid.uuid4()),
        **fields,
    }
    return services.record_life_event(actor, _loaded(household), **values)


def _resident_id(household) -> int:
    return db.session.scalar(select(Resident.id).where(Resident.household_id == household.id))


def _loaded(household):
    return db.session.scalar(
        select(Household).where(Household.id == household.id).options(*HOUSEHOLD_WITH_RESIDENTS)
    )


def test_hospitalised_gives_an_urgent_visit_within_24_hours_at_the_top_of_the_list(community):
    worker = actor_for(community["worker"])
    services.generate_visits(TODAY)
    # An overdue routine task elsewhere, which would otherwise lead the list.
    (routine,) = open_tasks(community["disabled"], VisitKind.home_visit)
    routine.due_date = TODAY - timedelta(days=3)
    db.session.commit()

    event = record(worker, community["alone"])

    visit = db.session.get(Visit, event.visit_id)
    assert visit.urgent and visit.schedule_id is None
    assert visit.worker_id == community["worker"].id
    hours = (visit.due_at - utcnow()).total_seconds() / 3600
    assert 23.9 < hours <= 24
    # Beside the household's routine schedule-born task: the one-open-task index allows it.
    assert len(open_tasks(community["alone"], VisitKind.home_visit)) == 2

    day = services.worker_day(community["worker"].id, worker.scope, TODAY)
    assert day.urgent[0].visit_id == visit.id
    assert visit.id not in [row.visit_id for row in day.overdue]
    assert day.overdue[0].visit_id == routine.id


def test_the_urgent_visit_is_the_one_a_visit_completes(community):
    worker = actor_for(community["worker"])
    services.generate_visits(TODAY)
    event = record(worker, community["alone"], kind=LifeEventKind.fell)
    logged = services.log_visit(
        worker,
        _loaded(community["alone"]),
        kind=VisitKind.home_visit,
        client_uuid=str(uuid.uuid4()),
        outcome=Outcome.well,
    )
    assert logged.id == event.visit_id
    counts = life_event_counts(community["tree"]["district"], month(TODAY))
    assert (counts.events, counts.urgent_visits, counts.done_in_time) == (1, 1, 1)
    assert counts.by_kind == {"fell": 1}


def test_a_second_event_joins_the_open_urgent_visit(community):
    worker = actor_for(community["worker"])
    first = record(worker, community["alone"])
    second = record(worker, community["alone"], kind=LifeEventKind.bereaved)
    assert first.visit_id == second.visit_id


def test_a_resent_form_records_the_event_once(community):
    worker = actor_for(community["worker"])
    token = str(uuid.uuid4())
    first = record(worker, community["alone"], client_uuid=token)
    again = record(worker, community["alone"], client_uuid=token.upper())
    assert first.id == again.id
    assert db.session.scalar(select(db.func.count(LifeEvent.id))) == 1


def test_an_officer_records_it_for_the_grids_worker_who_is_told(community):
    officer = actor_for(community["officer"])
    event = record(officer, community["alone"], kind=LifeEventKind.fire_or_gas)
    visit = db.session.get(Visit, event.visit_id)
    assert visit.worker_id == community["worker"].id
    (note,) = db.session.scalars(
        select(Notification).where(Notification.user_id == community["worker"].id)
    )
    assert note.kind == "event_visit" and note.entity_id == community["alone"].id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"occurred_on": TODAY + timedelta(days=1)}, "occurred_on"),
        ({"occurred_on": TODAY - timedelta(days=31)}, "occurred_on"),
        ({"resident_id": None}, "resident_id"),
        ({"client_uuid": "not a uuid"}, "resident_id"),
    ],
)
def test_bad_input_is_refused_and_records_nothing(community, fields, field):
    worker = actor_for(community["worker"])
    with pytest.raises(services.VisitError) as refused:
        record(worker, community["alone"], **fields)
    assert refused.value.field == field
    assert db.session.scalar(select(db.func.count(LifeEvent.id))) == 0


def test_a_resident_of_another_household_is_refused(community):
    worker = actor_for(community["worker"])
    with pytest.raises(services.VisitError):
        record(worker, community["alone"], resident_id=_resident_id(community["disabled"]))


def test_a_household_outside_the_workers_grid_is_refused(community):
    worker = actor_for(community["worker"])
    with pytest.raises(services.VisitError):
        record(worker, community["elsewhere"])


def test_not_done_in_time_escalates_to_the_officer_once(community):
    worker = actor_for(community["worker"])
    event = record(worker, community["alone"])
    assert services.escalate_event_visits() == 0  # not late yet
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        assert services.escalate_event_visits() == 1
        assert services.escalate_event_visits() == 0
    notes = list(
        db.session.scalars(select(Notification).where(Notification.kind == "event_visit_overdue"))
    )
    assert [n.user_id for n in notes] == [community["officer"].id]
    db.session.expire_all()
    assert db.session.get(LifeEvent, event.id).escalated_at is not None


def test_an_urgent_visit_done_in_time_is_never_escalated(community):
    worker = actor_for(community["worker"])
    record(worker, community["alone"])
    services.log_visit(
        worker,
        _loaded(community["alone"]),
        kind=VisitKind.home_visit,
        client_uuid=str(uuid.uuid4()),
        outcome=Outcome.well,
    )
    with time_machine.travel(utcnow() + timedelta(hours=30), tick=False):
        assert services.escalate_event_visits() == 0


def test_the_hours_come_from_configuration(app, community):
    worker = actor_for(community["worker"])
    app.config["GRIDCARE_EVENT_VISIT_HOURS"] = 6
    try:
        event = record(worker, community["alone"])
    finally:
        app.config["GRIDCARE_EVENT_VISIT_HOURS"] = 24
    visit = db.session.get(Visit, event.visit_id)
    assert 5.9 < (visit.due_at - utcnow()).total_seconds() / 3600 <= 6
    assert visit.status == VisitStatus.planned
