"""Hazards and their follow-ups: raised, fixed, reviewed, closed, and never forgotten."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from gridcare.accounts.models import Permission, Role, User, user_area
from gridcare.accounts.services import Actor, notify
from gridcare.areas.models import Area
from gridcare.areas.scope import EVERYWHERE, Scope
from gridcare.clock import utcnow
from gridcare.dialects import count_if
from gridcare.errors import FieldError
from gridcare.extensions import db
from gridcare.hazards.models import (
    FollowUp,
    Hazard,
    HazardCategory,
    HazardStatus,
    Photo,
    PhotoStage,
    Severity,
)
from gridcare.hazards.photos import PhotoError, discard_photo, store_photo
from gridcare.registry.models import Household
from gridcare.visits.models import ChecklistItem, Visit, VisitStatus, canonical_client_uuid
from gridcare.visits.services import grid_workers, workers_in_scope

OPEN_STATUSES = (HazardStatus.open, HazardStatus.rectifying, HazardStatus.awaiting_review)


class HazardError(FieldError):
    """A request the rules refuse; the message says why and nothing was stored."""


class HazardForbidden(HazardError):
    """A move this role may not make."""


@dataclass(frozen=True)
class Move:
    """One step of the lifecycle: where it may start, where it ends, who may make it."""

    action: str
    sources: tuple[HazardStatus, ...]
    target: HazardStatus | None  # None: the status stays
    permission: Permission
    needs_note: bool = False
    needs_photo: bool = False


# Workers report and rectify; officers review, reassign and close. Nothing else moves.
MOVES: dict[str, Move] = {
    move.action: move
    for move in (
        Move("start_fixing", (HazardStatus.open,), HazardStatus.rectifying, Permission.log_visits),
        Move(
            "report_fixed",
            (HazardStatus.open, HazardStatus.rectifying),
            HazardStatus.awaiting_review,
            Permission.log_visits,
            needs_photo=True,
        ),
        Move(
            "approve",
            (HazardStatus.awaiting_review,),
            HazardStatus.closed,
            Permission.assign_visits,
        ),
        Move(
            "reject",
            (HazardStatus.awaiting_review,),
            HazardStatus.rectifying,
            Permission.assign_visits,
            needs_note=True,
        ),
        Move("reassign", OPEN_STATUSES, None, Permission.assign_visits),
        Move("comment", (*OPEN_STATUSES, HazardStatus.closed), None, Permission.log_visits),
    )
}
ACTION_LABELS = {
    "raised": _l("Raised"),
    "fixed_on_spot": _l("Fixed on the spot"),
    "start_fixing": _l("Fixing started"),
    "report_fixed": _l("Reported fixed"),
    "approve": _l("Review passed, closed"),
    "reject": _l("Review failed, to be fixed again"),
    "reassign": _l("Reassigned"),
    "comment": _l("Note"),
    "escalated": _l("Escalated: past the deadline"),
}


def allowed_moves(actor: Actor, hazard: Hazard) -> list[Move]:
    """The moves this actor may make on this hazard now, for the page's buttons."""
    return [move for move in MOVES.values() if hazard.status in move.sources and _may(actor, move)]


def _may(actor: Actor, move: Move) -> bool:
    if move.action == "comment":
        return actor.can(Permission.log_visits) or actor.can(Permission.assign_visits)
    return actor.can(move.permission)


def deadline_for(severity: Severity, today: date) -> date:
    days = current_app.config[
        "GRIDCARE_DEADLINE_DAYS_MAJOR"
        if severity == Severity.major
        else "GRIDCARE_DEADLINE_DAYS_MINOR"
    ]
    return today + timedelta(days=days)


def officers_over(grid_path: str) -> list[int]:
    """Active officers whose areas contain this grid: who is told about its hazards."""
    stmt = (
        select(User.id)
        .join(user_area, user_area.c.user_id == User.id)
        .join(Area, Area.id == user_area.c.area_id)
        .where(
            User.role == Role.officer,
            User.active.is_(True),
            literal(grid_path).startswith(Area.path),
        )
        .distinct()
    )
    return list(db.session.scalars(stmt))


def assignable_workers(hazard: Hazard, scope: Scope = EVERYWHERE) -> list[User]:
    """Active grid workers, among those in `scope`, whose areas contain the hazard's
    household: the only ones who can follow it up."""
    in_scope = {w.id for w in workers_in_scope(scope)}
    stmt = (
        select(User)
        .join(user_area, user_area.c.user_id == User.id)
        .join(Area, Area.id == user_area.c.area_id)
        .where(
            User.role == Role.grid_worker,
            User.active.is_(True),
            literal(_grid_path(hazard.household_id)).startswith(Area.path),
        )
        .distinct()
        .order_by(User.username)
    )
    return [w for w in db.session.scalars(stmt) if w.id in in_scope]


def _grid_path(household_id: int) -> str:
    return db.session.scalar(
        select(Area.path)
        .join(Household, Household.grid_id == Area.id)
        .where(Household.id == household_id)
    )


def _store(photos: Iterable[tuple[PhotoStage, bytes | None]], stored: list[str]) -> list:
    """Save each given upload; `stored` collects filenames to clean up on failure."""
    saved = []
    for stage, data in photos:
        if not data:
            continue
        try:
            picture = store_photo(data)
        except PhotoError as exc:
            raise HazardError(f"{stage.value}_photo", exc.message) from exc
        stored.append(picture.filename)
        saved.append((stage, picture))
    return saved


def _photo_row(hazard: Hazard, stage: PhotoStage, picture, actor: Actor) -> Photo:
    photo = Photo(
        hazard=hazard,
        stage=stage,
        filename=picture.filename,
        width=picture.width,
        height=picture.height,
        size_bytes=picture.size_bytes,
        uploaded_by_id=actor.user_id,
    )
    db.session.add(photo)
    return photo


def raise_hazard(
    actor: Actor,
    household: Household,
    *,
    category: HazardCategory,
    severity: Severity,
    description: str,
    today: date,
    fixed_on_spot: bool = False,
    deadline: date | None = None,
    visit_id: int | None = None,
    checklist_code: str | None = None,
    before_photo: bytes | None = None,
    after_photo: bytes | None = None,
    client_uuid: str | None = None,
) -> Hazard:
    """Record a hazard at a household: fixed on the spot (closed at once, with before and
    after photos) or to be fixed by a deadline (by default from its severity).

    A major hazard tells the community's officers at once. A form sent twice (same
    `client_uuid`) returns the hazard stored the first time.
    """
    if client_uuid:
        client_uuid = _client_uuid(client_uuid)
        already = db.session.scalar(select(Hazard).where(Hazard.client_uuid == client_uuid))
        if already is not None:
            return _resent(already, actor, household)
    if not (actor.can(Permission.log_visits) or actor.can(Permission.assign_visits)):
        raise HazardForbidden("category", _l("Your role may not report hazards."))
    description = (description or "").strip()
    if not description:
        raise HazardError("description", _l("Say in a sentence what the hazard is."))
    if fixed_on_spot and not (before_photo and after_photo):
        raise HazardError(
            "after_photo", _l("A hazard fixed on the spot needs a photo before and after.")
        )
    if not fixed_on_spot:
        deadline = deadline or deadline_for(severity, today)
        if deadline < today:
            raise HazardError("deadline", _l("The deadline cannot be in the past."))
    if visit_id is not None:
        visit_household = db.session.scalar(select(Visit.household_id).where(Visit.id == visit_id))
        if visit_household != household.id:
            raise HazardError("visit_id", _l("This visit belongs to another household."))

    stored: list[str] = []
    try:
        pictures = _store(
            ((PhotoStage.before, before_photo), (PhotoStage.after, after_photo)), stored
        )
        hazard = Hazard(
            household_id=household.id,
            visit_id=visit_id,
            checklist_code=checklist_code,
            category=category,
            severity=severity,
            description=description,
            fixed_on_spot=fixed_on_spot,
            deadline=None if fixed_on_spot else deadline,
            status=HazardStatus.open,
            assignee_id=actor.user_id if actor.role == Role.grid_worker else None,
            reported_by_id=actor.user_id,
            client_uuid=client_uuid,
        )
        db.session.add(hazard)
        db.session.flush()
        photos = {stage: _photo_row(hazard, stage, picture, actor) for stage, picture in pictures}
        db.session.flush()
        _follow_up(
            hazard,
            actor,
            "raised",
            None,
            HazardStatus.open,
            description,
            photos.get(PhotoStage.before),
        )
        if fixed_on_spot:
            hazard.status = HazardStatus.closed
            hazard.closed_at = utcnow()
            _follow_up(
                hazard,
                actor,
                "fixed_on_spot",
                HazardStatus.open,
                HazardStatus.closed,
                "",
                photos.get(PhotoStage.after),
            )
        if hazard.assignee_id is None:
            hazard.assignee_id = _grid_worker(household.grid_id)
        if severity == Severity.major and not fixed_on_spot:
            notify(
                officers_over(_grid_path(household.id)),
                "hazard_major",
                entity="hazard",
                entity_id=hazard.id,
                params={"address": household.full_address, "category": category.value},
                dedupe=f"major:{hazard.id}",
            )
        actor.audit(
            "create", "hazard", hazard.id, ["category", "severity", "description", "deadline"]
        )
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        for filename in stored:
            discard_photo(filename)
        if isinstance(exc, IntegrityError) and client_uuid:
            # The same form, sent twice at the same moment: the other request stored it.
            existing = db.session.scalar(select(Hazard).where(Hazard.client_uuid == client_uuid))
            if existing is not None:
                return _resent(existing, actor, household)
        raise
    return hazard


def _client_uuid(value: str) -> str:
    try:
        return canonical_client_uuid(value)
    except ValueError as exc:
        raise HazardError(
            "client_uuid",
            _l("The form arrived incomplete, so nothing was stored. Open it again and send it."),
        ) from exc


def _resent(hazard: Hazard, actor: Actor, household: Household) -> Hazard:
    """The hazard a resent form stored, if it is really the same form; else a refusal."""
    if hazard.household_id != household.id or hazard.reported_by_id != actor.user_id:
        raise HazardError(
            "client_uuid",
            _l(
                "This form was already used for another hazard, so nothing was stored. "
                "Open the form again and send it."
            ),
        )
    return hazard


def _grid_worker(grid_id: int) -> int | None:
    return grid_workers([grid_id]).get(grid_id)


def _follow_up(hazard, actor, action, from_status, to_status, note="", photo=None) -> FollowUp:
    entry = FollowUp(
        hazard_id=hazard.id,
        user_id=actor.user_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        photo_id=photo.id if photo is not None else None,
    )
    db.session.add(entry)
    return entry


def move_hazard(
    actor: Actor,
    hazard: Hazard,
    action: str,
    *,
    note: str = "",
    photo: bytes | None = None,
    assignee_id: int | None = None,
) -> Hazard:
    """Take one step of the lifecycle; the service refuses any move the rules do not allow.

    Every change leaves a FollowUp.
    """
    move = MOVES.get(action)
    if move is None:
        raise HazardError("action", _l("Unknown action."))
    if not _may(actor, move):
        raise HazardForbidden("action", _l("Your role may not make this change."))
    if hazard.status not in move.sources:
        raise HazardError(
            "action",
            _l(
                "This change is not possible while the hazard is %(status)s.",
                status=hazard.status.label,
            ),
        )
    note = (note or "").strip()
    if move.needs_note and not note:
        raise HazardError("note", _l("Say what is still wrong."))
    if move.needs_photo and not photo:
        raise HazardError("photo", _l("Add a photo that shows the fix."))
    if action == "comment" and not (note or photo):
        raise HazardError("note", _l("Write a note or add a photo."))
    if action == "reassign" and assignee_id not in {
        w.id for w in assignable_workers(hazard, actor.scope)
    }:
        # Anyone else could not open the household, and the hazard would vanish from
        # every list.
        raise HazardError(
            "assignee_id",
            _l("This worker cannot open this household. Choose a worker of its grid."),
        )

    stored: list[str] = []
    try:
        stage = (
            PhotoStage.after if move.target == HazardStatus.awaiting_review else PhotoStage.progress
        )
        pictures = _store(((stage, photo),), stored)
        picture_row = _photo_row(hazard, stage, pictures[0][1], actor) if pictures else None
        db.session.flush()
        before = hazard.status
        after = move.target or before
        hazard.status = after
        if after == HazardStatus.closed:
            hazard.closed_at = utcnow()
        if action == "reassign":
            hazard.assignee_id = assignee_id
        _follow_up(hazard, actor, action, before, after, note, picture_row)
        actor.audit(action, "hazard", hazard.id, ["status"] if after != before else ["follow_up"])
        db.session.commit()
    except Exception:
        db.session.rollback()
        for filename in stored:
            discard_photo(filename)
        raise
    return hazard


# Scheduled work.


def escalate_hazards(today: date) -> int:
    """Tell the community's officers about each hazard past its deadline, once per step.

    The first step is the day after the deadline, then one every
    GRIDCARE_ESCALATION_EVERY_DAYS days; running again on the same day sends nothing.
    """
    every = current_app.config["GRIDCARE_ESCALATION_EVERY_DAYS"]
    overdue = db.session.execute(
        select(Hazard, Household, Area.path)
        .join(Household, Household.id == Hazard.household_id)
        .join(Area, Area.id == Household.grid_id)
        .where(Hazard.status.in_(OPEN_STATUSES), Hazard.deadline < today)
    ).all()
    sent = 0
    for hazard, household, grid_path in overdue:
        days_past = (today - hazard.deadline).days
        step = 1 + (days_past - 1) // every
        if step <= hazard.escalations:
            continue
        hazard.escalations = step
        notify(
            officers_over(grid_path),
            "hazard_overdue",
            entity="hazard",
            entity_id=hazard.id,
            params={"address": household.full_address, "days": days_past, "step": step},
            dedupe=f"escalation:{hazard.id}:{step}",
        )
        db.session.add(
            FollowUp(
                hazard_id=hazard.id,
                user_id=None,
                action="escalated",
                from_status=hazard.status,
                to_status=hazard.status,
                note="",
            )
        )
        sent += 1
    db.session.commit()
    return sent


def worker_digest(today: date) -> int:
    """Each morning, a message to every worker with work: due today, overdue, hazards late."""
    due, late = count_if(Visit.due_date == today), count_if(Visit.due_date < today)
    visits = {
        worker_id: (d, o)
        for worker_id, d, o in db.session.execute(
            select(Visit.worker_id, due, late)
            .where(Visit.status == VisitStatus.planned, Visit.due_date <= today)
            .group_by(Visit.worker_id)
        )
    }
    hazards = dict(
        db.session.execute(
            select(Hazard.assignee_id, func.count(Hazard.id))
            .where(Hazard.status.in_(OPEN_STATUSES), Hazard.deadline < today)
            .group_by(Hazard.assignee_id)
        ).all()
    )
    workers = db.session.scalars(
        select(User.id).where(User.role == Role.grid_worker, User.active.is_(True))
    )
    sent = 0
    for worker_id in workers:
        due_today, overdue = visits.get(worker_id, (0, 0))
        late_hazards = hazards.get(worker_id, 0)
        if not (due_today or overdue or late_hazards):
            continue
        sent += notify(
            [worker_id],
            "worker_digest",
            params={"due": due_today, "overdue": overdue, "hazards": late_hazards},
            dedupe=f"digest:{today.isoformat()}",
        )
    db.session.commit()
    return sent


# Reading.


def hazard_detail(hazard_id: int, scope: Scope) -> Hazard | None:
    """One hazard in scope with its timeline, photos and people loaded."""
    stmt = (
        select(Hazard)
        .join(Household, Household.id == Hazard.household_id)
        .join(Area, Area.id == Household.grid_id)
        .where(Hazard.id == hazard_id, scope.filter(Area.path))
        .options(
            selectinload(Hazard.household),
            selectinload(Hazard.assignee),
            selectinload(Hazard.reported_by),
            selectinload(Hazard.photos),
            selectinload(Hazard.follow_ups).selectinload(FollowUp.user),
            selectinload(Hazard.follow_ups).selectinload(FollowUp.photo),
        )
    )
    return db.session.scalar(stmt)


def _listing(scope: Scope):
    return (
        select(Hazard)
        .join(Household, Household.id == Hazard.household_id)
        .join(Area, Area.id == Household.grid_id)
        .where(scope.filter(Area.path))
        .options(
            selectinload(Hazard.household),
            selectinload(Hazard.assignee),
            selectinload(Hazard.photos),
        )
    )


def household_hazards(household_id: int, scope: Scope) -> list[Hazard]:
    """A household's hazards: open ones first (by deadline), then the closed, newest first."""
    stmt = (
        _listing(scope)
        .where(Hazard.household_id == household_id)
        .order_by((Hazard.status == HazardStatus.closed), Hazard.deadline, Hazard.id.desc())
    )
    return list(db.session.scalars(stmt))


def my_hazards(user_id: int, scope: Scope) -> list[Hazard]:
    """The open hazards a worker follows, soonest deadline first."""
    stmt = (
        _listing(scope)
        .where(Hazard.assignee_id == user_id, Hazard.status.in_(OPEN_STATUSES))
        .order_by(Hazard.deadline.is_(None), Hazard.deadline, Hazard.id)
    )
    return list(db.session.scalars(stmt))


@dataclass
class Queue:
    awaiting_review: list[Hazard]
    past_deadline: list[Hazard]
    major_open: list[Hazard]


def officer_queue(scope: Scope, today: date) -> Queue:
    """An officer's hazards: fixes to review, deadlines passed, major ones still open."""
    rows = list(
        db.session.scalars(
            _listing(scope)
            .where(
                or_(
                    Hazard.status == HazardStatus.awaiting_review,
                    and_(Hazard.status.in_(OPEN_STATUSES), Hazard.deadline < today),
                    and_(Hazard.status.in_(OPEN_STATUSES), Hazard.severity == Severity.major),
                )
            )
            .order_by(Hazard.deadline.is_(None), Hazard.deadline, Hazard.id)
        )
    )
    return Queue(
        awaiting_review=[h for h in rows if h.status == HazardStatus.awaiting_review],
        past_deadline=[h for h in rows if h.deadline is not None and h.deadline < today],
        major_open=[h for h in rows if h.severity == Severity.major],
    )


def prefill_from_check(visit: Visit, code: str) -> dict:
    """What a failed checklist item tells the hazard form: its category and label."""
    item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.code == code))
    if item is None or visit.checklist.get(code) != "fail":
        return {}
    return {"category": item.hazard_category, "checklist_code": code, "item": item}
