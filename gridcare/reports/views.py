from flask import Blueprint, render_template, request

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.models import Area
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.areas.services import ancestors, areas_in_scope
from gridcare.clock import today
from gridcare.reports import services

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
