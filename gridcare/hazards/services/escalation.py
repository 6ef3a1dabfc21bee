"""Escalation: officers are told about each hazard past its deadline, once per step."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from gridcare.accounts.lookups import officers_over
from gridcare.accounts.services import notify
from gridcare.areas.models import Area
from gridcare.extensions import db
from gridcare.hazards.models import FollowUp, Hazard
from gridcare.hazards.services.lifecycle import OPEN_STATUSES
from gridcare.registry.models import Household


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
