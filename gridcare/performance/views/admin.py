"""The admin's pages: indicator sets and their indicators, closing and re-opening quarters."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.clock import today
from gridcare.forms import show_field_error
from gridcare.performance import services
from gridcare.performance.forms import IndicatorForm, IndicatorSetForm, ReopenForm, SetEditForm
from gridcare.performance.models import RaterKind
from gridcare.performance.views import bp


def _set_or_404(set_id):
    return services.get_set(set_id) or abort(404)


def _sets_page(form, status=200):
    sets = services.all_sets()
    return (
        render_template(
            "performance/sets.html",
            form=form,
            sets=sets,
            until={s.id: services.applies_until(s) for s in sets},
        ),
        status,
    )


def _new_set_form(formdata=None):
    form = IndicatorSetForm(formdata)
    form.copy_from.choices = [SelectChoice(0, _("Start empty"))] + [
        SelectChoice(s.id, s.name) for s in services.all_sets()
    ]
    return form


@bp.route("/sets", methods=["GET", "POST"])
@require(Permission.manage_scoring)
def sets():
    if request.method == "POST":
        return _create_set()
    form = _new_set_form()
    start = services.half_year_of(today())
    form.year.data = form.year.data or start.year
    form.half.data = 1 if start.month == 1 else 2
    form.bonus_limit.data = form.bonus_limit.data or 5
    form.deduction_limit.data = form.deduction_limit.data or 10
    return _sets_page(form)


def _create_set():
    form = _new_set_form(request.form)
    if form.validate():
        copy_from = services.get_set(form.copy_from.data) if form.copy_from.data else None
        try:
            created = services.create_set(
                current_actor(),
                name=form.name.data,
                year=form.year.data,
                half=form.half.data,
                bonus_limit=float(form.bonus_limit.data),
                deduction_limit=float(form.deduction_limit.data),
                copy_from=copy_from,
                today=today(),
            )
        except services.PerformanceError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Indicator set created."), "success")
            return redirect(url_for("performance.edit_set", set_id=created.id))
    return _sets_page(form, 400)


def _set_page(indicator_set, set_form=None, indicator_form=None, status=200):
    set_form = set_form or SetEditForm(obj=indicator_set)
    indicator_form = indicator_form or IndicatorForm(formdata=None)
    return (
        render_template(
            "performance/set.html",
            indicator_set=indicator_set,
            set_form=set_form,
            indicator_form=indicator_form,
            frozen=services.used_by_closed_quarter(indicator_set),
            until=services.applies_until(indicator_set),
            total_weight=sum(i.weight for i in indicator_set.indicators),
            RaterKind=RaterKind,
        ),
        status,
    )


@bp.route("/sets/<int:set_id>", methods=["GET", "POST"])
@require(Permission.manage_scoring)
def edit_set(set_id: int):
    indicator_set = _set_or_404(set_id)
    if request.method == "GET":
        return _set_page(indicator_set)
    form = SetEditForm()
    if form.validate_on_submit():
        try:
            services.update_set(
                current_actor(),
                indicator_set,
                name=form.name.data,
                bonus_limit=float(form.bonus_limit.data),
                deduction_limit=float(form.deduction_limit.data),
            )
        except services.PerformanceError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Indicator set saved."), "success")
            return redirect(url_for("performance.edit_set", set_id=set_id))
    return _set_page(indicator_set, set_form=form, status=400)


@bp.route("/sets/<int:set_id>/indicators", methods=["POST"])
@require(Permission.manage_scoring)
def add_indicator(set_id: int):
    indicator_set = _set_or_404(set_id)
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            services.add_indicator(current_actor(), indicator_set, **_indicator_values(form))
        except services.PerformanceError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Indicator added."), "success")
            return redirect(url_for("performance.edit_set", set_id=set_id))
    return _set_page(indicator_set, indicator_form=form, status=400)


def _indicator_values(form: IndicatorForm) -> dict:
    return {
        "kind": form.kind.data,
        "name": form.name.data,
        "source": form.source.data,
        "weight": form.weight.data,
        "full_mark": form.full_mark.data,
        "rater_weights": form.rater_weights(),
    }


def _indicator_or_404(indicator_id):
    return services.get_indicator(indicator_id) or abort(404)


@bp.route("/indicators/<int:indicator_id>", methods=["GET", "POST"])
@require(Permission.manage_scoring)
def edit_indicator(indicator_id: int):
    indicator = _indicator_or_404(indicator_id)
    form = IndicatorForm(
        obj=indicator,
        officer_weight=indicator.rater_weights.get("officer"),
        street_leader_weight=indicator.rater_weights.get("street_leader"),
    )
    if form.validate_on_submit():
        try:
            services.update_indicator(current_actor(), indicator, **_indicator_values(form))
        except services.PerformanceError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Indicator saved."), "success")
            return redirect(url_for("performance.edit_set", set_id=indicator.set_id))
    status = 400 if request.method == "POST" else 200
    return render_template("performance/indicator.html", form=form, indicator=indicator), status


@bp.route("/indicators/<int:indicator_id>/delete", methods=["POST"])
@require(Permission.manage_scoring)
def remove_indicator(indicator_id: int):
    indicator = _indicator_or_404(indicator_id)
    set_id = indicator.set_id  # CSRFProtect has checked the form's token
    try:
        services.remove_indicator(current_actor(), indicator)
    except services.PerformanceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Indicator removed."), "success")
    return redirect(url_for("performance.edit_set", set_id=set_id))


@bp.route("/quarters/<key>/close", methods=["POST"])
@require(Permission.manage_scoring)
def close_quarter(key: str):
    back = request.form.get("area", type=int)
    try:
        services.close_quarter(current_actor(), key, today())
    except services.PerformanceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Quarter closed: its results are frozen."), "success")
    return _back(back, key)


def _back(area_id, key):
    if area_id:
        return redirect(url_for("performance.table", area_id=area_id, quarter=key))
    return redirect(url_for("performance.index", quarter=key))


@bp.route("/quarters/<key>/reopen", methods=["GET", "POST"])
@require(Permission.manage_scoring)
def reopen_quarter(key: str):
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            services.reopen_quarter(current_actor(), key, form.reason.data)
        except services.PerformanceError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Quarter re-opened."), "success")
            return _back(request.args.get("area", type=int), key)
    status = 400 if request.method == "POST" else 200
    return render_template("performance/reopen.html", form=form, key=key), status
