"""Satisfaction: answers at acceptance and on follow-up rounds. An officer asks for a round;
each accepted home gets a home visit on its worker's list; a "not satisfied" answer tells
the officers of the home's grid."""

import uuid as uuidlib
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gridcare.accounts.lookups import officers_over
from gridcare.accounts.models import Role
from gridcare.accounts.services import Actor, notify
from gridcare.areas.models import Area
from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.renovation.models import (
    ACCEPTED_STAGES,
    CaseFollowUp,
    FollowUpRound,
    Occasion,
    RenovationCase,
    RenovationProgramme,
    Satisfaction,
    SatisfactionAnswer,
)
from gridcare.renovation.services.errors import RenovationError, RenovationForbidden
from gridcare.renovation.services.steps import (
    canonical_uuid,
    check_move,
    record_step,
    resent_step,
)
from gridcare.visits.models import Outcome, Visit, VisitKind, VisitStatus
from gridcare.visits.services import VisitError, assign_checks, log_visit


@dataclass(frozen=True)
class Answer:
    """What the resident or family said."""

    answer: Satisfaction
    comment: str = ""
    answered_by: str = ""


def add_answer(
    actor: Actor,
    case: RenovationCase,
    answer: Answer,
    occasion: Occasion,
    follow_up_id: int | None = None,
) -> SatisfactionAnswer:
    """Store an answer within the caller's transaction; "not satisfied" notifies officers."""
    row = SatisfactionAnswer(
        case_id=case.id,
        occasion=occasion,
        follow_up_id=follow_up_id,
        answer=answer.answer,
        comment=(answer.comment or "").strip(),
        answered_by=(answer.answered_by or "").strip(),
        recorded_by_id=actor.user_id,
    )
    db.session.add(row)
    db.session.flush()
    actor.audit("answer", "renovation_case", case.id, ["answer", "comment"])
    if answer.answer == Satisfaction.not_satisfied:
        grid_path, address = db.session.execute(
            select(Area.path, Household.address)
            .join(Household, Household.grid_id == Area.id)
            .where(Household.id == case.household_id)
        ).one()
        notify(
            officers_over(grid_path),
            "renovation_not_satisfied",
            entity="renovation_case",
            entity_id=case.id,
            params={"address": address, "comment": row.comment or "—"},
            dedupe=f"renovation_not_satisfied:{row.id}",
        )
    return row


def request_follow_up_round(
    actor: Actor,
    programme: RenovationProgramme,
    *,
    due_date: date,
    today: date,
    client_uuid: str | None = None,
) -> tuple[FollowUpRound, int]:
    """Ask for a follow-up visit to every accepted home of the programme that has none open.

    Each home's visit is its open home visit task (brought forward to `due_date`), or a new
    one: the worker's list carries it as a home visit. Returns the round and its visits.
    """
    if actor.role != Role.officer:
        raise RenovationForbidden(
            "due_date", _l("Only a community officer asks for a follow-up round.")
        )
    uuid = canonical_uuid(client_uuid)
    if uuid:
        already = db.session.scalar(select(FollowUpRound).where(FollowUpRound.client_uuid == uuid))
        if already is not None:
            return already, 0
    if due_date < today:
        raise RenovationError("due_date", _l("The due date has passed."))
    open_follow_up = select(CaseFollowUp.case_id).where(CaseFollowUp.answered_at.is_(None))
    cases = list(
        db.session.scalars(
            select(RenovationCase)
            .join(Household, Household.id == RenovationCase.household_id)
            .join(Area, Area.id == Household.grid_id)
            .where(
                RenovationCase.programme_id == programme.id,
                RenovationCase.stage.in_(ACCEPTED_STAGES),
                RenovationCase.id.not_in(open_follow_up),
                Household.active.is_(True),
                actor.scope.filter(Area.path),
            )
        )
    )
    if not cases:
        raise RenovationError(
            "due_date", _l("No accepted home of this programme is waiting for a follow-up.")
        )
    household_ids = [c.household_id for c in cases]
    try:
        assign_checks(
            actor, household_ids, kind=VisitKind.home_visit, due_date=due_date, today=today
        )
    except VisitError as exc:
        raise RenovationError("due_date", exc.message) from exc
    tasks = _earliest_home_visits(household_ids)
    round_ = FollowUpRound(
        programme_id=programme.id, due_date=due_date, created_by_id=actor.user_id, client_uuid=uuid
    )
    db.session.add(round_)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return db.session.scalar(select(FollowUpRound).where(FollowUpRound.client_uuid == uuid)), 0
    for case in cases:
        task = tasks.get(case.household_id)
        db.session.add(
            CaseFollowUp(
                round_id=round_.id,
                case_id=case.id,
                visit_id=task.id if task else None,
                due_date=task.due_date if task else due_date,
            )
        )
    actor.audit("create", "follow_up_round", round_.id, ["programme_id", "due_date"])
    db.session.commit()
    return round_, len(cases)


def _earliest_home_visits(household_ids: list[int]) -> dict[int, Visit]:
    tasks = db.session.scalars(
        select(Visit)
        .where(
            Visit.household_id.in_(household_ids),
            Visit.kind == VisitKind.home_visit,
            Visit.status == VisitStatus.planned,
        )
        .order_by(Visit.household_id, Visit.due_date, Visit.id)
    )
    earliest: dict[int, Visit] = {}
    for task in tasks:
        earliest.setdefault(task.household_id, task)
    return earliest


def answer_follow_up(
    actor: Actor,
    follow_up: CaseFollowUp,
    household: Household,
    *,
    answer: Answer,
    notes: str = "",
    client_uuid: str | None = None,
) -> CaseFollowUp:
    """Record a follow-up visit's answer; the case is then followed up, and the visit task
    the worker's list carried is done (a task done meanwhile is left as it was)."""
    case = db.session.get(RenovationCase, follow_up.case_id)
    uuid = canonical_uuid(client_uuid) or str(uuidlib.uuid4())
    if resent_step(case, actor, uuid):
        return follow_up
    move = check_move(actor, case, "follow_up", "answer")
    if follow_up.answered_at is not None:
        raise RenovationError("answer", _l("This follow-up visit was answered already."))
    try:
        record_step(actor, case, "follow_up", move.target, notes, uuid)
        row = add_answer(actor, case, answer, Occasion.follow_up, follow_up.id)
        follow_up.answered_at = row.at = utcnow()
        task = db.session.get(Visit, follow_up.visit_id) if follow_up.visit_id else None
        if task is not None and task.status == VisitStatus.planned:
            db.session.flush()
            # log_visit commits, taking the answer with it; its form id is derived from this
            # form's, so the visit is stored once too.
            log_visit(
                actor,
                household,
                kind=VisitKind.home_visit,
                client_uuid=str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"renovation:{uuid}")),
                outcome=Outcome.concerns
                if answer.answer == Satisfaction.not_satisfied
                else Outcome.well,
                notes=notes,
                visit_id=task.id,
            )
        else:
            db.session.commit()
    except VisitError as exc:
        db.session.rollback()
        raise RenovationError("answer", exc.message) from exc
    except Exception:
        db.session.rollback()
        raise
    return follow_up
