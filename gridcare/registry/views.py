import io

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.models import AREA_KIND_LABELS
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.areas.services import areas_in_scope, grids_in_scope
from gridcare.clock import today
from gridcare.hazards.services import household_hazards
from gridcare.registry import exports, imports, plates, services
from gridcare.registry.forms import (
    CareLevelOverrideForm,
    ContactDetailsForm,
    EditResidentForm,
    ExportForm,
    HouseholdFilterForm,
    HouseholdForm,
    IdLookupForm,
    ImportForm,
    PlateSheetForm,
    ResidentForm,
    StatusDateForm,
)
from gridcare.registry.models import Household, Resident
from gridcare.spreadsheets import XLSX_MIMETYPE

bp = Blueprint("registry", __name__)


def _allow(permission: Permission) -> None:
    """403 unless the actor holds `permission`; called after the scoped load, so that a
    record outside the caller's areas stays a 404 whatever their role."""
    if not current_actor().can(permission):
        abort(403)


def _show_error(form, exc: services.RegistryError) -> None:
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


def _area_choices():
    return [
        (str(a.id), f"{'· ' * a.depth}{a.name} ({AREA_KIND_LABELS[a.kind]})")
        for a in areas_in_scope(current_actor().scope)
    ]


def _grid_choices():
    return [(g.id, f"{g.name} ({g.code})") for g in grids_in_scope(current_actor().scope)]


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


# Households.


@bp.route("/households")
@require(Permission.view_registry)
def households():
    form = HouseholdFilterForm(formdata=request.args, area_choices=_area_choices())
    form.validate()
    page = services.list_households(
        current_actor().scope,
        area_id=form.value("area_id"),
        care_level=form.value("care_level"),
        flag=form.value("flag"),
        q=form.value("q") if not form.q.errors else None,
        include_inactive=bool(form.value("include_inactive")),
        page=max(request.args.get("page", 1, type=int), 1),
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
                url_for("registry.household", household_id=resident.household_id)
                + f"#resident-{resident.id}"
            )
    flash(_("No resident in your areas has this ID number."), "warning")
    return redirect(url_for("registry.households"))


@bp.route("/households/new", methods=["GET", "POST"])
@require(Permission.edit_registry)
def create_household():
    form = HouseholdForm(grid_choices=_grid_choices())
    if form.validate_on_submit():
        try:
            household = services.create_household(current_actor(), **_household_form_values(form))
        except services.RegistryError as exc:
            _show_error(form, exc)
        else:
            flash(_("Household registered. Now add its residents."), "success")
            return redirect(url_for("registry.add_resident", household_id=household.id))
    return render_template("registry/household_form.html", form=form, household=None)


@bp.route("/households/<int:household_id>")
@require(Permission.view_registry)
def household(household_id: int):
    household = get_in_scope_or_404(Household, household_id, current_actor().scope)
    return _render_household(household)


def _render_household(household: Household, revealed: dict[int, str] | None = None):
    return render_template(
        "registry/household.html",
        household=household,
        residents=services.household_residents(household, today()),
        hazards=household_hazards(household.id, current_actor().scope),
        revealed=revealed or {},
        today=today(),
    )


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@require(Permission.view_registry)
def edit_household(household_id: int):
    household = get_in_scope_or_404(Household, household_id, current_actor().scope)
    _allow(Permission.edit_registry)
    form = HouseholdForm(obj=household, grid_choices=_grid_choices())
    if form.validate_on_submit():
        try:
            services.update_household(current_actor(), household, **_household_form_values(form))
        except services.RegistryError as exc:
            _show_error(form, exc)
        else:
            flash(_("Household saved."), "success")
            return redirect(url_for("registry.household", household_id=household.id))
    return render_template("registry/household_form.html", form=form, household=household)


@bp.route("/households/<int:household_id>/close", methods=["POST"])
@require(Permission.view_registry)
def deactivate_household(household_id: int):
    household = get_in_scope_or_404(Household, household_id, current_actor().scope)
    _allow(Permission.edit_registry)
    try:
        services.deactivate_household(current_actor(), household)
    except services.RegistryError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Household closed. It stays on record and can be reopened."), "success")
    return redirect(url_for("registry.household", household_id=household.id))


@bp.route("/households/<int:household_id>/reopen", methods=["POST"])
@require(Permission.view_registry)
def reactivate_household(household_id: int):
    household = get_in_scope_or_404(Household, household_id, current_actor().scope)
    _allow(Permission.edit_registry)
    services.reactivate_household(current_actor(), household)
    flash(_("Household reopened."), "success")
    return redirect(url_for("registry.household", household_id=household.id))


@bp.route("/households/<int:household_id>/care-level", methods=["GET", "POST"])
@require(Permission.view_registry)
def care_level(household_id: int):
    household = get_in_scope_or_404(Household, household_id, current_actor().scope)
    _allow(Permission.edit_registry)
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
            _show_error(form, exc)
        else:
            flash(_("Care level saved."), "success")
            return redirect(url_for("registry.household", household_id=household.id))
    return render_template("registry/care_level_form.html", form=form, household=household)


# Residents.


@bp.route("/households/<int:household_id>/residents/new", methods=["GET", "POST"])
@require(Permission.view_registry)
def add_resident(household_id: int):
    household = get_in_scope_or_404(Household, household_id, current_actor().scope)
    _allow(Permission.edit_registry)
    form = ResidentForm()
    duplicate_of = None
    if form.validate_on_submit():
        try:
            resident = services.add_resident(
                current_actor(), household, **_resident_form_values(form)
            )
        except services.DuplicateIdNumber as exc:
            _show_error(form, exc)
            duplicate_of = exc.existing_id
        except services.RegistryError as exc:
            _show_error(form, exc)
        else:
            flash(_("%(name)s registered.", name=resident.name), "success")
            return redirect(url_for("registry.household", household_id=household.id))
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
    resident = get_in_scope_or_404(Resident, resident_id, current_actor().scope)
    return redirect(
        url_for("registry.household", household_id=resident.household_id)
        + f"#resident-{resident.id}"
    )


@bp.route("/residents/<int:resident_id>/edit", methods=["GET", "POST"])
@require(Permission.view_registry)
def edit_resident(resident_id: int):
    resident = get_in_scope_or_404(Resident, resident_id, current_actor().scope)
    _allow(Permission.edit_registry)
    form = EditResidentForm(obj=resident)
    duplicate_of = None
    if form.validate_on_submit():
        try:
            services.update_resident(current_actor(), resident, **_resident_form_values(form))
        except services.DuplicateIdNumber as exc:
            _show_error(form, exc)
            duplicate_of = exc.existing_id
        except services.RegistryError as exc:
            _show_error(form, exc)
        else:
            flash(_("%(name)s saved.", name=resident.name), "success")
            return redirect(url_for("registry.household", household_id=resident.household_id))
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
    resident = get_in_scope_or_404(Resident, resident_id, current_actor().scope)
    _allow(Permission.correct_contacts)
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
            _show_error(form, exc)
        else:
            flash(_("Contact details of %(name)s saved.", name=resident.name), "success")
            return redirect(url_for("registry.household", household_id=resident.household_id))
    return render_template("registry/contacts_form.html", form=form, resident=resident)


def _end_residence(resident_id: int, record, title: str, done: str):
    resident = get_in_scope_or_404(Resident, resident_id, current_actor().scope)
    _allow(Permission.edit_registry)
    form = StatusDateForm()
    if form.validate_on_submit():
        try:
            record(current_actor(), resident, form.on.data)
        except services.RegistryError as exc:
            _show_error(form, exc)
        else:
            flash(done, "success")
            return redirect(url_for("registry.household", household_id=resident.household_id))
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


@bp.route("/residents/<int:resident_id>/reveal", methods=["POST"])
@require(Permission.view_registry)
def reveal_id_number(resident_id: int):
    resident = get_in_scope_or_404(Resident, resident_id, current_actor().scope)
    _allow(Permission.reveal_id_number)
    number = services.reveal_id_number(current_actor(), resident)
    response = make_response(_render_household(resident.household, {resident.id: number}))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _registry_helpers():
    return {"may_export": exports.may_export}


def _download(content: bytes, mimetype: str, filename: str):
    response = send_file(
        io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# Import and export.


@bp.route("/import", methods=["GET", "POST"])
@require(Permission.edit_registry)
def import_residents():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        try:
            report = imports.import_residents(
                current_actor(),
                form.file.data.read(imports.MAX_IMPORT_BYTES + 1),
                dry_run=not form.apply.data,
            )
        except imports.ImportFileError as exc:
            form.file.errors.append(str(exc.message))
    return render_template(
        "registry/import.html",
        form=form,
        report=report,
        columns=imports.COLUMNS,
        rules=imports.import_rules(),
        ignored=imports.EXPORT_ONLY_HEADERS,
    )


@bp.route("/import/template.xlsx")
@require(Permission.edit_registry)
def import_template():
    return _download(imports.import_template(), XLSX_MIMETYPE, imports.TEMPLATE_FILENAME)


@bp.route("/export", methods=["GET", "POST"])
@require(Permission.view_registry)
def export():
    if not exports.may_export(current_actor()):
        abort(403)
    # The households list links here with its filters in the query string.
    formdata = request.form if request.method == "POST" else request.args
    form = ExportForm(formdata=formdata, area_choices=_area_choices())
    if form.validate_on_submit():
        try:
            exported = exports.export_registry(
                current_actor(),
                form.fmt.data,
                area_id=form.value("area_id"),
                care_level=form.value("care_level"),
                flag=form.value("flag"),
                q=form.value("q"),
                include_inactive=bool(form.value("include_inactive")),
                full_ids=form.full_ids.data,
            )
        except services.RegistryPermissionError:
            abort(403)
        return _download(exported.content, exported.mimetype, exported.filename)
    return render_template("registry/export.html", form=form)


# Door plates.


def _plate_url(token: str) -> str:
    return url_for("doors.open_plate", token=token, _external=True)


@bp.route("/plates")
@require(Permission.view_registry)
def plate_sheet():
    form = PlateSheetForm(formdata=request.args, grid_choices=_grid_choices())
    sheet = None
    if "grid_id" in request.args and form.validate():
        sheet = plates.plate_sheet(current_actor().scope, _plate_url, grid_id=form.grid_id.data)
    return render_template("registry/plates.html", form=form, sheet=sheet)


@bp.route("/households/<int:household_id>/plate")
@require(Permission.view_registry)
def household_plate(household_id: int):
    household = get_in_scope_or_404(Household, household_id, current_actor().scope)
    sheet = plates.plate_sheet(current_actor().scope, _plate_url, household_id=household.id)
    if sheet is None:
        abort(404)  # a closed household has no plate
    form = PlateSheetForm(formdata=None, grid_choices=_grid_choices(), grid_id=household.grid_id)
    return render_template("registry/plates.html", form=form, sheet=sheet)


@bp.route("/households/<int:household_id>/door-token", methods=["POST"])
@require(Permission.view_registry)
def rotate_door_token(household_id: int):
    household = get_in_scope_or_404(Household, household_id, current_actor().scope)
    _allow(Permission.edit_registry)
    plates.rotate_door_token(current_actor(), household)
    flash(
        _("The door plate has a new code. Print the new plate: the old one no longer works."),
        "success",
    )
    return redirect(url_for("registry.household", household_id=household.id))


# The short address on a door plate, outside /registry: /h/<token>.
doors = Blueprint("doors", __name__)


@doors.route("/h/<token>")
@login_required
def open_plate(token: str):
    household = plates.household_for_door_token(current_actor().scope, token)
    if household is None:
        # Unknown, replaced, closed or outside the scanner's areas: all look the same.
        return render_template("registry/plate_invalid.html"), 404
    return redirect(url_for("visits.household", household_id=household.id))
