from flask import Blueprint, Response, abort, render_template, request

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.lookups import workers_under
from gridcare.accounts.models import Permission
from gridcare.areas.models import Area
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.areas.services import ancestors, areas_in_scope
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.forms import show_field_error
from gridcare.reports import charts, column_groups, services
from gridcare.reports import scorecards as scoring
from gridcare.reports.coverage import coverage as coverage_for
from gridcare.reports.coverage import coverage_page, unvisited_households
from gridcare.reports.exports import COLUMNS, VISIT_RATE_HELP, row_cells, to_csv, to_xlsx
from gridcare.reports.forms import CoverageForm
from gridcare.reports.life_events import life_event_counts
from gridcare.reports.periods import PeriodError, month, quarter
from gridcare.reports.periods import parse as parse_period

bp = Blueprint("reports", __name__)


@bp.route("/")
@require(Permission.view_reports)
def overview():
    scope = current_actor().scope
    if request.args.get("area"):
        area = get_in_scope_or_404(Area, request.args["area"], scope)
    else:
        area = services.default_area(scope)
    if area is None:
        return render_template("reports/overview.html", area=None, rows=[], total=None)
    rows, total = services.registry_counts(area, today())
    return render_template(
        "reports/overview.html",
        area=area,
        rows=rows,
        total=total,
        trail=[a for a in ancestors(area) if scope.covers(a.path)],
        choices=areas_in_scope(scope),
    )


# Coverage.


def _coverage_request(default_period: str | None = None):
    """The area and period asked for, checked against the caller's scope."""
    scope = current_actor().scope
    form = CoverageForm(request.args, areas=areas_in_scope(scope))
    area = (
        get_in_scope_or_404(Area, request.args["area"], scope)
        if request.args.get("area")
        else services.default_area(scope)
    )
    if area is None:
        abort(404)
    form.area.data = area.id
    try:
        period = parse_period(request.args.get("period") or default_period or month(today()).key)
    except PeriodError as exc:
        show_field_error(form, exc)
        period = month(today())
    form.period.data = request.args.get("period") or period.key
    return form, area, period


@bp.route("/coverage")
@require(Permission.view_reports)
def coverage():
    return _coverage_page(*_coverage_request())


def _coverage_page(form, area, period):
    page = coverage_page(area, period)
    bars, bars_height = charts.coverage_bars(page.report.children)
    points = charts.trend_points(page.trend)
    groups = column_groups.grouped(COLUMNS)
    return render_template(
        "reports/coverage.html",
        form=form,
        report=page.report,
        previous=page.previous,
        previous_as_reported=page.previous_as_reported,
        reported=page.reported,
        bars=bars,
        bars_height=bars_height,
        points=points,
        polyline=charts.polyline(points),
        chart=charts,
        trail=[a for a in ancestors(area) if current_actor().scope.covers(a.path)],
        columns=COLUMNS,
        groups=groups,
        layout=column_groups.cell_classes(groups),
        row_cells=row_cells,
        visit_rate_help=VISIT_RATE_HELP,
        life_events=life_event_counts(area, period),
    )


@bp.route("/coverage.<any(csv, xlsx):fmt>")
@require(Permission.view_reports)
def coverage_export(fmt: str):
    form, area, period = _coverage_request()
    if form.period.errors:
        # No file for a period that cannot be read: the page, with the message by the field.
        return _coverage_page(form, area, period), 400
    report = coverage_for(area, period)
    current_actor().audit("export", "coverage", area.id, ["period", fmt])
    db.session.commit()
    filename = f"coverage-{area.code}-{period.key}.{fmt}"
    if fmt == "csv":
        body, mimetype = to_csv(report), "text/csv; charset=utf-8"
    else:
        body = to_xlsx(report)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/exports")
@require(Permission.view_reports)
def exports():
    """The files civil affairs sends on: coverage for an area and period, and the registry."""
    form, area, period = _coverage_request()
    return render_template("reports/exports.html", form=form, area=area, period=period)


@bp.route("/coverage/unvisited")
@require(Permission.view_reports)
def unvisited():
    form, area, period = _coverage_request()
    if form.period.errors:
        return _coverage_page(form, area, period), 400
    return render_template(
        "reports/unvisited.html",
        area=area,
        period=period,
        households=unvisited_households(area, period),
    )


# Worker scorecards.


@bp.route("/scorecards")
@require(Permission.view_reports)
def scorecards():
    return _scorecards_page(*_coverage_request(default_period=quarter(today()).key))


def _scorecards_page(form, area, period):
    return render_template(
        "reports/scorecards.html",
        form=form,
        area=area,
        period=period,
        cards=scoring.scorecards(area, period, today()),
    )


@bp.route("/scorecards/<int:worker_id>/<what>")
@require(Permission.view_reports)
def scorecard_records(worker_id: int, what: str):
    form, area, period = _coverage_request(default_period=quarter(today()).key)
    if form.period.errors:
        return _scorecards_page(form, area, period), 400
    worker = next((w for w in workers_under(area) if w.id == worker_id), None) or abort(404)
    kind, records = scoring.worker_records(worker.id, area, period, today(), what)
    return render_template(
        "reports/scorecard_records.html",
        worker=worker,
        period=period,
        what=what,
        kind=kind,
        records=records,
    )
