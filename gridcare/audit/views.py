from flask import Blueprint, render_template, request

from gridcare.accounts.access import require
from gridcare.accounts.models import Permission
from gridcare.audit.forms import AuditFilterForm
from gridcare.audit.services import recent_events, usernames

bp = Blueprint("audit", __name__)
PAGE_SIZE = 100
LAST_PAGE = 10_000  # further back than anyone pages; keeps the offset a sane number


@bp.route("/")
@require(Permission.view_audit)
def index():
    page = min(max(request.args.get("page", 1, type=int), 1), LAST_PAGE)
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
