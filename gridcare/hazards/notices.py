"""The words of the notifications hazards send, filled in the reader's language."""

from flask_babel import lazy_gettext as _l

from gridcare.hazards.models import HazardCategory
from gridcare.visits.notices import VISIT_NOTIFICATION_TEXTS, visit_params

NOTIFICATION_TEXTS = {
    "hazard_major": _l("Major hazard reported at %(address)s (%(category)s)."),
    "hazard_overdue": _l("The hazard at %(address)s is %(days)d days past its deadline."),
    "worker_digest": _l(
        "Today: %(due)d visits due, %(overdue)d overdue, %(hazards)d hazards past deadline."
    ),
    **VISIT_NOTIFICATION_TEXTS,
}


def notification_text(notification) -> str:
    """A message in the reader's language, filled from what was stored when it was sent."""
    params = visit_params(notification.params or {})
    if "category" in params:
        params["category"] = HazardCategory(params["category"]).label
    text = NOTIFICATION_TEXTS.get(notification.kind)
    return str(text) % params if text else notification.kind
