"""The registry's blueprints and what their views share: the permission check after a
scoped load, the grids to choose from; and the registry values every page shows."""

from flask import (
    Blueprint,
    abort,
)

from gridcare.accounts.access import current_actor
from gridcare.accounts.models import Permission
from gridcare.areas.services import areas_in_scope, grids_in_scope
from gridcare.registry import exports
from gridcare.registry.id_numbers import mask
from gridcare.registry.models import CareLevel, DisabilityCategory

bp = Blueprint("registry", __name__)
# The short address on a door plate, outside /registry: /h/<token>.
doors = Blueprint("doors", __name__)
# Registry values as every page shows them: ID numbers masked, levels and categories named.
bp.add_app_template_filter(mask, "masked")
bp.add_app_template_global(CareLevel, "CareLevel")
bp.add_app_template_global(DisabilityCategory, "DisabilityCategory")


def allow(permission: Permission) -> None:
    """403 unless the actor holds `permission`; called after the scoped load, so that a
    record outside the caller's areas stays a 404 whatever their role."""
    if not current_actor().can(permission):
        abort(403)


def area_choices():
    return [
        (str(a.id), f"{'· ' * a.depth}{a.name} ({a.kind.label})")
        for a in areas_in_scope(current_actor().scope)
    ]


def grid_choices():
    return [(g.id, f"{g.name} ({g.code})") for g in grids_in_scope(current_actor().scope)]


@bp.context_processor
def _registry_helpers():
    return {"may_export": exports.may_export}
