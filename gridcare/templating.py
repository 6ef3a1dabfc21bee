"""Filters and globals that templates use to show domain values in the user's language."""

from babel import Locale
from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from gridcare.accounts.models import Permission, Role
from gridcare.areas.models import AREA_KIND_LABELS
from gridcare.audit import labels as audit_labels
from gridcare.clock import age_on, today
from gridcare.hazards.models import CATEGORY_LABELS, HazardCategory
from gridcare.registry.id_numbers import mask
from gridcare.registry.models import DISABILITY_CATEGORIES, Gender, ResidentStatus

ROLE_LABELS = {
    Role.grid_worker: _l("Grid worker"),
    Role.officer: _l("Community officer"),
    Role.civil_affairs: _l("Civil affairs"),
    Role.admin: _l("Administrator"),
}
CARE_LEVEL_LABELS = {
    1: _l("Level 1 · weekly"),
    2: _l("Level 2 · monthly"),
    3: _l("Level 3 · quarterly"),
}
DISABILITY_LABELS = {
    1: _l("Vision"),
    2: _l("Hearing"),
    3: _l("Speech"),
    4: _l("Physical"),
    5: _l("Intellectual"),
    6: _l("Mental"),
    7: _l("Multiple"),
}
GENDER_LABELS = {Gender.male: _l("Male"), Gender.female: _l("Female")}
STATUS_LABELS = {
    ResidentStatus.active: _l("Living here"),
    ResidentStatus.moved_out: _l("Moved out"),
    ResidentStatus.deceased: _l("Deceased"),
}
assert set(DISABILITY_LABELS) == set(DISABILITY_CATEGORIES)


def current_language() -> str:
    """The interface language under the app's own code ("zh_CN" or "en").

    Babel expands "zh_CN" to zh_Hans_CN, so `get_locale()` cannot be compared with the
    codes the app stores and posts.
    """
    languages = current_app.config["LANGUAGES"]
    locale = get_locale()
    return next((code for code in languages if Locale.parse(code) == locale), languages[0])


def current_path() -> str:
    """This page's path, for a form that should come back here. Not the query: a search
    typed into it should not be copied into more addresses."""
    return request.path


NOTIFICATION_TEXTS = {
    "hazard_major": _l("Major hazard reported at %(address)s (%(category)s)."),
    "hazard_overdue": _l("The hazard at %(address)s is %(days)d days past its deadline."),
    "worker_digest": _l(
        "Today: %(due)d visits due, %(overdue)d overdue, %(hazards)d hazards past deadline."
    ),
}


def notification_text(notification) -> str:
    """A message in the reader's language, filled from what was stored when it was sent."""
    params = dict(notification.params or {})
    if "category" in params:
        params["category"] = CATEGORY_LABELS[HazardCategory(params["category"])]
    text = NOTIFICATION_TEXTS.get(notification.kind)
    return str(text) % params if text else notification.kind


def unread_notifications() -> int:
    from flask_login import current_user

    from gridcare.accounts.notifications import unread_count

    if not getattr(current_user, "is_authenticated", False):
        return 0
    return unread_count(current_user.id)


def init_app(app: Flask) -> None:
    from gridcare import assets
    from gridcare.accounts.access import current_actor

    assets.init_app(app)

    app.jinja_env.globals.update(
        current_actor=current_actor,
        Permission=Permission,
        ROLE_LABELS=ROLE_LABELS,
        AREA_KIND_LABELS=AREA_KIND_LABELS,
        CARE_LEVEL_LABELS=CARE_LEVEL_LABELS,
        DISABILITY_LABELS=DISABILITY_LABELS,
        GENDER_LABELS=GENDER_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        audit_action_label=audit_labels.action_label,
        audit_entity_label=audit_labels.entity_label,
        audit_field_label=audit_labels.field_label,
        get_locale=get_locale,
        notification_text=notification_text,
        unread_notifications=unread_notifications,
        current_language=current_language,
        current_path=current_path,
    )
    app.jinja_env.filters.update(
        masked=mask,
        age=lambda resident: age_on(resident.birth_date, today()),
        local_datetime=lambda value: format_datetime(value, "short") if value else "",
        local_date=lambda value: format_date(value, "medium") if value else "",
    )
