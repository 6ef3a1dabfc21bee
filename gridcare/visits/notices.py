"""The words of the notifications the visits domain sends, filled in the reader's language."""

from contextlib import suppress
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from gridcare.visits.models import LifeEventKind

VISIT_NOTIFICATION_TEXTS = {
    "event_visit": _l("Urgent visit to %(address)s: %(kind)s. Go within %(hours)d hours."),
    "event_visit_overdue": _l(
        "The urgent visit to %(address)s (%(kind)s) was not done within %(hours)d hours."
    ),
    "campaign_tasks": _l("Campaign %(name)s gives you %(count)d tasks, due by %(due)s."),
}


def visit_params(params: dict) -> dict:
    """Stored values made readable: an event's kind as its label, a date in local format."""
    params = dict(params)
    if params.get("kind") in LifeEventKind.__members__:
        params["kind"] = LifeEventKind(params["kind"]).label
    if isinstance(params.get("due"), str):
        with suppress(ValueError):
            params["due"] = format_date(date.fromisoformat(params["due"]))
    return params
