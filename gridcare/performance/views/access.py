"""Who sees which performance page: workers their own page and their community's table,
officers and street leaders the areas they are assigned, admins everything."""

from flask import abort, request
from sqlalchemy import select

from gridcare.accounts.access import current_actor
from gridcare.accounts.models import Role, User
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.services import areas_in_scope
from gridcare.clock import today
from gridcare.converters import as_id
from gridcare.extensions import db
from gridcare.performance import services
from gridcare.reports.periods import quarter


def area_or_404(area_id) -> Area:
    actor = current_actor()
    ident = as_id(area_id)
    area = db.session.get(Area, ident) if ident is not None else None
    if area is None:
        abort(404)
    # A worker's scope is their grid; the table of the community above it is theirs too.
    theirs = actor.scope.covers(area.path) or (
        actor.role == Role.grid_worker
        and area.kind is AreaKind.community
        and any(path.startswith(area.path) for path in actor.scope.paths)
    )
    if not theirs:
        abort(404)
    return area


def default_area() -> Area | None:
    actor = current_actor()
    if actor.role == Role.grid_worker:
        return worker_community(db.session.get(User, actor.user_id))
    choices = areas_in_scope(actor.scope, [AreaKind.street, AreaKind.community])
    return choices[0] if choices else None


def worker_or_404(worker_id):
    actor = current_actor()
    if actor.role == Role.grid_worker and actor.user_id != as_id(worker_id):
        abort(404)
    worker = services.worker_in_scope(actor, as_id(worker_id))
    if worker is None:
        abort(404)
    return worker


def page_areas() -> list[Area]:
    """The areas a caller can pick a table for."""
    actor = current_actor()
    if actor.role == Role.grid_worker:
        area = default_area()
        return [area] if area else []
    return areas_in_scope(actor.scope, [AreaKind.district, AreaKind.street, AreaKind.community])


def quarter_key() -> str:
    return (request.args.get("quarter") or quarter(today()).key).strip()


def worker_community(worker) -> Area | None:
    found = services.placement(worker)
    if found is None or found.community_id is None:
        return None
    return db.session.scalar(select(Area).where(Area.id == found.community_id))
