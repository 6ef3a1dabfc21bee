"""The pages in the open: the quarter's table, a worker's page, the records behind figures."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission, Role
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.forms import show_field_error
from gridcare.performance import services
from gridcare.performance.exports import to_xlsx
from gridcare.performance.forms import PointsForm, QuarterForm, RatingForm
from gridcare.performance.models import IndicatorSource
from gridcare.performance.services.records import FAR_CHECK_INS, records_behind
from gridcare.performance.views import bp
from gridcare.performance.views.access import (
    area_or_404,
    default_area,
    page_areas,
    quarter_key,
    worker_community,
    worker_or_404,
)
from gridcare.spreadsheets import XLSX_MIMETYPE


@bp.route("/")
@login_required
def index():
    area = default_area()
    if area is None:
        return render_template("performance/table.html", page=None, form=None)
    return redirect(url_for("performance.table", area_id=area.id))


def _page(area):
    form = QuarterForm(request.args, areas=page_areas())
    form.area.data = area.id
    try:
        page = services.performance_page(area, quarter_key(), today())
    except services.PerformanceError as exc:
        show_field_error(form, exc)
        return form, None
    form.quarter.data = page.quarter.key
    return form, page


@bp.route("/areas/<int:area_id>")
@login_required
def table(area_id: int):
    area = area_or_404(request.args.get("area") or area_id)
    if area.id != area_id:
        return redirect(url_for("performance.table", area_id=area.id, quarter=quarter_key()))
    form, page = _page(area)
    return render_template("performance/table.html", form=form, page=page, area=area), (
        200 if page else 400
    )


@bp.route("/areas/<int:area_id>.xlsx")
@login_required
def table_export(area_id: int):
    area = area_or_404(area_id)
    form, page = _page(area)
    if page is None:
        return render_template("performance/table.html", form=form, page=None, area=area), 400
    current_actor().audit("export", "performance", area.id, ["quarter", "xlsx"])
    db.session.commit()
    return Response(
        to_xlsx(page),
        mimetype=XLSX_MIMETYPE,
        headers={
            "Content-Disposition": (
                f'attachment; filename="performance-{area.code}-{page.quarter.key}.xlsx"'
            )
        },
    )


def _worker_page(worker, points_form=None, rating_form=None, status=200):
    community = worker_community(worker) or abort(404)
    actor = current_actor()
    try:
        page, result = services.worker_result(worker.id, community, quarter_key(), today())
    except services.PerformanceError:
        abort(404)
    months = [record.month for record in result.months] if result else []
    adjustments = services.adjustments_for([worker.id], months)
    officer = actor.can(Permission.rate_workers) and actor.user_id != worker.id
    rated = [line for line in page.indicators if line.source is IndicatorSource.rating]
    if officer:
        points_form = points_form or PointsForm(basis_kinds=services.basis_kinds())
        rating_form = rating_form or RatingForm()
        rating_form.indicator.choices = [SelectChoice(line.id, line.name) for line in rated]
        if not points_form.month.data:
            points_form.month.data = months[-1] if months else ""
        if not rating_form.month.data:
            rating_form.month.data = months[-1] if months else ""
    return (
        render_template(
            "performance/worker.html",
            worker=worker,
            community=community,
            page=page,
            result=result,
            adjustments=adjustments,
            basis_homes=services.basis_households(adjustments),
            officer=officer,
            show_far=actor.role != Role.grid_worker,
            points_form=points_form if officer else None,
            rating_form=rating_form if officer and rated else None,
            far=FAR_CHECK_INS,
        ),
        status,
    )


def _to_worker(worker):
    return redirect(url_for("performance.worker", worker_id=worker.id, quarter=quarter_key()))


@bp.route("/workers/<int:worker_id>")
@login_required
def worker(worker_id: int):
    return _worker_page(worker_or_404(worker_id))


@bp.route("/workers/<int:worker_id>/points", methods=["POST"])
@require(Permission.rate_workers)
def add_points(worker_id: int):
    worker = worker_or_404(worker_id)
    form = PointsForm(basis_kinds=services.basis_kinds())
    if form.validate_on_submit():
        try:
            services.add_points(
                current_actor(),
                worker,
                month=form.month.data,
                kind=form.kind.data,
                points=float(form.points.data),
                reason=form.reason.data,
                basis_kind=form.basis_kind.data or None,
                basis_id=form.basis_id.data,
                today=today(),
            )
        except services.PerformanceError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Points recorded; the worker sees them on their page."), "success")
            return redirect(
                url_for("performance.worker", worker_id=worker.id, quarter=quarter_key())
            )
    return _worker_page(worker, points_form=form, status=400)


@bp.route("/workers/<int:worker_id>/ratings", methods=["POST"])
@require(Permission.rate_workers)
def rate(worker_id: int):
    worker = worker_or_404(worker_id)
    form = RatingForm()
    indicator = services.get_indicator(request.form.get("indicator"))
    form.indicator.choices = [SelectChoice(indicator.id, indicator.name)] if indicator else []
    if form.validate_on_submit() and indicator is not None:
        try:
            services.rate(
                current_actor(),
                worker,
                indicator,
                form.month.data,
                float(form.value.data),
                today(),
            )
        except services.PerformanceError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Rating saved."), "success")
            return redirect(
                url_for("performance.worker", worker_id=worker.id, quarter=quarter_key())
            )
    elif indicator is None:
        form.indicator.errors = [_("Choose one of the list.")]
    return _worker_page(worker, rating_form=form, status=400)


@bp.route("/workers/<int:worker_id>/records/<month>/<what>")
@login_required
def records(worker_id: int, month: str, what: str):
    worker = worker_or_404(worker_id)
    actor = current_actor()
    known = {s.value for s in IndicatorSource} | {FAR_CHECK_INS}
    if what not in known or (what == FAR_CHECK_INS and actor.role == Role.grid_worker):
        abort(404)
    try:
        period = services.parse_month(month)
    except services.PerformanceError:
        abort(404)
    community = worker_community(worker) or abort(404)
    street = services.street_of(community)
    indicator_id = request.args.get("indicator", type=int)
    found = records_behind(worker.id, street, period, what, today(), indicator_id)
    return render_template(
        "performance/records.html",
        worker=worker,
        period=period,
        what=what,
        source=IndicatorSource(what) if what != FAR_CHECK_INS else None,
        found=found,
    )
