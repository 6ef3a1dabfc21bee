"""Care levels kept up to date: re-derived when residents change, overridden by an officer,
refreshed nightly as birthdays move people up."""

from collections.abc import Callable, Iterable
from datetime import date
from itertools import groupby

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, bindparam, select, type_coerce
from sqlalchemy.orm import selectinload

from gridcare.accounts.models import Permission
from gridcare.accounts.services import SYSTEM, Actor
from gridcare.clock import today, utcnow
from gridcare.extensions import db
from gridcare.registry.batches import HouseholdBatch, household_batches
from gridcare.registry.care_levels import household_care_level
from gridcare.registry.models import CARE_LEVELS, Household, Resident
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


# What the care rules read of each resident, fetched as plain rows (the status as its
# string, which equals the enum member: converting 234,000 of them costs seconds).
_RESIDENT_FACTS = (
    type_coerce(Resident.status, String).label("status"),
    Resident.birth_date,
    Resident.lives_alone,
    Resident.empty_nest,
    Resident.disability_category,
    Resident.disability_grade,
)

LevelRule = Callable[[list, int | None, date], int | None]


def refresh_care_levels(
    on: date,
    actor: Actor = SYSTEM,
    batch_size: int | None = None,
    level_of: LevelRule = household_care_level,
) -> int:
    """Re-derive every active household's level on `on` (birthdays move people up); the count.

    A batch of households at a time: their residents are read as plain rows, `level_of`
    (the care rules: residents, override, day) judges each household, and only those
    whose level changed are written, audited and followed by the visits domain.
    """
    changed_count = 0
    for batch in household_batches(size=batch_size):
        changes = _changed_levels(batch, on, level_of)
        if changes:
            _apply_levels(changes, actor)
            households_changed.send(tuple(changes), on=on)
            changed_count += len(changes)
        db.session.commit()
    return changed_count


def _changed_levels(batch: HouseholdBatch, on: date, level_of: LevelRule) -> dict[int, int | None]:
    rows = db.session.execute(
        select(Household.id, Household.care_level, Household.care_level_override, *_RESIDENT_FACTS)
        .outerjoin(
            Resident,
            # The batch on both sides, so that only its residents are read.
            and_(Resident.household_id == Household.id, batch.where(Resident.household_id)),
        )
        .where(batch.where(Household.id), Household.active.is_(True))
        .order_by(Household.id)
    )
    changes = {}
    for household_id, group in groupby(rows, key=lambda row: row.id):
        group = list(group)
        residents = [row for row in group if row.status is not None]
        level = level_of(residents, group[0].care_level_override, on)
        if level != group[0].care_level:
            changes[household_id] = level
    return changes


def _apply_levels(changes: dict[int, int | None], actor: Actor) -> None:
    table = Household.__table__
    now = utcnow()
    db.session.execute(
        table.update()
        .where(table.c.id == bindparam("b_id"))
        .values(care_level=bindparam("b_level"), updated_at=now),
        [{"b_id": household_id, "b_level": level} for household_id, level in changes.items()],
    )
    for household_id in changes:
        actor.audit("update", "household", household_id, ["care_level"])
    # A household the session already holds shows its new level.
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, Household) and instance.id in changes:
            db.session.expire(instance, ("care_level", "updated_at"))
