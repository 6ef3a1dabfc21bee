from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.clock import today
from gridcare.converters import arg_id
from gridcare.forms import show_field_error
from gridcare.hazards import services
from gridcare.hazards.forms import HazardForm, MoveForm
from gridcare.hazards.models import HazardCategory, Photo, Severity
from gridcare.hazards.notices import notification_text
from gridcare.hazards.photos import photo_path
from gridcare.hazards.steps import BUTTON_LABELS, NOTE_LABELS, next_steps
from gridcare.outbox import form_refused, refused, stored, wants_json
from gridcare.registry.models import Household
from gridcare.visits.models import Visit

bp = Blueprint("hazards", __name__)
bp.add_app_template_global(notification_text)


def _upload(field) -> bytes | None:
    data = field.data
    return data.read() if data and getattr(data, "filename", "") else None


@bp.route("/household/<int:household_id>/new", methods=["GET", "POST"])
@require(Permission.view_registry)
def create(household_id: int):
    scope = current_actor().scope
    household = get_in_scope_or_404(Household, household_id, scope)
    form = HazardForm()
    prefill = {}
    # One parse of the visit named by the page or the form, checked in scope.
    visit_id = arg_id("visit_id") or arg_id("visit")
    if not visit_id and form.visit_uuid.data:
        visit_id = services.visit_by_client_uuid(form.visit_uuid.data)
    if visit_id:
        visit = get_in_scope_or_404(Visit, visit_id, scope)
        prefill = services.prefill_from_check(visit, request.values.get("item", ""))
    if request.method == "GET":
        form.visit_id.data = visit_id or ""
        if prefill:
            form.category.data = prefill["category"]
            form.checklist_code.data = prefill["checklist_code"]
    if form.validate_on_submit():
        try:
            hazard = services.raise_hazard(
                current_actor(),
                household,
                category=HazardCategory(form.category.data),
                severity=Severity(form.severity.data),
                description=form.description.data,
                today=today(),
                fixed_on_spot=form.fixed_on_spot.data,
                deadline=form.deadline.data,
                visit_id=visit_id,
                client_uuid=form.client_uuid.data,
                checklist_code=form.checklist_code.data or None,
                before_photo=_upload(form.before_photo),
                after_photo=_upload(form.after_photo),
            )
        except services.HazardForbidden as exc:
            abort(403, description=str(exc.message))
        except services.HazardError as exc:
            if wants_json():
                return refused(exc.message, exc.field)
            show_field_error(form, exc)
        else:
            if wants_json():
                return stored(hazard.id, hazard.status, photos=services.photo_count(hazard.id))
            flash(_("Hazard recorded."), "success")
            return redirect(url_for("hazards.detail", hazard_id=hazard.id))
    elif wants_json():
        return form_refused(form)
    return render_template(
        "hazards/form.html", form=form, household=household, item=prefill.get("item")
    )


@bp.route("/<int:hazard_id>")
@require(Permission.view_registry)
def detail(hazard_id: int):
    actor = current_actor()
    hazard = services.hazard_detail(hazard_id, actor.scope) or abort(404)
    return _render_detail(hazard, MoveForm(workers=_assignable(hazard)))


def _assignable(hazard) -> list[tuple[int, str]]:
    return [
        (w.id, w.display_name) for w in services.assignable_workers(hazard, current_actor().scope)
    ]


def _render_detail(hazard, form: MoveForm):
    return render_template(
        "hazards/detail.html",
        hazard=hazard,
        steps=next_steps(current_actor(), hazard),
        form=form,
        labels=services.ACTION_LABELS,
        buttons=BUTTON_LABELS,
        notes=NOTE_LABELS,
        today=today(),
    )


@bp.route("/<int:hazard_id>/move", methods=["POST"])
@require(Permission.view_registry)
def move(hazard_id: int):
    actor = current_actor()
    hazard = services.hazard_detail(hazard_id, actor.scope) or abort(404)
    form = MoveForm(workers=_assignable(hazard))
    if form.validate_on_submit():
        try:
            services.move_hazard(
                actor,
                hazard,
                form.action.data,
                note=form.note.data or "",
                photo=_upload(form.photo),
                assignee_id=form.assignee_id.data or None,
                client_uuid=form.client_uuid.data or None,
            )
        except services.HazardForbidden as exc:
            abort(403, description=str(exc.message))
        except services.HazardError as exc:
            if wants_json():
                return refused(exc.message, exc.field)
            if exc.field == "assignee_id":
                show_field_error(form, exc)
                return _render_detail(hazard, form)
            flash(str(exc.message), "error")
            return redirect(url_for("hazards.detail", hazard_id=hazard_id))
        if wants_json():
            return stored(hazard.id, hazard.status, photos=services.photo_count(hazard.id))
        flash(services.ACTION_LABELS[form.action.data], "success")
    elif wants_json():
        return form_refused(form)
    return redirect(url_for("hazards.detail", hazard_id=hazard_id))


@bp.route("/mine")
@require(Permission.log_visits)
def mine():
    actor = current_actor()
    return render_template(
        "hazards/mine.html", hazards=services.my_hazards(actor.user_id, actor.scope), today=today()
    )


@bp.route("/queue")
@require(Permission.assign_visits)
def queue():
    return render_template(
        "hazards/queue.html",
        queue=services.officer_queue(current_actor().scope, today()),
        today=today(),
    )


@bp.route("/household/<int:household_id>")
@require(Permission.view_registry)
def household(household_id: int):
    scope = current_actor().scope
    household = get_in_scope_or_404(Household, household_id, scope)
    return render_template(
        "hazards/household.html",
        household=household,
        hazards=services.household_hazards(household.id, scope),
        today=today(),
    )


@bp.route("/photos/<int:photo_id>")
@bp.route("/photos/<int:photo_id>/thumb", defaults={"thumbnail": True}, endpoint="thumbnail")
@require(Permission.view_registry)
def photo(photo_id: int, thumbnail: bool = False):
    picture = get_in_scope_or_404(Photo, photo_id, current_actor().scope)
    response = send_file(photo_path(picture.filename, thumbnail), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
