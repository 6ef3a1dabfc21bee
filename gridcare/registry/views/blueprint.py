"""The registry's blueprints and what their views share: the permission check after a
scoped load, a service's message on its form field, the grids to choose from."""

from flask import (
    Blueprint,
    abort,
    flash,
)

from gridcare.accounts.access import current_actor
from gridcare.accounts.models import Permission
from gridcare.areas.models import AREA_KIND_LABELS
from gridcare.areas.services import areas_in_scope, grids_in_scope
from gridcare.registry import exports, services

bp = Blueprint("registry", __name__)
# The short address on a door plate, outside /registry: /h/<token>.
doors = Blueprint("doors", __name__)


def allow(permission: Permission) -> None:
    """403 unless the actor holds `permission`; called after the scoped load, so that a
    record outside the caller's areas stays a 404 whatever their role."""
    if not current_actor().can(permission):
        abort(403)


def show_error(form, exc: services.RegistryError) -> None:
    """Put a service's message next to its field ("contacts.1.phone" walks into the rows)."""
    target = form
    try:
        for part in exc.field.split("."):
            target = target[int(part)] if part.isdigit() else target[part]
    except (KeyError, IndexError, TypeError):
        target = None
    if isinstance(getattr(target, "errors", None), list):
        target.errors.append(str(exc.message))
    else:
        flash(str(exc.message), "error")


def area_choices():
    return [
        (str(a.id), f"{'· ' * a.depth}{a.name} ({AREA_KIND_LABELS[a.kind]})")
        for a in areas_in_scope(current_actor().scope)
    ]


def grid_choices():
    return [(g.id, f"{g.name} ({g.code})") for g in grids_in_scope(current_actor().scope)]


@bp.context_processor
def _registry_helpers():
    return {"may_export": exports.may_export}
