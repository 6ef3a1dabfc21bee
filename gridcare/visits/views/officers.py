"""The officers' pages: workload and reassignment, campaigns, schedules (one-off checks are
in `assigning`)."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.lookups import workers_in_scope
from gridcare.accounts.models import Permission
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.areas.services import areas_in_scope
from gridcare.clock import today
from gridcare.converters import arg_id
from gridcare.forms import show_field_error
from gridcare.visits import services
from gridcare.visits.forms import (
    CampaignForm,
    ReassignForm,
    ScheduleForm,
)
from gridcare.visits.models import (
    Campaign,
    CareSchedule,
    VisitKind,
)
from gridcare.visits.services.campaign_templates import CAMPAIGN_TEMPLATES
from gridcare.visits.views.blueprint import bp


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


def _worker_choices():
    return [(w.id, w.display_name) for w in workers_in_scope(current_actor().scope)]


@bp.route("/workload")
@require(Permission.assign_visits)
def workload():
    scope, worker_id = current_actor().scope, arg_id("worker")
    overdue = services.overdue_visits(scope, today(), worker_id)
    # Across several grids nobody can open every home: offer whoever can take some of them.
    grids = {task.grid_path for task in overdue.tasks}
    able = services.workers_covering(scope, grids, any_of=True)
    form = ReassignForm(workers=[(w.id, w.display_name) for w in able])
    return render_template(
        "visits/workload.html",
        rows=services.workload(scope, today()),
        overdue=overdue.tasks,
        overdue_total=overdue.total,
        overdue_words=_overdue_words(overdue.tasks),
        form=form,
        today=today(),
    )


def _overdue_words(overdue: list[services.OverdueTask]) -> dict:
    """Each kind, due date and "N days overdue" of the list in words, once each: up to 200
    rows share a few of each, and translating per row was most of the page's time."""
    dates = {t.due_date for t in overdue}
    lateness = {t.days_overdue for t in overdue}
    return {
        "kind": {kind: str(kind.label) for kind in VisitKind},
        "due": {day: format_date(day, "medium") for day in dates},
        "late": {
            days: ngettext("%(num)d day overdue", "%(num)d days overdue", days) for days in lateness
        },
    }


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


@bp.route("/campaigns")
@require(Permission.assign_visits)
def campaigns():
    return render_template(
        "visits/campaigns.html",
        campaigns=services.campaigns_in_scope(current_actor().scope),
        templates=CAMPAIGN_TEMPLATES.values(),
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@require(Permission.assign_visits)
def create_campaign():
    from gridcare.areas.models import Area

    scope = current_actor().scope
    form = CampaignForm(areas=[(a.id, f"{'· ' * a.depth}{a.name}") for a in areas_in_scope(scope)])
    template = CAMPAIGN_TEMPLATES.get(request.args.get("template", ""))
    if request.method == "GET":
        form.due_date.data = today() + timedelta(days=14)
        if template is not None:
            # The second tap: the round filled in, for the officer's whole area.
            form.name.data = str(template.name)
            form.kind.data = template.kind.value
            form.care_levels.data = list(template.care_levels)
            form.flags.data = list(template.flags)
            form.due_date.data = template.due(today())
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
    return render_template("visits/campaign_form.html", form=form, template=template)


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
