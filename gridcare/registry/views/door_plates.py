"""Door plates: a grid's sheet of plates, one household's plate, a new code, and the
short address /h/<token> a plate's QR code opens."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.registry import plates
from gridcare.registry.forms import (
    PlateSheetForm,
)
from gridcare.registry.models import Household
from gridcare.registry.services.lookups import HOUSEHOLD_WITH_RESIDENTS
from gridcare.registry.views.blueprint import allow, bp, doors, grid_choices


def _plate_url(token: str) -> str:
    return url_for("doors.open_plate", token=token, _external=True)


@bp.route("/plates")
@require(Permission.view_registry)
def plate_sheet():
    form = PlateSheetForm(formdata=request.args, grid_choices=grid_choices())
    sheet = None
    if "grid_id" in request.args and form.validate():
        sheet = plates.plate_sheet(current_actor().scope, _plate_url, grid_id=form.grid_id.data)
    return render_template("registry/plates.html", form=form, sheet=sheet)


@bp.route("/households/<int:household_id>/plate")
@require(Permission.view_registry)
def household_plate(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    sheet = plates.plate_sheet(current_actor().scope, _plate_url, household_id=household.id)
    if sheet is None:
        abort(404)  # a closed household has no plate
    form = PlateSheetForm(formdata=None, grid_choices=grid_choices(), grid_id=household.grid_id)
    return render_template("registry/plates.html", form=form, sheet=sheet)


@bp.route("/households/<int:household_id>/door-token", methods=["POST"])
@require(Permission.view_registry)
def rotate_door_token(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    allow(Permission.edit_registry)
    plates.rotate_door_token(current_actor(), household)
    flash(
        _("The door plate has a new code. Print the new plate: the old one no longer works."),
        "success",
    )
    return redirect(url_for("households.household", household_id=household.id))


@doors.route("/h/<token>")
@login_required
def open_plate(token: str):
    household = plates.household_for_door_token(current_actor().scope, token)
    if household is None:
        # Unknown, replaced, closed or outside the scanner's areas: all look the same.
        return render_template("registry/plate_invalid.html"), 404
    return redirect(url_for("visits.household", household_id=household.id))
