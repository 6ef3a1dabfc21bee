"""The worker's pages: today's list, a household's tasks, logging a visit.

The forms post here as HTML forms (JavaScript off) or from the phone's outbox, which asks
for JSON and gets the stored record's id and state (gridcare/outbox.py).
"""

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.clock import local_to_utc, today
from gridcare.converters import as_id
from gridcare.forms import show_field_error
from gridcare.outbox import form_refused, refused, stored, wants_json
from gridcare.registry.models import Household
from gridcare.registry.services.lookups import HOUSEHOLD_WITH_RESIDENTS
from gridcare.visits import services
from gridcare.visits.forms import QuickLogForm, log_form_for, phone_time
from gridcare.visits.models import (
    Outcome,
    VisitKind,
    VisitMethod,
    VisitStatus,
    new_client_uuid,
)
from gridcare.visits.views.blueprint import bp


def _position(form) -> services.Position | None:
    if form.lat.data is None or form.lon.data is None:
        return None
    return services.Position(form.lat.data, form.lon.data, form.accuracy.data)


# position.js remembers the phone's last fix for a few minutes under this cookie, so the
# list comes in walking order at once instead of loading twice (once to ask the phone).
POSITION_COOKIE = "gridcare_here"


def _start_point():
    lat = request.args.get("lat", type=float)
    lon = request.args.get("lon", type=float)
    if lat is None or lon is None:
        lat, lon = _remembered_position()
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return (lat, lon)


def _remembered_position() -> tuple[float | None, float | None]:
    try:
        lat, lon = (float(part) for part in request.cookies.get(POSITION_COOKIE, "").split(","))
    except ValueError:
        return None, None
    return lat, lon


@bp.route("/today")
@require(Permission.log_visits)
def today_list():
    start = _start_point()
    actor = current_actor()
    everything = request.args.get("all") == "1"
    day = services.worker_day(
        actor.user_id,
        actor.scope,
        today(),
        start,
        upcoming_shown=None if everything else services.UPCOMING_SHOWN,
    )
    # One CSRF token for the page and a plain token per row: a WTForms form per row was
    # most of the page's time on a long list.
    return render_template(
        "visits/today.html",
        day=day,
        start=start,
        new_uuid=new_client_uuid,
        today=today(),
        kind_labels={kind: str(kind.label) for kind in VisitKind},
    )


@bp.route("/outbox")
@require(Permission.log_visits)
def outbox():
    """What the phone still has to send: the page's script reads it from the phone."""
    return render_template("visits/outbox.html")


def _when(form) -> datetime | None:
    """When the visit happened: the time the worker typed, else the phone's clock when
    the outbox queued it (the service bounds it); None means now."""
    if getattr(form, "completed_at", None) is not None and form.completed_at.data:
        return local_to_utc(form.completed_at.data)
    return phone_time(form.phone_time.data)


@bp.route("/household/<int:household_id>/quick", methods=["POST"])
@require(Permission.log_visits)
def quick_log(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    form = QuickLogForm()
    if not form.validate_on_submit() or as_id(form.visit_id.data) is None:
        if wants_json():
            return form_refused(form) if form.errors else refused(INCOMPLETE, "visit_id")
        flash(INCOMPLETE, "error")
        return redirect(url_for("visits.today_list"))
    try:
        visit = services.log_visit(
            current_actor(),
            household,
            kind=VisitKind.home_visit,
            client_uuid=form.client_uuid.data,
            outcome=Outcome.well,
            method=VisitMethod.in_person,
            position=_position(form),
            completed_at=_when(form),
            visit_id=as_id(form.visit_id.data),
        )
    except services.VisitError as exc:
        if wants_json():
            return refused(exc.message, exc.field)
        flash(str(exc.message), "error")
        return redirect(url_for("visits.today_list"))
    if wants_json():
        return stored(visit.id, visit.status, household=household.id)
    flash(_("Visit to %(address)s logged: all well.", address=household.full_address), "success")
    return redirect(url_for("visits.today_list", done=visit.id))


INCOMPLETE = _l("The visit could not be logged: the form was incomplete. Please try again.")


@bp.route("/household/<int:household_id>/log", methods=["GET", "POST"])
@require(Permission.log_visits)
def log(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    requested = request.values.get("kind", "")
    kind = VisitKind(requested) if requested in VisitKind.__members__ else VisitKind.home_visit
    items = services.checklist_items() if kind == VisitKind.safety_check else []
    form = log_form_for(kind, items, str(get_locale()))(kind=kind.value)
    if request.method == "GET":
        form.visit_id.data = request.args.get("visit", "")
        form.back.data = "today" if request.args.get("back") == "today" else ""
    if form.validate_on_submit():
        not_home = form.outcome.data == "not_home"
        try:
            visit = services.log_visit(
                current_actor(),
                household,
                kind=kind,
                client_uuid=form.client_uuid.data,
                outcome=None if not_home else Outcome(form.outcome.data),
                method=VisitMethod(form.method.data),
                not_home=not_home,
                notes=form.notes.data or "",
                checklist=_checklist(form, items),
                position=_position(form),
                completed_at=_when(form),
                visit_id=as_id(form.visit_id.data),
            )
        except services.VisitError as exc:
            if wants_json():
                return refused(exc.message, exc.field)
            show_field_error(form, exc)
        else:
            if wants_json():
                return stored(visit.id, visit.status, failed_items=visit.failed_items)
            requested = as_id(form.visit_id.data)
            for message, category in _logged_messages(visit, kind, household, requested):
                flash(message, category)
            if visit.failed_items:
                # Straight on to the first failed item's hazard, pre-filled; the others are
                # one tap away on the household's visits page.
                return redirect(
                    url_for(
                        "hazards.create",
                        household_id=household.id,
                        visit=visit.id,
                        item=visit.failed_items[0],
                    )
                )
            if form.back.data == "today":
                return redirect(url_for("visits.today_list"))
            return redirect(url_for("visits.household", household_id=household.id))
    elif wants_json():
        return form_refused(form)
    return render_template(
        "visits/log.html",
        form=form,
        household=household,
        kind=kind,
        items=items,
    )


def _checklist(form, items) -> dict[str, str]:
    """The answers given; with "all other items pass", every item left unanswered passes."""
    all_pass = getattr(form, "all_pass", None) is not None and form.all_pass.data
    answers = {}
    for item in items:
        answer = getattr(form, f"check_{item.code}").data or ("pass" if all_pass else None)
        if answer:
            answers[item.code] = answer
    return answers


def _logged_messages(visit, kind: VisitKind, household: Household, requested: int | None):
    """What the worker is told after logging: what happened to the task, in their words."""
    address = household.full_address
    if visit.status == VisitStatus.not_home:
        yield _("Nobody was home at %(address)s; the task stays open.", address=address), "success"
        return
    if visit.method == VisitMethod.phone:
        yield (
            _(
                "Phone call to %(address)s logged; the task stays open for a visit.",
                address=address,
            ),
            "success",
        )
        return
    if visit.method == VisitMethod.video:
        yield (
            _(
                "Video call to %(address)s logged; the task stays open for a visit.",
                address=address,
            ),
            "success",
        )
        return
    yield _("%(kind)s at %(address)s logged.", kind=kind.label, address=address), "success"
    if requested is not None and visit.id != requested:
        yield _("That task had already closed; the visit is kept in the history."), "warning"
    if visit.failed_items:
        yield (
            ngettext(
                "%(num)d item failed, so the check is saved with concerns.",
                "%(num)d items failed, so the check is saved with concerns.",
                len(visit.failed_items),
            ),
            "warning",
        )


@bp.route("/household/<int:household_id>")
@require(Permission.view_registry)
def household(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    planned, history = services.household_visits(household.id)
    return render_template(
        "visits/household.html",
        household=household,
        planned=planned,
        history=history,
        schedules=services.schedules_for(household.id),
        checklist=services.checklist_by_code(),
        locale=str(get_locale()),
        life_events=services.household_life_events(household.id),
        today=today(),
    )
