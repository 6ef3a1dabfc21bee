"""Households: the list and its search, the ID lookup, registering and correcting a
home, closing and reopening it, its care level."""

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.converters import page_number
from gridcare.forms import show_field_error
from gridcare.registry import services
from gridcare.registry.forms import (
    CareLevelOverrideForm,
    HouseholdFilterForm,
    HouseholdForm,
    IdLookupForm,
)
from gridcare.registry.models import Household
from gridcare.registry.services.lookups import HOUSEHOLD_WITH_RESIDENTS
from gridcare.registry.views.blueprint import allow, area_choices, bp, grid_choices


def _household_form_values(form: HouseholdForm) -> dict:
    return {
        "grid_id": form.grid_id.data,
        "address": form.address.data or "",
        "building": form.building.data or "",
        "unit": form.unit.data or "",
        "room": form.room.data or "",
        "lat": form.lat.data,
        "lon": form.lon.data,
    }


@bp.route("/households")
@require(Permission.view_registry)
def households():
    form = HouseholdFilterForm(formdata=request.args, area_choices=area_choices())
    form.validate()
    page = services.list_households(
        current_actor().scope,
        area_id=form.value("area_id"),
        care_level=form.value("care_level"),
        flag=form.value("flag"),
        q=form.value("q") if not form.q.errors else None,
        include_inactive=bool(form.value("include_inactive")),
        page=page_number(),
    )
    return render_template(
        "registry/households.html", form=form, page=page, lookup_form=IdLookupForm()
    )


@bp.route("/households/lookup", methods=["POST"])
@require(Permission.view_registry)
def find_by_id_number():
    form = IdLookupForm()
    if form.validate_on_submit():
        resident = services.find_by_id_number(current_actor(), form.id_number.data)
        if resident is not None:
            return redirect(
                url_for("households.household", household_id=resident.household_id)
                + f"#resident-{resident.id}"
            )
    flash(_("No resident in your areas has this ID number."), "warning")
    return redirect(url_for("registry.households"))


@bp.route("/households/new", methods=["GET", "POST"])
@require(Permission.edit_registry)
def create_household():
    form = HouseholdForm(grid_choices=grid_choices())
    if form.validate_on_submit():
        try:
            household = services.create_household(current_actor(), **_household_form_values(form))
        except services.RegistryError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Household registered. Now add its residents."), "success")
            return redirect(url_for("registry.add_resident", household_id=household.id))
    return render_template("registry/household_form.html", form=form, household=None)


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@require(Permission.view_registry)
def edit_household(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    allow(Permission.edit_registry)
    form = HouseholdForm(obj=household, grid_choices=grid_choices())
    if form.validate_on_submit():
        try:
            services.update_household(current_actor(), household, **_household_form_values(form))
        except services.RegistryError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Household saved."), "success")
            return redirect(url_for("households.household", household_id=household.id))
    return render_template("registry/household_form.html", form=form, household=household)


@bp.route("/households/<int:household_id>/close", methods=["POST"])
@require(Permission.view_registry)
def deactivate_household(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    allow(Permission.edit_registry)
    try:
        services.deactivate_household(current_actor(), household)
    except services.RegistryError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Household closed. It stays on record and can be reopened."), "success")
    return redirect(url_for("households.household", household_id=household.id))


@bp.route("/households/<int:household_id>/reopen", methods=["POST"])
@require(Permission.view_registry)
def reactivate_household(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    allow(Permission.edit_registry)
    services.reactivate_household(current_actor(), household)
    flash(_("Household reopened."), "success")
    return redirect(url_for("households.household", household_id=household.id))


@bp.route("/households/<int:household_id>/care-level", methods=["GET", "POST"])
@require(Permission.view_registry)
def care_level(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    allow(Permission.edit_registry)
    form = CareLevelOverrideForm()
    if request.method == "GET":
        form.level.data = household.care_level_override
        form.reason.data = household.care_level_override_reason
    if form.validate_on_submit():
        try:
            services.set_care_level_override(
                current_actor(), household, form.level.data, form.reason.data or ""
            )
        except services.RegistryError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Care level saved."), "success")
            return redirect(url_for("households.household", household_id=household.id))
    return render_template("registry/care_level_form.html", form=form, household=household)
