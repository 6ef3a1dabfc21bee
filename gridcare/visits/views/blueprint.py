from flask import Blueprint

from gridcare.visits.models import LifeEventKind

bp = Blueprint("visits", __name__)
# Life events are named on the household's visits page and in the reports.
bp.add_app_template_global(LifeEventKind, "LifeEventKind")
