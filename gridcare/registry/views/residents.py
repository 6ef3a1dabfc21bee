"""Residents: registering one, correcting the record or only the contact details,
recording a move or a death."""

from flask import (
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.forms import show_field_error
from gridcare.outbox import form_refused, refused, stored, wants_json
from gridcare.registry import services
from gridcare.registry.forms import (
    ContactDetailsForm,
    EditResidentForm,
    ResidentForm,
    StatusDateForm,
)
from gridcare.registry.models import Household, Resident
from gridcare.registry.services.lookups import HOUSEHOLD_WITH_RESIDENTS, RESIDENT_RECORD
from gridcare.registry.views.blueprint import allow, bp


def _resident_form_values(form: ResidentForm) -> dict:
    return {
        "name": form.name.data or "",
        "id_number": form.id_number.data or "",
        "phone": form.phone.data or "",
        "lives_alone": form.lives_alone.data,
        "empty_nest": form.empty_nest.data,
        "disability_category": form.disability_category.data,
        "disability_grade": form.disability_grade.data,
        "disability_certificate": form.disability_certificate.data or "",
        "health_notes": form.health_notes.data or "",
        "contacts": form.contact_rows(),
    }


@bp.route("/households/<int:household_id>/residents/new", methods=["GET", "POST"])
@require(Permission.view_registry)
def add_resident(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    allow(Permission.edit_registry)
    form = ResidentForm()
    duplicate_of = None
    if form.validate_on_submit():
        try:
            resident = services.add_resident(
                current_actor(), household, **_resident_form_values(form)
            )
        except services.DuplicateIdNumber as exc:
            show_field_error(form, exc)
            duplicate_of = exc.existing_id
        except services.RegistryError as exc:
            show_field_error(form, exc)
        else:
            flash(_("%(name)s registered.", name=resident.name), "success")
            return redirect(url_for("households.household", household_id=household.id))
    return render_template(
        "registry/resident_form.html",
        form=form,
        household=household,
        resident=None,
        duplicate_of=duplicate_of,
    )


@bp.route("/residents/<int:resident_id>")
@require(Permission.view_registry)
def resident(resident_id: int):
    resident = get_in_scope_or_404(Resident, resident_id, current_actor().scope, *RESIDENT_RECORD)
    return redirect(
        url_for("households.household", household_id=resident.household_id)
        + f"#resident-{resident.id}"
    )


@bp.route("/residents/<int:resident_id>/edit", methods=["GET", "POST"])
@require(Permission.view_registry)
def edit_resident(resident_id: int):
    resident = get_in_scope_or_404(Resident, resident_id, current_actor().scope, *RESIDENT_RECORD)
    allow(Permission.edit_registry)
    form = EditResidentForm(obj=resident)
    duplicate_of = None
    if form.validate_on_submit():
        try:
            services.update_resident(current_actor(), resident, **_resident_form_values(form))
        except services.DuplicateIdNumber as exc:
            show_field_error(form, exc)
            duplicate_of = exc.existing_id
        except services.RegistryError as exc:
            show_field_error(form, exc)
        else:
            flash(_("%(name)s saved.", name=resident.name), "success")
            return redirect(url_for("households.household", household_id=resident.household_id))
    return render_template(
        "registry/resident_form.html",
        form=form,
        household=resident.household,
        resident=resident,
        duplicate_of=duplicate_of,
    )


@bp.route("/residents/<int:resident_id>/contacts", methods=["GET", "POST"])
@require(Permission.view_registry)
def correct_contacts(resident_id: int):
    resident = get_in_scope_or_404(Resident, resident_id, current_actor().scope, *RESIDENT_RECORD)
    allow(Permission.correct_contacts)
    form = ContactDetailsForm(obj=resident)
    if form.validate_on_submit():
        try:
            services.update_resident(
                current_actor(),
                resident,
                phone=form.phone.data or "",
                health_notes=form.health_notes.data or "",
                contacts=form.contact_rows(),
            )
        except services.RegistryError as exc:
            if wants_json():  # the phone's outbox: the worker reads the reason there
                return refused(exc.message, exc.field)
            show_field_error(form, exc)
        else:
            if wants_json():  # setting the same details again changes nothing: a resend is safe
                return stored(resident.id, "saved")
            flash(_("Contact details of %(name)s saved.", name=resident.name), "success")
            return redirect(url_for("households.household", household_id=resident.household_id))
    elif wants_json():
        return form_refused(form)
    return render_template("registry/contacts_form.html", form=form, resident=resident)


def _end_residence(resident_id: int, record, title: str, done: str):
    resident = get_in_scope_or_404(Resident, resident_id, current_actor().scope, *RESIDENT_RECORD)
    allow(Permission.edit_registry)
    form = StatusDateForm()
    if form.validate_on_submit():
        try:
            record(current_actor(), resident, form.on.data)
        except services.RegistryError as exc:
            show_field_error(form, exc)
        else:
            flash(done, "success")
            return redirect(url_for("households.household", household_id=resident.household_id))
    return render_template("registry/status_form.html", form=form, resident=resident, title=title)


@bp.route("/residents/<int:resident_id>/move-out", methods=["GET", "POST"])
@require(Permission.view_registry)
def move_out(resident_id: int):
    return _end_residence(
        resident_id,
        services.move_out,
        _("Record moving out"),
        _("Recorded as moved out. The record stays in the household's history."),
    )


@bp.route("/residents/<int:resident_id>/deceased", methods=["GET", "POST"])
@require(Permission.view_registry)
def record_death(resident_id: int):
    return _end_residence(
        resident_id,
        services.record_death,
        _("Record a death"),
        _("Recorded as deceased. The record stays in the household's history."),
    )
