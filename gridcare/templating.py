"""Filters and globals that templates use to show domain values in the user's language."""

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from gridcare.accounts.models import Permission, Role
from gridcare.areas.models import AREA_KIND_LABELS
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


def init_app(app: Flask) -> None:
    from gridcare.accounts.access import current_actor

    app.jinja_env.globals.update(
        current_actor=current_actor,
        Permission=Permission,
        ROLE_LABELS=ROLE_LABELS,
        AREA_KIND_LABELS=AREA_KIND_LABELS,
        CARE_LEVEL_LABELS=CARE_LEVEL_LABELS,
        DISABILITY_LABELS=DISABILITY_LABELS,
        GENDER_LABELS=GENDER_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        get_locale=get_locale,
    )
    app.jinja_env.filters.update(
        masked=mask,
        local_datetime=lambda value: format_datetime(value, "short") if value else "",
        local_date=lambda value: format_date(value, "medium") if value else "",
    )
