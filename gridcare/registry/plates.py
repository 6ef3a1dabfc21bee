"""QR door plates (一户一码): each household's `door_token` makes a short address, /h/<token>,
that opens the household's visit page for a logged-in user whose areas cover it.

A token leads nowhere outside the scanner's areas, and a rotated token leads nowhere at
all: both look exactly like a token that never existed.
"""

from collections.abc import Callable
from dataclasses import dataclass

import segno
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from gridcare.accounts.lookups import grid_worker
from gridcare.accounts.models import Permission, User
from gridcare.accounts.services import Actor
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import Scope
from gridcare.extensions import db
from gridcare.registry import rules
from gridcare.registry.models import Household, new_door_token

# Longer than any token new_door_token makes; anything longer is not looked up.
MAX_TOKEN_LENGTH = 32


@dataclass(frozen=True)
class DoorPlate:
    household: Household
    url: str
    qr_svg: Markup


@dataclass(frozen=True)
class PlateSheet:
    """The plates of one grid (or one household), with the grid worker residents can call."""

    grid: Area
    worker: User | None
    plates: list[DoorPlate]


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG, sized by CSS (medium error correction)."""
    svg = segno.make(url, error="m").svg_inline(border=2, omitsize=True, svgclass="plate-qr")
    # segno's own markup around a URL the app built: safe to place in the page as it is.
    return Markup(svg)


def household_for_door_token(scope: Scope, token: str) -> Household | None:
    """The open household a door plate's token names, if it lies in `scope`; else None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    stmt = (
        select(Household)
        .join(Area, Area.id == Household.grid_id)
        .where(
            Household.door_token == token,
            Household.active.is_(True),
            scope.filter(Area.path),
        )
        .options(contains_eager(Household.grid))
    )
    return db.session.scalar(stmt)


def plate_sheet(
    scope: Scope,
    plate_url: Callable[[str], str],
    *,
    grid_id: int | None = None,
    household_id: int | None = None,
) -> PlateSheet | None:
    """The plates of a grid's open households (or of one household) in scope, by address;
    None when the grid or household is not in scope. `plate_url` turns a token into the
    absolute address the QR code holds."""
    stmt = (
        select(Household)
        .join(Area, Area.id == Household.grid_id)
        .where(Household.active.is_(True), Area.kind == AreaKind.grid, scope.filter(Area.path))
        .options(contains_eager(Household.grid))
        .order_by(
            Household.address, Household.building, Household.unit, Household.room, Household.id
        )
    )
    if household_id is not None:
        stmt = stmt.where(Household.id == household_id)
    elif grid_id is not None:
        stmt = stmt.where(Household.grid_id == grid_id)
    else:
        return None
    households = list(db.session.scalars(stmt))
    if household_id is not None and not households:
        return None
    grid = households[0].grid if households else _grid_in_scope(scope, grid_id)
    if grid is None:
        return None
    plates = []
    for household in households:
        url = plate_url(household.door_token)
        plates.append(DoorPlate(household, url, qr_svg(url)))
    return PlateSheet(grid=grid, worker=grid_worker(grid.id), plates=plates)


def _grid_in_scope(scope: Scope, grid_id: int) -> Area | None:
    stmt = select(Area).where(
        Area.id == grid_id, Area.kind == AreaKind.grid, scope.filter(Area.path)
    )
    return db.session.scalar(stmt)


def rotate_door_token(actor: Actor, household: Household) -> Household:
    """Give the household a new door token: its old plate stops working at once."""
    rules.require(actor, Permission.edit_registry)
    rules.require_in_scope(actor, household)
    household.door_token = new_door_token()
    actor.audit("rotate_door_token", "household", household.id, ["door_token"])
    db.session.commit()
    return household
