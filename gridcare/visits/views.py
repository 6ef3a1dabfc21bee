from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.lookups import workers_in_scope
from gridcare.accounts.models import Permission
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.areas.services import areas_in_scope, grids_in_scope
from gridcare.clock import local_to_utc, today
from gridcare.converters import arg_id, as_id
from gridcare.forms import show_field_error
from gridcare.registry.models import Household
from gridcare.registry.services.lookups import HOUSEHOLD_WITH_RESIDENTS
from gridcare.visits import services
from gridcare.visits.forms import (
    AssignForm,
    CampaignForm,
    QuickLogForm,
    ReassignForm,
    ScheduleForm,
    log_form_for,
)
from gridcare.visits.models import (
    Campaign,
    CareSchedule,
    Outcome,
    VisitKind,
    VisitMethod,
    VisitStatus,
)

bp = Blueprint("visits", __name__)


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
    day = services.worker_day(actor.user_id, actor.scope, today(), start)
    return render_template(
        "visits/today.html", day=day, start=start, quick_form=QuickLogForm, today=today()
    )


@bp.route("/household/<int:household_id>/quick", methods=["POST"])
@require(Permission.log_visits)
def quick_log(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    form = QuickLogForm()
    if not form.validate_on_submit() or as_id(form.visit_id.data) is None:
        flash(
            _("The visit could not be logged: the form was incomplete. Please try again."), "error"
        )
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
            visit_id=as_id(form.visit_id.data),
        )
    except services.VisitError as exc:
        flash(str(exc.message), "error")
    else:
        flash(
            _("Visit to %(address)s logged: all well.", address=household.full_address), "success"
        )
        return redirect(url_for("visits.today_list", done=visit.id))
    return redirect(url_for("visits.today_list"))


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
                checklist={
                    item.code: getattr(form, f"check_{item.code}").data
                    for item in items
                    if getattr(form, f"check_{item.code}").data
                },
                position=_position(form),
                completed_at=local_to_utc(form.completed_at.data)
                if form.completed_at.data
                else None,
                visit_id=as_id(form.visit_id.data),
            )
        except services.VisitError as exc:
            show_field_error(form, exc)
        else:
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
            return redirect(url_for("visits.household", household_id=household.id))
    return render_template(
        "visits/log.html", form=form, household=household, kind=kind, items=items
    )


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
        checklist_labels={
            item.code: item.label(str(get_locale())) for item in services.checklist_items()
        },
        today=today(),
    )


# Officers.


def _tasks_added(done: str, added: services.TasksAdded) -> str:
    """`done`, plus how many households got no new task because one was already open."""
    said = [done]
    if added.taken_in:
        said.append(
            ngettext(
                "%(num)d household already had an open task of this kind: it got no second "
                "one, and that task now counts for this campaign, due by its date.",
                "%(num)d households already had an open task of this kind: they got no second "
                "one, and that task now counts for this campaign, due by its date.",
                added.taken_in,
            )
        )
    if added.already_open > added.taken_in:
        said.append(
            ngettext(
                "%(num)d household already had an open task of this kind and got no new one.",
                "%(num)d households already had an open task of this kind and got no new one.",
                added.already_open - added.taken_in,
            )
        )
    return " ".join(said)


def _checks_assigned(added: services.TasksAdded, due_date, worker_name: str | None) -> str:
    """What a one-off assignment did; a household's open task now does for the check."""
    said = [_("%(n)d tasks assigned.", n=added.created)]
    if added.already_open and worker_name:
        said.append(
            ngettext(
                "%(num)d household already had an open task of this kind and got no second "
                "one; that task is now due by %(date)s, for %(worker)s.",
                "%(num)d households already had an open task of this kind and got no second "
                "one; that task is now due by %(date)s, for %(worker)s.",
                added.already_open,
                date=format_date(due_date, "medium"),
                worker=worker_name,
            )
        )
    elif added.already_open:
        said.append(
            ngettext(
                "%(num)d household already had an open task of this kind and got no second "
                "one; that task is now due by %(date)s.",
                "%(num)d households already had an open task of this kind and got no second "
                "one; that task is now due by %(date)s.",
                added.already_open,
                date=format_date(due_date, "medium"),
            )
        )
    return " ".join(said)


def _worker_choices():
    return [(w.id, w.display_name) for w in workers_in_scope(current_actor().scope)]


@bp.route("/workload")
@require(Permission.assign_visits)
def workload():
    scope = current_actor().scope
    overdue = services.overdue_visits(scope, today(), arg_id("worker"))
    # Across several grids nobody can open every home: offer whoever can take some of them.
    able = services.workers_who_can_open(
        scope, {household.id for _, household in overdue}, any_of=True
    )
    form = ReassignForm(workers=[(w.id, w.display_name) for w in able])
    return render_template(
        "visits/workload.html",
        rows=services.workload(scope, today()),
        overdue=overdue,
        form=form,
        today=today(),
    )


@bp.route("/reassign", methods=["POST"])
@require(Permission.assign_visits)
def reassign():
    form = ReassignForm(workers=_worker_choices())
    if form.validate_on_submit() and form.visit_ids.data:
        try:
            done = services.reassign_visits(
                current_actor(), form.visit_ids.data, form.worker_id.data
            )
        except services.VisitError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("%(n)d tasks reassigned.", n=done.moved), "success")
            if done.not_theirs:
                flash(
                    ngettext(
                        "%(num)d task was not moved: the worker's areas do not hold its "
                        "household. It stays with its worker.",
                        "%(num)d tasks were not moved: the worker's areas do not hold their "
                        "households. They stay with their workers.",
                        done.not_theirs,
                    ),
                    "warning",
                )
    else:
        flash(_("Choose the tasks and the worker to give them to."), "error")
    return redirect(url_for("visits.workload"))


@bp.route("/assign", methods=["GET", "POST"])
@require(Permission.assign_visits)
def assign():
    scope = current_actor().scope
    grids = grids_in_scope(scope)
    grid_id = arg_id("grid") or (grids[0].id if grids else None)
    households = services.households_for_assignment(scope, grid_id) if grid_id else []
    able = services.workers_who_can_open(scope, [h.id for h in households])
    form = AssignForm(
        households=[(h.id, h.full_address) for h in households],
        workers=[(w.id, w.display_name) for w in able],
    )
    if request.method == "GET":
        form.due_date.data = today() + timedelta(days=7)
    if form.validate_on_submit():
        if not form.household_ids.data:
            form.household_ids.errors.append(_("Choose at least one household."))
        else:
            try:
                added = services.assign_checks(
                    current_actor(),
                    form.household_ids.data,
                    kind=VisitKind(form.kind.data),
                    due_date=form.due_date.data,
                    today=today(),
                    worker_id=form.worker_id.data or None,
                )
            except services.VisitError as exc:
                show_field_error(form, exc)
            else:
                named = {w.id: w.display_name for w in able}.get(form.worker_id.data)
                flash(_checks_assigned(added, form.due_date.data, named), "success")
                return redirect(url_for("visits.workload"))
    return render_template(
        "visits/assign.html", form=form, grids=grids, grid_id=grid_id, households=households
    )


@bp.route("/campaigns")
@require(Permission.assign_visits)
def campaigns():
    return render_template(
        "visits/campaigns.html", campaigns=services.campaigns_in_scope(current_actor().scope)
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@require(Permission.assign_visits)
def create_campaign():
    from gridcare.areas.models import Area

    scope = current_actor().scope
    form = CampaignForm(areas=[(a.id, f"{'· ' * a.depth}{a.name}") for a in areas_in_scope(scope)])
    if request.method == "GET":
        form.due_date.data = today() + timedelta(days=14)
    if form.validate_on_submit():
        area = get_in_scope_or_404(Area, form.area_id.data, scope)
        try:
            campaign, added = services.create_campaign(
                current_actor(),
                name=form.name.data,
                kind=VisitKind(form.kind.data),
                area=area,
                care_levels=form.care_levels.data or [],
                flags=form.flags.data or [],
                due_date=form.due_date.data,
                today=today(),
                client_uuid=form.client_uuid.data,
            )
        except services.VisitError as exc:
            show_field_error(form, exc)
        else:
            if added is None:
                flash(_("Campaign %(name)s was already started.", name=campaign.name), "info")
            else:
                started = _(
                    "Campaign %(name)s started: %(n)d tasks.", name=campaign.name, n=added.created
                )
                flash(_tasks_added(started, added), "success")
            return redirect(url_for("visits.campaigns"))
    return render_template("visits/campaign_form.html", form=form)


@bp.route("/campaigns/<int:campaign_id>/refresh", methods=["POST"])
@require(Permission.assign_visits)
def refresh_campaign(campaign_id: int):
    campaign = get_in_scope_or_404(Campaign, campaign_id, current_actor().scope)
    added = services.refresh_campaign(current_actor(), campaign)
    flash(
        _tasks_added(_("%(n)d new tasks added to the campaign.", n=added.created), added),
        "success",
    )
    return redirect(url_for("visits.campaigns"))


@bp.route("/schedules/<int:schedule_id>", methods=["GET", "POST"])
@require(Permission.assign_visits)
def schedule(schedule_id: int):
    schedule = get_in_scope_or_404(CareSchedule, schedule_id, current_actor().scope)
    able = services.workers_who_can_open(current_actor().scope, [schedule.household_id])
    form = ScheduleForm(obj=schedule, workers=[(w.id, w.display_name) for w in able])
    if request.method == "GET":
        form.worker_id.data = schedule.worker_id or 0
    if form.validate_on_submit():
        try:
            services.adjust_schedule(
                current_actor(),
                schedule,
                interval_days=form.interval_days.data,
                window_days=form.window_days.data,
                worker_id=form.worker_id.data or None,
                today=today(),
            )
        except services.VisitError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Schedule saved."), "success")
            return redirect(url_for("visits.household", household_id=schedule.household_id))
    return render_template("visits/schedule.html", form=form, schedule=schedule)
