"""The renovation report for any area and programme: page, CSV and XLSX."""

from flask import Response, abort, render_template, request

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.models import Area
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.areas.services import areas_in_scope
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.renovation import services
from gridcare.renovation.exports import percent, to_csv, to_xlsx
from gridcare.renovation.forms import ReportForm
from gridcare.renovation.models import Satisfaction, Stage
from gridcare.renovation.views.blueprint import bp
from gridcare.reports.services import default_area


def _report_request():
    """The area, year and programme asked for, each checked against the caller's scope."""
    scope = current_actor().scope
    form = ReportForm(
        request.args, areas=areas_in_scope(scope), programmes=services.programmes_in_scope(scope)
    )
    area_id = request.args.get("area")
    area = get_in_scope_or_404(Area, area_id, scope) if area_id else default_area(scope)
    if area is None:
        abort(404)
    form.area.data = area.id
    year = form.year.data if form.validate() and form.year.data else today().year
    form.year.data = year
    programme = None
    if form.programme.data:
        programme = services.programme_in_reach(form.programme.data, scope) or abort(404)
        year = programme.year
    return form, services.renovation_report(area, year, programme)


@bp.route("/report")
@require(Permission.view_reports)
def report():
    form, figures = _report_request()
    return render_template(
        "renovation/report.html",
        form=form,
        report=figures,
        percent=percent,
        stages=Stage,
        answers=Satisfaction,
    )


@bp.route("/report.<any(csv, xlsx):fmt>")
@require(Permission.view_reports)
def report_export(fmt: str):
    _, figures = _report_request()
    current_actor().audit("export", "renovation_report", figures.area.id, ["year", fmt])
    db.session.commit()
    filename = f"renovation-{figures.area.code}-{figures.year}.{fmt}"
    if fmt == "csv":
        body, mimetype = to_csv(figures), "text/csv; charset=utf-8"
    else:
        body = to_xlsx(figures)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"}
    )
