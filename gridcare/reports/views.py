from flask import Blueprint

from gridcare.accounts.access import require
from gridcare.accounts.models import Permission

bp = Blueprint("reports", __name__)


@bp.route("/")
@require(Permission.view_reports)
def overview():
    return "reports"
