"""Reading hazards: one hazard's timeline, a household's hazards, a worker's list and an
officer's queue."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from gridcare.areas.models import Area
from gridcare.areas.scope import Scope
from gridcare.extensions import db
from gridcare.hazards.models import FollowUp, Hazard, HazardStatus, Photo, Severity
from gridcare.hazards.services.lifecycle import OPEN_STATUSES
from gridcare.registry.models import HOUSEHOLD_ADDRESS, Household
from gridcare.visits.models import ChecklistItem, Visit, canonical_client_uuid


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
    # Lists name each household by its address only.
    return (
        select(Hazard)
        .join(Household, Household.id == Hazard.household_id)
        .join(Area, Area.id == Household.grid_id)
        .where(scope.filter(Area.path))
        .options(
            selectinload(Hazard.household).load_only(*HOUSEHOLD_ADDRESS),
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


def visit_by_client_uuid(client_uuid: str) -> int | None:
    """The id of the visit a phone's form stored under this token, if it has arrived: a
    hazard queued offline names its safety check this way, before the check has an id."""
    try:
        client_uuid = canonical_client_uuid(client_uuid)
    except ValueError:
        return None
    return db.session.scalar(select(Visit.id).where(Visit.client_uuid == client_uuid))


def photo_count(hazard_id: int) -> int:
    """How many photos a hazard holds: the outbox shows a photo as sent only once counted."""
    return db.session.scalar(select(func.count(Photo.id)).where(Photo.hazard_id == hazard_id))
