from flask import Blueprint

from gridcare.accounts.access import require
from gridcare.accounts.models import Permission

bp = Blueprint("registry", __name__)


@bp.route("/households")
@require(Permission.view_registry)
def households():
    return "households"
