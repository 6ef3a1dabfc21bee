"""A hazard's lifecycle: raised, fixed, reviewed, closed, reassigned; every move a
follow-up, and only the moves the rules allow."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gridcare.accounts.lookups import grid_workers, officers_over, workers_in_scope, workers_over
from gridcare.accounts.models import Permission, Role, User
from gridcare.accounts.services import Actor, notify
from gridcare.areas.models import Area
from gridcare.areas.scope import EVERYWHERE, Scope
from gridcare.clock import utcnow
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
from gridcare.hazards.services.review_notices import tell_workers_of_review
from gridcare.registry.models import Household
from gridcare.visits.models import Visit, canonical_client_uuid

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


def assignable_workers(hazard: Hazard, scope: Scope = EVERYWHERE) -> list[User]:
    """Active grid workers, among those in `scope`, whose areas contain the hazard's
    household: the only ones who can follow it up."""
    in_scope = {w.id for w in workers_in_scope(scope)}
    return [w for w in workers_over(_grid_path(hazard.household_id)) if w.id in in_scope]


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
            hazard.assignee_id = grid_workers([household.grid_id]).get(household.grid_id)
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
    client_uuid: str | None = None,
) -> Hazard:
    """Take one step of the lifecycle; the service refuses any move the rules do not allow.

    Every change leaves a FollowUp; a review tells the hazard's workers its outcome. A
    form sent twice (same `client_uuid`, e.g. a fix with its photo resent by the phone's
    outbox) makes the move and stores the photo once.
    """
    if client_uuid:
        client_uuid = _client_uuid(client_uuid)
        if _move_already_made(client_uuid, actor, hazard):
            return hazard
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
        entry = _follow_up(hazard, actor, action, before, after, note, picture_row)
        entry.client_uuid = client_uuid
        db.session.flush()
        tell_workers_of_review(hazard, entry)
        actor.audit(action, "hazard", hazard.id, ["status"] if after != before else ["follow_up"])
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        for filename in stored:
            discard_photo(filename)
        # The same form, sent twice at the same moment: the other request made the move.
        if not (
            isinstance(exc, IntegrityError)
            and client_uuid
            and _move_already_made(client_uuid, actor, hazard)
        ):
            raise
    return hazard


def _move_already_made(client_uuid: str, actor: Actor, hazard: Hazard) -> bool:
    """Whether this form already made its move; a token used elsewhere is refused."""
    entry = db.session.scalar(select(FollowUp).where(FollowUp.client_uuid == client_uuid))
    if entry is None:
        return False
    if entry.hazard_id != hazard.id or entry.user_id != actor.user_id:
        raise HazardError(
            "client_uuid",
            _l(
                "This form was already used for another hazard, so nothing was stored. "
                "Open the form again and send it."
            ),
        )
    db.session.refresh(hazard)
    return True
