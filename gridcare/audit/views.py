from flask import Blueprint, render_template, request

from gridcare.accounts.access import require
from gridcare.accounts.models import Permission
from gridcare.audit.forms import AuditFilterForm
from gridcare.audit.services import recent_events, usernames
from gridcare.converters import page_number

bp = Blueprint("audit", __name__)
PAGE_SIZE = 100


@bp.route("/")
@require(Permission.view_audit)
def index():
    page = page_number()
    form = AuditFilterForm(request.args)
    events = recent_events(limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, **form.filters())
    shown = events[:PAGE_SIZE]
    return render_template(
        "audit/index.html",
        form=form,
        events=shown,
        usernames=usernames(shown),
        page=page,
        has_next=len(events) > PAGE_SIZE,
    )
