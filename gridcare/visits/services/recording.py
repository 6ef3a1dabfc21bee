"""Recording a visit: where a worker's visit or safety check is logged, once, and
completes the household's open task."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from gridcare import geo
from gridcare.accounts.services import Actor
from gridcare.clock import utc_to_local_date, utcnow
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.visits.models import (
    ChecklistItem,
    CheckResult,
    LocationVerdict,
    Outcome,
    Visit,
    VisitKind,
    VisitMethod,
    VisitStatus,
    canonical_client_uuid,
)
from gridcare.visits.services import months
from gridcare.visits.services.errors import VisitError
from gridcare.visits.services.planning import plan_due_visits


@dataclass(frozen=True)
class Position:
    lat: float
    lon: float
    accuracy_m: float | None = None


def _validate_position(position: Position | None) -> None:
    if position is None:
        return
    if not geo.valid_point(position.lat, position.lon):
        raise VisitError(
            "lat", _l("The position is out of range: latitude −90…90, longitude −180…180.")
        )
    if position.accuracy_m is not None and not 0 <= position.accuracy_m <= 100_000:
        raise VisitError("accuracy_m", _l("The position's accuracy is not plausible."))


def checklist_items() -> list[ChecklistItem]:
    """The active safety-check items, in order."""
    return list(
        db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.active.is_(True))
            .order_by(ChecklistItem.position)
        )
    )


def _validate_checklist(kind: VisitKind, checklist: dict[str, str] | None) -> dict[str, str]:
    if kind != VisitKind.safety_check:
        return {}
    checklist = checklist or {}
    codes = {item.code for item in checklist_items()}
    unknown = set(checklist) - codes
    if unknown:
        raise VisitError("checklist", _l("The checklist has items this form does not know."))
    missing = codes - set(checklist)
    if missing:
        raise VisitError("checklist", _l("Every checklist item needs an answer."))
    allowed = {r.value for r in CheckResult}
    if any(value not in allowed for value in checklist.values()):
        raise VisitError("checklist", _l("Answer each item with pass, fail or not applicable."))
    return dict(checklist)


def log_visit(
    actor: Actor,
    household: Household,
    *,
    kind: VisitKind,
    client_uuid: str,
    outcome: Outcome | None,
    method: VisitMethod = VisitMethod.in_person,
    not_home: bool = False,
    notes: str = "",
    checklist: dict[str, str] | None = None,
    position: Position | None = None,
    completed_at: datetime | None = None,
    visit_id: int | None = None,
) -> Visit:
    """Record a visit or safety check at a household; an in-person one completes its open task.

    A form sent twice (same `client_uuid`) returns the visit stored the first time. A
    visit that really happened is never refused because its task closed meanwhile: it
    then completes the household's current task, or is kept as an extra visit. Phone
    and video calls and not-home attempts are kept too, but leave the task open for a visit.
    """
    client_uuid = _client_uuid(client_uuid)
    already = _visit_by_uuid(client_uuid)
    if already is not None:
        return _resent(already, actor, household)
    # Bounded only now: a resent record the server already holds is answered as stored,
    # however late the phone sends it again.
    now = utcnow()
    completed_at = recorded_time(completed_at) or now
    if not household.active:
        raise VisitError(
            "household",
            _l(
                "%(address)s is no longer on the register (moved out), so the visit was not "
                "stored. Check with your officer, or discard the record.",
                address=household.full_address,
            ),
        )
    _validate_position(position)
    if not_home:
        method, outcome = VisitMethod.in_person, None
    elif outcome is None:
        raise VisitError("outcome", _l("Choose how the visit went."))
    if kind == VisitKind.safety_check and method != VisitMethod.in_person:
        raise VisitError("method", _l("A safety check is done in person."))
    checklist = {} if not_home else _validate_checklist(kind, checklist)
    if CheckResult.failed.value in checklist.values():
        outcome = Outcome.concerns  # a failed item is a concern, whatever was ticked

    home = (household.lat, household.lon) if household.lat is not None else None
    phone = (position.lat, position.lon) if position else None
    radius = float(current_app.config["GRIDCARE_CHECKIN_RADIUS_M"])
    distance, verdict = geo.check_in_verdict(
        phone, position.accuracy_m if position else None, home, radius
    )
    values = {
        "status": VisitStatus.not_home if not_home else VisitStatus.done,
        "completed_by_id": actor.user_id,
        "completed_at": completed_at,
        "method": method,
        "outcome": outcome,
        "checklist": checklist,
        "notes": notes.strip(),
        "lat": position.lat if position else None,
        "lon": position.lon if position else None,
        "accuracy_m": position.accuracy_m if position else None,
        "distance_m": distance,
        "location_verdict": LocationVerdict(verdict.value),
        "client_uuid": client_uuid,
        "updated_at": now,
    }
    completes = not not_home and method == VisitMethod.in_person
    task = _task_to_complete(household, kind, visit_id, completed_at) if completes else None
    # The days whose months the record counts in: its completion, and the window it closes.
    days = [utc_to_local_date(completed_at), *([task.window_end] if task is not None else [])]
    try:
        stored = months.hold([household.id], days)
        visit_id = _complete(task, values) if task is not None else None
        if visit_id is None:
            visit = Visit(
                household_id=household.id,
                kind=kind,
                due_date=utc_to_local_date(completed_at),
                window_end=utc_to_local_date(completed_at),
                worker_id=actor.user_id,
                created_by_id=actor.user_id,
                extra=True,
                **values,
            )
            db.session.add(visit)
            db.session.flush()
            visit_id = visit.id
        actor.audit(
            "log", "visit", visit_id, [k for k, v in values.items() if v not in (None, "", {})]
        )
        if task is not None and task.schedule_id is not None:
            plan_due_visits(utc_to_local_date(now), [household.id])
        months.rewrite([household.id], days, stored)
        db.session.commit()
    except IntegrityError:
        # The same form, sent twice at the same moment: the other request stored it.
        db.session.rollback()
        existing = _visit_by_uuid(client_uuid)
        if existing is None:
            raise
        return _resent(existing, actor, household)
    return db.session.get(Visit, visit_id)


# A phone's clock may run a little ahead of the server's: within this, "now".
CLOCK_SKEW = timedelta(minutes=5)


def recorded_time(completed_at: datetime | None) -> datetime | None:
    """When a visit sent from the field happened, as the phone or the worker said: never
    later than now, and no earlier than the outbox may hold a record (GRIDCARE_OFFLINE_DAYS).

    None (not said) stays None: the visit is then logged as of now.
    """
    if completed_at is None:
        return None
    now = utcnow()
    if completed_at > now + CLOCK_SKEW:
        raise VisitError("completed_at", _l("A visit cannot be logged in the future."))
    days = current_app.config["GRIDCARE_OFFLINE_DAYS"]
    if completed_at < now - timedelta(days=days):
        raise VisitError(
            "completed_at",
            _l(
                "A visit can be logged up to %(days)d days after it happened; this one is "
                "older. Tell your officer about it instead.",
                days=days,
            ),
        )
    return min(completed_at, now)


UUID_USED = _l(
    "This form was already used for another visit, so nothing was stored. "
    "Open the form again and send it."
)
UUID_BROKEN = _l("The form arrived incomplete, so nothing was stored. Open it again and send it.")


def _client_uuid(value: str) -> str:
    try:
        return canonical_client_uuid(value or "")
    except ValueError as exc:
        raise VisitError("client_uuid", UUID_BROKEN) from exc


def _resent(visit: Visit, actor: Actor, household: Household) -> Visit:
    """The visit a resent form stored, if it is really the same form; else a refusal."""
    if visit.household_id != household.id or visit.completed_by_id != actor.user_id:
        raise VisitError("client_uuid", UUID_USED)
    return visit


def _complete(task: Visit, values: dict) -> int | None:
    """Complete a task if it is still planned (two phones cannot both complete it)."""
    done = db.session.execute(
        update(Visit)
        .where(Visit.id == task.id, Visit.status == VisitStatus.planned)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(task)
    return task.id if done else None


def _visit_by_uuid(client_uuid: str) -> Visit | None:
    return db.session.scalar(select(Visit).where(Visit.client_uuid == client_uuid))


def _task_to_complete(
    household: Household, kind: VisitKind, visit_id: int | None, completed_at: datetime
) -> Visit | None:
    """The task a visit completes: the one named if still open, else the household's
    earliest open task of that kind. A visit from before a task existed completes none."""
    task = None
    if visit_id is not None:
        task = db.session.scalar(
            select(Visit).where(Visit.id == visit_id, Visit.household_id == household.id)
        )
        if task is None:
            raise VisitError("visit", _l("This task does not belong to this household."))
        if task.kind != kind:
            raise VisitError("kind", _l("This task is of another kind."))
        if task.status != VisitStatus.planned:
            task = None
    if task is None:
        task = db.session.scalar(
            select(Visit)
            .where(
                Visit.household_id == household.id,
                Visit.kind == kind,
                Visit.status == VisitStatus.planned,
            )
            # An urgent visit after a life event is the one the worker came for.
            .order_by(Visit.due_at.is_(None), Visit.due_date, Visit.id)
            .limit(1)
        )
    if task is not None and _predates(task, completed_at):
        return None
    return task


def _predates(task: Visit, completed_at: datetime) -> bool:
    """Whether a visit happened before this task was due to anyone: before the schedule's
    last completion, or before a one-off task was assigned. It is then history only."""
    if task.schedule_id is None:
        return completed_at < task.created_at
    last = db.session.scalar(
        select(func.max(Visit.completed_at)).where(
            Visit.schedule_id == task.schedule_id, Visit.status == VisitStatus.done
        )
    )
    return last is not None and completed_at <= last
