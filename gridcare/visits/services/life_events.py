"""Life events (重大变故): a resident's major change, the urgent visit it calls for within
hours, and the officers told once when that visit was not done in time."""

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from gridcare.accounts.lookups import areas_of, grid_workers, officers_over
from gridcare.accounts.models import Permission, Role
from gridcare.accounts.services import Actor, notify
from gridcare.areas.models import Area
from gridcare.clock import today as local_today
from gridcare.clock import utc_to_local_date, utcnow
from gridcare.extensions import db
from gridcare.registry.models import Household, Resident, ResidentStatus
from gridcare.visits.models import (
    LifeEvent,
    LifeEventKind,
    Visit,
    VisitKind,
    VisitStatus,
    canonical_client_uuid,
)
from gridcare.visits.services.errors import VisitError

# How far back an event may be recorded: older news calls for no urgent visit.
MAX_DAYS_BACK = 30

EVENT_UUID_USED = _l(
    "This form was already used for another event, so nothing was recorded. "
    "Open the form again and send it."
)
EVENT_UUID_BROKEN = _l(
    "The form arrived incomplete, so nothing was recorded. Open it again and send it."
)


def event_visit_hours() -> int:
    return int(current_app.config["GRIDCARE_EVENT_VISIT_HOURS"])


def record_life_event(
    actor: Actor,
    household: Household,
    *,
    resident_id: int | None,
    kind: LifeEventKind,
    occurred_on: date,
    client_uuid: str,
    notes: str = "",
) -> LifeEvent:
    """Record an event for a resident and give the household an urgent home visit, due
    within GRIDCARE_EVENT_VISIT_HOURS, for the worker who records it or the grid's worker.

    A household that already has an open urgent visit gets no second one: the event joins
    it. A form sent twice (same `client_uuid`) by the same person records the event once.
    """
    if not actor.can(Permission.log_visits) or not actor.scope.covers(household.grid.path):
        raise VisitError("resident_id", _l("You cannot record events for this household."))
    client_uuid = _event_uuid(client_uuid)
    already = _event_by_uuid(client_uuid)
    if already is not None:
        return _resent(already, actor, household)
    resident = db.session.get(Resident, resident_id) if resident_id else None
    if resident is None or resident.household_id != household.id:
        raise VisitError("resident_id", _l("Choose a resident of this household."))
    if resident.status != ResidentStatus.active:
        raise VisitError("resident_id", _l("This resident no longer lives here."))
    today = local_today()
    if occurred_on > today:
        raise VisitError("occurred_on", _l("The event cannot be in the future."))
    if occurred_on < today - timedelta(days=MAX_DAYS_BACK):
        raise VisitError(
            "occurred_on",
            _l("Record events of the last %(days)d days: older ones call for no urgent visit.")
            % {"days": MAX_DAYS_BACK},
        )
    now = utcnow()
    try:
        visit = _open_urgent_visit(household.id) or _new_urgent_visit(actor, household, now)
        event = LifeEvent(
            household_id=household.id,
            resident_id=resident.id,
            kind=kind,
            occurred_on=occurred_on,
            notes=(notes or "").strip(),
            visit_id=visit.id,
            recorded_by_id=actor.user_id,
            recorded_at=now,
            client_uuid=client_uuid,
        )
        db.session.add(event)
        db.session.flush()
        actor.audit("create", "life_event", event.id, ["kind", "occurred_on", "resident_id"])
        if visit.worker_id and visit.worker_id != actor.user_id:
            notify(
                [visit.worker_id],
                "event_visit",
                entity="household",
                entity_id=household.id,
                params={
                    "address": household.full_address,
                    "kind": kind.value,
                    "hours": event_visit_hours(),
                },
                dedupe=f"event_visit:{event.id}",
            )
        db.session.commit()
    except IntegrityError:
        # The same form, sent twice at the same moment: the other request recorded it.
        db.session.rollback()
        existing = _event_by_uuid(client_uuid)
        if existing is None:
            raise
        return _resent(existing, actor, household)
    return event


def _event_uuid(value: str) -> str:
    try:
        return canonical_client_uuid(value or "")
    except ValueError as exc:
        raise VisitError("resident_id", EVENT_UUID_BROKEN) from exc


def _event_by_uuid(client_uuid: str) -> LifeEvent | None:
    return db.session.scalar(select(LifeEvent).where(LifeEvent.client_uuid == client_uuid))


def _resent(event: LifeEvent, actor: Actor, household: Household) -> LifeEvent:
    if event.household_id != household.id or event.recorded_by_id != actor.user_id:
        raise VisitError("resident_id", EVENT_UUID_USED)
    return event


def _open_urgent_visit(household_id: int) -> Visit | None:
    return db.session.scalar(
        select(Visit)
        .where(
            Visit.household_id == household_id,
            Visit.status == VisitStatus.planned,
            Visit.due_at.is_not(None),
        )
        .order_by(Visit.due_at)
        .limit(1)
    )


def _new_urgent_visit(actor: Actor, household: Household, now: datetime) -> Visit:
    """A one-off home visit due within hours. It belongs to no schedule, so it stands beside
    the household's routine task (the one-open-task index is for schedule-born visits)."""
    due_at = now + timedelta(hours=event_visit_hours())
    due_on = utc_to_local_date(due_at)
    worker_id = _worker_for(actor, household)
    visit = Visit(
        household_id=household.id,
        kind=VisitKind.home_visit,
        due_date=due_on,
        window_end=due_on,
        due_at=due_at,
        status=VisitStatus.planned,
        worker_id=worker_id,
        created_by_id=actor.user_id,
    )
    db.session.add(visit)
    db.session.flush()
    actor.audit("assign", "visit", visit.id, ["kind", "due_date", "due_at", "worker_id"])
    return visit


def _worker_for(actor: Actor, household: Household) -> int | None:
    """The worker who recorded the event goes, if the home is theirs; else the grid's worker."""
    mine = actor.role == Role.grid_worker and actor.user_id is not None
    if mine and areas_of([actor.user_id])[actor.user_id].covers(household.grid.path):
        return actor.user_id
    return grid_workers([household.grid_id]).get(household.grid_id)


def household_life_events(household_id: int, limit: int = 30) -> list[LifeEvent]:
    """A household's events, newest first, with the resident, the recorder and the visit."""
    return list(
        db.session.scalars(
            select(LifeEvent)
            .where(LifeEvent.household_id == household_id)
            .options(
                selectinload(LifeEvent.resident),
                selectinload(LifeEvent.recorded_by),
                selectinload(LifeEvent.visit),
            )
            .order_by(LifeEvent.recorded_at.desc(), LifeEvent.id.desc())
            .limit(limit)
        )
    )


def escalate_event_visits(now: datetime | None = None) -> int:
    """Tell the community's officers, once, about each urgent visit not done by its time.

    Idempotent: an event is escalated once (`escalated_at`, and the message's dedupe key),
    so running again in the same hour, or the next, sends nothing new.
    """
    now = now or utcnow()
    late = db.session.execute(
        select(LifeEvent, Visit, Household, Area.path)
        .join(Visit, Visit.id == LifeEvent.visit_id)
        .join(Household, Household.id == LifeEvent.household_id)
        .join(Area, Area.id == Household.grid_id)
        .where(
            LifeEvent.escalated_at.is_(None),
            Visit.status.in_((VisitStatus.planned, VisitStatus.missed)),
            Visit.due_at < now,
        )
        .order_by(LifeEvent.id)
    ).all()
    for event, _visit, household, grid_path in late:
        event.escalated_at = now
        notify(
            officers_over(grid_path),
            "event_visit_overdue",
            entity="household",
            entity_id=household.id,
            params={
                "address": household.full_address,
                "kind": event.kind.value,
                "hours": event_visit_hours(),
            },
            dedupe=f"event_escalation:{event.id}",
        )
    db.session.commit()
    return len(late)
