"""Households: registering a home, correcting it, closing and reopening it."""

from flask_babel import lazy_gettext as _l

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.registry.rules import (
    RegistryError,
    check_coordinates,
    grid_in_scope,
    require,
    require_in_scope,
)
from gridcare.registry.services.care_levels import households_changed


def create_household(
    actor: Actor,
    grid_id: int | None,
    address: str,
    building: str = "",
    unit: str = "",
    room: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> Household:
    """Register a home in a grid of the actor's areas."""
    require(actor, Permission.edit_registry)
    grid = grid_in_scope(actor, grid_id)
    address = (address or "").strip()
    if not address:
        raise RegistryError("address", _l("Give the street address."))
    check_coordinates(lat, lon)
    household = Household(
        grid=grid,
        address=address,
        building=(building or "").strip(),
        unit=(unit or "").strip(),
        room=(room or "").strip(),
        lat=lat,
        lon=lon,
    )
    db.session.add(household)
    db.session.flush()
    actor.audit(
        "create",
        "household",
        household.id,
        ["grid_id", "address", "building", "unit", "room", "lat", "lon"],
    )
    db.session.commit()
    return household


def update_household(
    actor: Actor,
    household: Household,
    *,
    grid_id: int | None,
    address: str,
    building: str = "",
    unit: str = "",
    room: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> Household:
    """Correct a household's grid, address or coordinates."""
    require(actor, Permission.edit_registry)
    require_in_scope(actor, household)
    grid = grid_in_scope(actor, grid_id)
    address = (address or "").strip()
    if not address:
        raise RegistryError("address", _l("Give the street address."))
    check_coordinates(lat, lon)
    changed = []
    if household.grid_id != grid.id:
        household.grid = grid
        changed.append("grid_id")
    values = {
        "address": address,
        "building": (building or "").strip(),
        "unit": (unit or "").strip(),
        "room": (room or "").strip(),
        "lat": lat,
        "lon": lon,
    }
    for field, value in values.items():
        if getattr(household, field) != value:
            setattr(household, field, value)
            changed.append(field)
    if changed:
        actor.audit("update", "household", household.id, changed)
    if "grid_id" in changed:
        db.session.flush()
        households_changed.send((household.id,), on=today())
    db.session.commit()
    return household


def deactivate_household(actor: Actor, household: Household) -> Household:
    """Take a household off the books; only once nobody lives there any more."""
    require(actor, Permission.edit_registry)
    require_in_scope(actor, household)
    if household.active_residents:
        raise RegistryError(
            "active",
            _l("Record every resident as moved out or deceased before closing the household."),
        )
    if household.active:
        household.active = False
        actor.audit("deactivate", "household", household.id, ["active"])
        db.session.flush()
        households_changed.send((household.id,), on=today())
    db.session.commit()
    return household


def reactivate_household(actor: Actor, household: Household) -> Household:
    """Put a closed household back on the books, e.g. after a mistaken closure."""
    require(actor, Permission.edit_registry)
    require_in_scope(actor, household)
    if not household.active:
        household.active = True
        actor.audit("reactivate", "household", household.id, ["active"])
        db.session.flush()
        households_changed.send((household.id,), on=today())
    db.session.commit()
    return household
