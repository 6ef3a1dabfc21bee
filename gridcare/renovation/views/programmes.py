"""Programmes: the list, opening one, picking households, the officer's overview and
asking for a follow-up round; and the worker's follow-up visits."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission, Role
from gridcare.areas.models import Area
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.areas.services import areas_in_scope
from gridcare.clock import today
from gridcare.renovation import services
from gridcare.renovation.forms import (
    AddCasesForm,
    CandidateForm,
    FollowUpRoundForm,
    ProgrammeForm,
)
from gridcare.renovation.views.blueprint import bp, refuse


@bp.route("/")
@require(Permission.view_registry)
def index():
    actor = current_actor()
    follow_ups = (
        services.open_follow_ups(actor.scope, today()) if actor.can(Permission.log_visits) else []
    )
    return render_template(
        "renovation/index.html",
        programmes=services.programmes_in_scope(actor.scope),
        follow_ups=follow_ups,
        can_open=actor.role == Role.officer,
        today=today(),
    )


@bp.route("/programmes/new", methods=["GET", "POST"])
@require(Permission.assign_visits)
def new_programme():
    actor = current_actor()
    form = ProgrammeForm(areas=areas_in_scope(actor.scope))
    if request.method == "GET":
        form.year.data = today().year
    if form.validate_on_submit():
        area = get_in_scope_or_404(Area, form.area_id.data, actor.scope)
        try:
            programme = services.open_programme(
                actor,
                area,
                year=form.year.data,
                name=form.name.data,
                budget=form.budget.data,
                client_uuid=form.client_uuid.data,
            )
        except services.RenovationError as exc:
            refuse(form, exc)
        else:
            flash(_("Programme opened. Now choose its households."), "success")
            return redirect(url_for("renovation.candidates", programme_id=programme.id))
    return render_template("renovation/programme_form.html", form=form)


def _programme(programme_id: int):
    return services.programme_in_reach(programme_id, current_actor().scope) or abort(404)


@bp.route("/programmes/<int:programme_id>")
@require(Permission.view_registry)
def programme(programme_id: int):
    programme = _programme(programme_id)
    return render_template(
        "renovation/programme.html",
        overview=services.programme_overview(programme, current_actor().scope, today()),
        round_form=FollowUpRoundForm(),
        can_manage=current_actor().role == Role.officer,
        stage_days=services.STAGE_DAYS,
        today=today(),
    )


@bp.route("/programmes/<int:programme_id>/candidates", methods=["GET", "POST"])
@require(Permission.assign_visits)
def candidates(programme_id: int):
    actor = current_actor()
    programme = _programme(programme_id)
    filters = CandidateForm(request.args)
    if not request.args:
        filters.grades.data = list(services.DEFAULT_GRADES)
    filters.validate()
    chosen = services.CandidateFilter(
        grades=tuple(filters.grades.data or ()),
        categories=tuple(filters.categories.data or ()),
        lives_alone=bool(filters.lives_alone.data),
        care_levels=tuple(filters.care_levels.data or ()),
        text=filters.text.data or "",
    )
    form = AddCasesForm()
    if form.validate_on_submit():
        try:
            added = services.add_cases(actor, programme, form.household_ids.data or [])
        except services.RenovationError as exc:
            refuse(form, exc)
        else:
            flash(
                ngettext("%(num)d household added.", "%(num)d households added.", added),
                "success",
            )
            return redirect(url_for("renovation.programme", programme_id=programme.id))
    return render_template(
        "renovation/candidates.html",
        programme=programme,
        filters=filters,
        form=form,
        households=services.candidate_households(programme, actor.scope, chosen),
    )


@bp.route("/programmes/<int:programme_id>/follow-ups", methods=["POST"])
@require(Permission.assign_visits)
def follow_up_round(programme_id: int):
    programme = _programme(programme_id)
    form = FollowUpRoundForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("renovation.programme", programme_id=programme.id))
    try:
        _, count = services.request_follow_up_round(
            current_actor(),
            programme,
            due_date=form.due_date.data,
            today=today(),
            client_uuid=form.client_uuid.data,
        )
    except services.RenovationForbidden as exc:
        abort(403, description=str(exc.message))
    except services.RenovationError as exc:
        flash(str(exc.message), "error")
    else:
        flash(
            ngettext(
                "A follow-up visit was put on the worker's list.",
                "%(num)d follow-up visits were put on the workers' lists.",
                count,
            ),
            "success",
        )
    return redirect(url_for("renovation.programme", programme_id=programme.id))
