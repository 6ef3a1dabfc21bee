"""The household page, under /registry/households/<id> as before, and the reveal of a
resident's full ID number, which answers with the same page."""

from flask import Blueprint, abort, make_response, render_template
from sqlalchemy.orm import joinedload

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.clock import today
from gridcare.households.page import household_page
from gridcare.registry import services
from gridcare.registry.models import Household, Resident

bp = Blueprint("households", __name__)


@bp.route("/households/<int:household_id>")
@require(Permission.view_registry)
def household(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *services.HOUSEHOLD_RECORD
    )
    return _render_household(household)


def _render_household(household: Household, revealed: dict[int, str] | None = None):
    page = household_page(current_actor().scope, household, today())
    return render_template(
        "households/household.html",
        household=page.household,
        residents=page.residents,
        hazards=page.hazards,
        renovation_cases=page.renovation_cases,
        revealed=revealed or {},
        today=today(),
    )


@bp.route("/residents/<int:resident_id>/reveal", methods=["POST"])
@require(Permission.view_registry)
def reveal_id_number(resident_id: int):
    scope = current_actor().scope
    resident = get_in_scope_or_404(
        Resident, resident_id, scope, joinedload(Resident.household).joinedload(Household.grid)
    )
    if not current_actor().can(Permission.reveal_id_number):
        abort(403)
    number = services.reveal_id_number(current_actor(), resident)
    # Loaded after the reveal, whose commit expired what came before.
    household = get_in_scope_or_404(
        Household, resident.household_id, scope, *services.HOUSEHOLD_RECORD
    )
    response = make_response(_render_household(household, {resident.id: number}))
    response.headers["Cache-Control"] = "no-store"
    return response
