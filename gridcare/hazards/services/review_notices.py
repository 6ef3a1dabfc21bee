"""What the workers of a hazard hear of its review: one message when it is closed, one each
time it is sent back, with the officer's note."""

from sqlalchemy import select

from gridcare.accounts.models import Role, User
from gridcare.accounts.notifications import notify
from gridcare.extensions import db
from gridcare.hazards.models import FollowUp, Hazard
from gridcare.registry.models import Household


def _workers_of(hazard: Hazard, officer_id: int | None) -> list[int]:
    """The worker following the hazard and the worker who found it, if they are workers."""
    ids = {hazard.assignee_id, hazard.reported_by_id} - {None, officer_id}
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User.id).where(
                User.id.in_(ids), User.role == Role.grid_worker, User.active.is_(True)
            )
        )
    )


def tell_workers_of_review(hazard: Hazard, review: FollowUp) -> int:
    """Queue the message for an approve (closed) or a reject (sent back); does not commit."""
    if review.action not in ("approve", "reject"):
        return 0
    household = db.session.get(Household, hazard.household_id)
    params = {"address": household.full_address, "category": hazard.category.value}
    if review.action == "approve":
        kind, dedupe = "hazard_closed", f"closed:{hazard.id}"
    else:
        kind, dedupe = "hazard_sent_back", f"sent_back:{review.id}"
        params["note"] = review.note
    return notify(
        _workers_of(hazard, review.user_id),
        kind,
        entity="hazard",
        entity_id=hazard.id,
        params=params,
        dedupe=dedupe,
    )
