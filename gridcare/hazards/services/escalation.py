"""Escalation: officers are told about each hazard past its deadline, once per step."""

from datetime import date

from flask import current_app
from sqlalchemy import bindparam, insert, select

from gridcare.accounts.lookups import officers_over_each
from gridcare.accounts.services import Message, notify_each
from gridcare.areas.models import Area
from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.hazards.models import FollowUp, Hazard
from gridcare.hazards.services.lifecycle import OPEN_STATUSES
from gridcare.registry.models import Household

# Hazards read and escalated together: a city has a few thousand past their deadline.
BATCH_SIZE = 2_000


def escalate_hazards(today: date, batch_size: int | None = None) -> int:
    """Tell the community's officers about each hazard past its deadline, once per step.

    The first step is the day after the deadline, then one every
    GRIDCARE_ESCALATION_EVERY_DAYS days; running again on the same day sends nothing.
    A batch of hazards at a time: their officers found in one query, their messages,
    history rows and step counts written in one statement each.
    """
    every = current_app.config["GRIDCARE_ESCALATION_EVERY_DAYS"]
    size = batch_size or BATCH_SIZE
    sent = 0
    after = 0
    while True:
        overdue = db.session.execute(
            select(
                Hazard.id,
                Hazard.status,
                Hazard.deadline,
                Hazard.escalations,
                Household.address,
                Household.building,
                Household.unit,
                Household.room,
                Area.path,
            )
            .join(Household, Household.id == Hazard.household_id)
            .join(Area, Area.id == Household.grid_id)
            .where(Hazard.status.in_(OPEN_STATUSES), Hazard.deadline < today, Hazard.id > after)
            .order_by(Hazard.id)
            .limit(size)
        ).all()
        if not overdue:
            break
        after = overdue[-1].id
        due = []
        for hazard in overdue:
            days_past = (today - hazard.deadline).days
            step = 1 + (days_past - 1) // every
            if step > hazard.escalations:
                due.append((hazard, days_past, step))
        if due:
            _escalate(due)
            sent += len(due)
        db.session.commit()
    return sent


def _escalate(due: list[tuple]) -> None:
    officers = officers_over_each(hazard.path for hazard, _, _ in due)
    notify_each(
        Message(
            officers[hazard.path],
            "hazard_overdue",
            entity="hazard",
            entity_id=hazard.id,
            params={"address": _address(hazard), "days": days_past, "step": step},
            dedupe=f"escalation:{hazard.id}:{step}",
        )
        for hazard, days_past, step in due
    )
    now = utcnow()
    db.session.execute(
        insert(FollowUp),
        [
            {
                "hazard_id": hazard.id,
                "at": now,
                "user_id": None,
                "action": "escalated",
                "from_status": hazard.status,
                "to_status": hazard.status,
                "note": "",
            }
            for hazard, _, _ in due
        ],
    )
    table = Hazard.__table__
    db.session.execute(
        table.update()
        .where(table.c.id == bindparam("b_id"))
        .values(escalations=bindparam("b_step"), updated_at=now),
        [{"b_id": hazard.id, "b_step": step} for hazard, _, step in due],
    )
    # A hazard the session already holds shows its new step.
    ids = {hazard.id for hazard, _, _ in due}
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, Hazard) and instance.id in ids:
            db.session.expire(instance, ("escalations", "updated_at", "follow_ups"))


def _address(hazard) -> str:
    """The household's address as `Household.full_address` writes it."""
    door = "-".join(part for part in (hazard.building, hazard.unit, hazard.room) if part)
    return f"{hazard.address} {door}".strip()
