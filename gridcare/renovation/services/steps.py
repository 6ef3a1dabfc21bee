"""Which move each role may make from which stage, and the history row each move leaves.

Workers assess homes, supervise building work and make follow-up visits; officers do
all of that and also plan, start the work, accept and decline. Nothing else moves.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gridcare.accounts.models import Role
from gridcare.accounts.services import Actor
from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.hazards.photos import PhotoError, discard_photo, store_photo
from gridcare.renovation.models import (
    STEP_LABELS,
    AcceptancePoint,
    CasePhoto,
    CaseStep,
    PhotoPurpose,
    RenovationCase,
    Stage,
)
from gridcare.renovation.services.errors import RenovationError, RenovationForbidden
from gridcare.visits.models import canonical_client_uuid

FIELD = (Role.grid_worker, Role.officer)
OFFICE = (Role.officer,)


@dataclass(frozen=True)
class Move:
    """One step of a case: the stages it may start from, where it ends, who may make it."""

    action: str
    sources: tuple[Stage, ...]
    target: Stage | None  # None: the stage stays
    roles: tuple[Role, ...]


MOVES: dict[str, Move] = {
    move.action: move
    for move in (
        Move("assess", (Stage.surveyed,), Stage.assessed, FIELD),
        Move("plan", (Stage.assessed,), Stage.planned, OFFICE),
        Move("start_construction", (Stage.planned,), Stage.under_construction, OFFICE),
        Move("supervise", (Stage.under_construction,), None, FIELD),
        Move("accept", (Stage.under_construction,), Stage.accepted, OFFICE),
        Move("follow_up", (Stage.accepted, Stage.followed_up), Stage.followed_up, FIELD),
        Move(
            "decline",
            (Stage.surveyed, Stage.assessed, Stage.planned),
            Stage.declined,
            OFFICE,
        ),
    )
}
ACTION_LABELS = STEP_LABELS
FORBIDDEN = {
    FIELD: _l("Only a grid worker or a community officer may do this."),
    OFFICE: _l("Only a community officer may do this."),
}


def allowed_moves(actor: Actor, case: RenovationCase) -> list[str]:
    """The moves this actor may make on this case now, for the page's buttons."""
    return [
        move.action
        for move in MOVES.values()
        if case.stage in move.sources and actor.role in move.roles
    ]


def check_move(actor: Actor, case: RenovationCase, action: str, field_name: str) -> Move:
    """The move, if this actor may make it on this case now; else the reason."""
    move = MOVES[action]
    if actor.role not in move.roles:
        raise RenovationForbidden(field_name, FORBIDDEN[move.roles])
    if case.stage not in move.sources:
        raise RenovationError(
            field_name,
            _l(
                "This case is at the stage “%(stage)s”: “%(move)s” cannot be done now.",
                stage=case.stage.label,
                move=ACTION_LABELS[action],
            ),
        )
    return move


def canonical_uuid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return canonical_client_uuid(value)
    except ValueError as exc:
        raise RenovationError(
            "client_uuid",
            _l("The form arrived incomplete, so nothing was stored. Open it again and send it."),
        ) from exc


def resent_step(case: RenovationCase, actor: Actor, client_uuid: str | None) -> CaseStep | None:
    """The step a resent form stored already, if this is that form; a form reused for
    another case or by another user is refused."""
    if client_uuid is None:
        return None
    step = db.session.scalar(select(CaseStep).where(CaseStep.client_uuid == client_uuid))
    if step is not None and (step.case_id != case.id or step.user_id != actor.user_id):
        raise RenovationError(
            "client_uuid",
            _l("This form was already used for another case, so nothing was stored."),
        )
    return step


def record_step(
    actor: Actor,
    case: RenovationCase,
    action: str,
    target: Stage | None,
    note: str = "",
    client_uuid: str | None = None,
) -> CaseStep:
    """Move the case (unless `target` is None) and write the history row; not committed."""
    step = CaseStep(
        case_id=case.id,
        user_id=actor.user_id,
        action=action,
        from_stage=case.stage,
        to_stage=target or case.stage,
        note=(note or "").strip(),
        client_uuid=client_uuid,
    )
    if target is not None and target != case.stage:
        case.stage = target
        case.stage_since = utcnow()
    db.session.add(step)
    db.session.flush()
    actor.audit(action, "renovation_case", case.id, ["stage"] if target else [])
    return step


class PhotoBatch:
    """Photos saved for one move; if the move fails, `discard()` removes the files."""

    def __init__(self):
        self.filenames: list[str] = []

    def add(
        self,
        actor: Actor,
        case: RenovationCase,
        step: CaseStep,
        purpose: PhotoPurpose,
        uploads: Iterable[bytes],
        field_name: str,
        point: AcceptancePoint | None = None,
    ) -> int:
        count = 0
        for data in uploads:
            if not data:
                continue
            try:
                picture = store_photo(data)
            except PhotoError as exc:
                raise RenovationError(field_name, exc.message) from exc
            self.filenames.append(picture.filename)
            db.session.add(
                CasePhoto(
                    case_id=case.id,
                    step_id=step.id,
                    purpose=purpose,
                    point=point,
                    filename=picture.filename,
                    width=picture.width,
                    height=picture.height,
                    size_bytes=picture.size_bytes,
                    uploaded_by_id=actor.user_id,
                )
            )
            count += 1
        return count

    def discard(self) -> None:
        for filename in self.filenames:
            discard_photo(filename)
