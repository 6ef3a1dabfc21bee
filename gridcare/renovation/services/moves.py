"""A case's moves: assessed, planned with consent, built under supervision, accepted on
four points, or declined. Each is a history row; each refuses what the rules refuse."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gridcare.accounts.services import Actor
from gridcare.extensions import db
from gridcare.renovation.models import (
    AcceptanceCheck,
    AcceptancePoint,
    Occasion,
    PhotoPurpose,
    PlanItem,
    RenovationCase,
    RenovationNeed,
)
from gridcare.renovation.services.errors import RenovationError
from gridcare.renovation.services.satisfaction import Answer, add_answer
from gridcare.renovation.services.steps import (
    PhotoBatch,
    canonical_uuid,
    check_move,
    record_step,
    resent_step,
)

# What an assessment measures, in centimetres.
MEASUREMENTS = {
    "door_width": _l("Narrowest door width (cm)"),
    "threshold_height": _l("Highest threshold or step (cm)"),
    "corridor_width": _l("Narrowest corridor (cm)"),
}
MAX_MEASUREMENT_CM = 10_000
MAX_COST = Decimal("10000000")


@dataclass(frozen=True)
class PlannedItem:
    need_code: str
    description: str
    estimated_cost: Decimal | None


@dataclass(frozen=True)
class PointResult:
    passed: bool
    note: str = ""
    photos: Sequence[bytes] = field(default_factory=tuple)


def _run(actor: Actor, case: RenovationCase, client_uuid: str | None, write) -> RenovationCase:
    """Run a move's writes once: a resent form returns the case as the first send left it,
    photos of a refused move are removed again."""
    batch = PhotoBatch()
    try:
        write(batch)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        batch.discard()
        if client_uuid and resent_step(case, actor, client_uuid) is not None:
            return case
        raise
    except Exception:
        db.session.rollback()
        batch.discard()
        raise
    return case


def _cost(value: Decimal | None, field_name: str, required: bool = True) -> Decimal | None:
    if value is None:
        if required:
            raise RenovationError(field_name, _l("Give the amount in yuan."))
        return None
    if not value.is_finite() or value < 0:
        raise RenovationError(field_name, _l("An amount cannot be negative."))
    if value > MAX_COST:
        raise RenovationError(field_name, _l("This amount is too large for one household."))
    return value.quantize(Decimal("0.01"))


def assess(
    actor: Actor,
    case: RenovationCase,
    *,
    needs: Sequence[str],
    measurements: dict[str, float | None],
    note: str = "",
    photos: Sequence[bytes] = (),
    client_uuid: str | None = None,
) -> RenovationCase:
    """Record the home assessment: photos, measurements and the needs found."""
    uuid = canonical_uuid(client_uuid)
    if resent_step(case, actor, uuid):
        return case
    move = check_move(actor, case, "assess", "needs")
    known = set(db.session.scalars(select(RenovationNeed.code)))
    needs = list(dict.fromkeys(needs))
    if not needs:
        raise RenovationError("needs", _l("Choose at least one need."))
    if not set(needs) <= known:
        raise RenovationError("needs", _l("Choose needs from the catalogue."))
    measured = {}
    for name, value in measurements.items():
        if name not in MEASUREMENTS:
            raise RenovationError(name, _l("This measurement is unknown."))
        if value is None:
            continue
        if not 0 <= value <= MAX_MEASUREMENT_CM:
            raise RenovationError(name, _l("A measurement is between 0 and 10,000 cm."))
        measured[name] = float(value)
    if not any(photos):
        raise RenovationError("photos", _l("Add at least one photo of the home."))

    def write(batch):
        step = record_step(actor, case, "assess", move.target, note, uuid)
        case.needs, case.measurements = needs, measured
        case.assessment_note = (note or "").strip()
        batch.add(actor, case, step, PhotoPurpose.assessment, photos, "photos")

    return _run(actor, case, uuid, write)


def plan(
    actor: Actor,
    case: RenovationCase,
    *,
    items: Sequence[PlannedItem],
    consent_by: str,
    consent_relation: str,
    consent_on: date | None,
    today: date,
    note: str = "",
    client_uuid: str | None = None,
) -> RenovationCase:
    """Agree the plan: the items with their estimated costs, and who consented when."""
    uuid = canonical_uuid(client_uuid)
    if resent_step(case, actor, uuid):
        return case
    move = check_move(actor, case, "plan", "items")
    known = set(db.session.scalars(select(RenovationNeed.code)))
    rows = []
    for index, item in enumerate(items):
        if not item.need_code:
            continue
        if item.need_code not in known:
            raise RenovationError(f"items.{index}.need_code", _l("Choose from the catalogue."))
        cost = _cost(item.estimated_cost, f"items.{index}.estimated_cost")
        rows.append((item.need_code, (item.description or "").strip(), cost))
    if not rows:
        raise RenovationError("items", _l("A plan has at least one item."))
    consent_by = (consent_by or "").strip()
    if not consent_by:
        raise RenovationError(
            "consent_by", _l("Say who agreed to the plan: the resident or a family member.")
        )
    if consent_on is None:
        raise RenovationError("consent_on", _l("Give the day the plan was agreed."))
    if consent_on > today:
        raise RenovationError("consent_on", _l("The plan cannot be agreed in the future."))

    def write(batch):
        record_step(actor, case, "plan", move.target, note, uuid)
        for need_code, description, cost in rows:
            db.session.add(
                PlanItem(
                    case_id=case.id,
                    need_code=need_code,
                    description=description,
                    estimated_cost=cost,
                )
            )
        case.consent_by, case.consent_relation = consent_by, (consent_relation or "").strip()
        case.consent_on = consent_on

    return _run(actor, case, uuid, write)


def start_construction(
    actor: Actor,
    case: RenovationCase,
    *,
    contractor: str,
    note: str = "",
    client_uuid: str | None = None,
) -> RenovationCase:
    """The contractor starts work on the agreed plan."""
    uuid = canonical_uuid(client_uuid)
    if resent_step(case, actor, uuid):
        return case
    move = check_move(actor, case, "start_construction", "contractor")
    contractor = (contractor or "").strip()
    if not contractor:
        raise RenovationError("contractor", _l("Name the contractor."))

    def write(batch):
        record_step(actor, case, "start_construction", move.target, note, uuid)
        case.contractor = contractor

    return _run(actor, case, uuid, write)


def supervise(
    actor: Actor,
    case: RenovationCase,
    *,
    note: str,
    photos: Sequence[bytes],
    client_uuid: str | None = None,
) -> RenovationCase:
    """A supervision visit to the building work, with what was seen and photos of it."""
    uuid = canonical_uuid(client_uuid)
    if resent_step(case, actor, uuid):
        return case
    check_move(actor, case, "supervise", "note")
    if not (note or "").strip():
        raise RenovationError("note", _l("Say in a sentence what you saw."))
    if not any(photos):
        raise RenovationError("photos", _l("Add at least one photo of the work."))

    def write(batch):
        step = record_step(actor, case, "supervise", None, note, uuid)
        batch.add(actor, case, step, PhotoPurpose.supervision, photos, "photos")

    return _run(actor, case, uuid, write)


def accept(
    actor: Actor,
    case: RenovationCase,
    *,
    points: dict[AcceptancePoint, PointResult],
    actual_cost: Decimal | None,
    answer: Answer | None,
    client_uuid: str | None = None,
) -> RenovationCase:
    """Check the home on the four points. All passed (each with a photo): accepted, with
    the money spent and the resident's satisfaction. One failed: the work goes on."""
    uuid = canonical_uuid(client_uuid)
    if resent_step(case, actor, uuid):
        return case
    move = check_move(actor, case, "accept", "person_passed")
    for point in AcceptancePoint:
        result = points.get(point)
        if result is None:
            raise RenovationError(f"{point}_passed", _l("Say whether this point passed."))
        if result.passed and not any(result.photos):
            raise RenovationError(
                f"{point}_photos", _l("A point passes only with a photo that shows it.")
            )
        if not result.passed and not result.note.strip():
            raise RenovationError(f"{point}_note", _l("Say what failed."))
    passed = all(points[p].passed for p in AcceptancePoint)
    if passed:
        actual_cost = _cost(actual_cost, "actual_cost")
        if answer is None:
            raise RenovationError(
                "answer", _l("Ask the resident or family how satisfied they are.")
            )
    else:
        actual_cost = _cost(actual_cost, "actual_cost", required=False)

    def write(batch):
        action = "accept" if passed else "acceptance_failed"
        step = record_step(actor, case, action, move.target if passed else None, "", uuid)
        for point in AcceptancePoint:
            result = points[point]
            db.session.add(
                AcceptanceCheck(
                    case_id=case.id,
                    step_id=step.id,
                    point=point,
                    passed=result.passed,
                    note=result.note.strip(),
                )
            )
            batch.add(
                actor,
                case,
                step,
                PhotoPurpose.acceptance,
                result.photos,
                f"{point}_photos",
                point=point,
            )
        if passed:
            case.actual_cost = actual_cost
            add_answer(actor, case, answer, Occasion.acceptance)

    return _run(actor, case, uuid, write)


def decline(
    actor: Actor, case: RenovationCase, *, reason: str, client_uuid: str | None = None
) -> RenovationCase:
    """The household does not take part (or cannot): kept on record with the reason."""
    uuid = canonical_uuid(client_uuid)
    if resent_step(case, actor, uuid):
        return case
    move = check_move(actor, case, "decline", "reason")
    reason = (reason or "").strip()
    if not reason:
        raise RenovationError("reason", _l("Give the reason."))

    def write(batch):
        record_step(actor, case, "decline", move.target, reason, uuid)
        case.decline_reason = reason

    return _run(actor, case, uuid, write)
