"""Care levels kept up to date: re-derived when residents change, overridden by an officer,
refreshed nightly as birthdays move people up."""

from collections.abc import Iterable
from datetime import date

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gridcare.accounts.models import Permission
from gridcare.accounts.services import SYSTEM, Actor
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.registry.care_levels import household_care_level
from gridcare.registry.models import CARE_LEVELS, Household
from gridcare.registry.rules import RegistryError, require, require_in_scope

# Sent inside the transaction when a household's care level changes, it moves to another
# grid, or it closes or reopens, with the household's id and the day; the visits domain
# follows with its schedules and open tasks.
# The sender is a tuple of household ids: one for a form, many for an import.
households_changed = Namespace().signal("households-changed")


def rederive_care_level(household: Household, on: date) -> bool:
    # Reloads the residents: the change that calls this may have added or ended one.
    db.session.scalars(
        select(Household)
        .where(Household.id == household.id)
        .options(selectinload(Household.residents))
        .execution_options(populate_existing=True)
    ).all()
    return bool(rederive_care_levels([household], on))


def rederive_care_levels(households: Iterable[Household], on: date) -> list[Household]:
    """Re-derive each household's level (residents loaded); those whose level changed.

    One flush for all of them, then the visits domain follows each changed household.
    Does not commit.
    """
    changed = []
    for household in households:
        level = household_care_level(household.residents, household.care_level_override, on)
        if household.care_level != level:
            household.care_level = level
            changed.append(household)
    if changed:
        db.session.flush()
        households_changed.send(tuple(h.id for h in changed), on=on)
    return changed


def set_care_level_override(
    actor: Actor, household: Household, level: int | None, reason: str = ""
) -> Household:
    """Flag a household at a level whatever its residents, with a reason; None clears it."""
    require(actor, Permission.edit_registry)
    require_in_scope(actor, household)
    reason = (reason or "").strip()
    if level is not None:
        if level not in CARE_LEVELS:
            raise RegistryError("level", _l("Choose level 1, 2 or 3."))
        if not reason:
            raise RegistryError("reason", _l("Say why this household needs a different level."))
    else:
        reason = ""
    changed = []
    if household.care_level_override != level:
        household.care_level_override = level
        changed.append("care_level_override")
    if household.care_level_override_reason != reason:
        household.care_level_override_reason = reason
        changed.append("care_level_override_reason")
    if rederive_care_level(household, today()):
        changed.append("care_level")
    if changed:
        actor.audit("update", "household", household.id, changed)
    db.session.commit()
    return household


def refresh_care_levels(on: date, actor: Actor = SYSTEM, batch_size: int = 500) -> int:
    """Re-derive every active household's level on `on` (birthdays move people up); the count."""
    changed_count = 0
    last_id = 0
    while True:
        batch = list(
            db.session.scalars(
                select(Household)
                .where(Household.active.is_(True), Household.id > last_id)
                .order_by(Household.id)
                .limit(batch_size)
                .options(selectinload(Household.residents))
            )
        )
        if not batch:
            break
        for household in batch:
            if rederive_care_level(household, on):
                actor.audit("update", "household", household.id, ["care_level"])
                changed_count += 1
        last_id = batch[-1].id
        db.session.flush()
    db.session.commit()
    return changed_count
