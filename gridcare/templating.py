"""Filters and globals every template may use: language, dates, ages, audit words.

Each domain registers its own values from its blueprint (accounts the actor and
permissions, registry masked numbers and care levels, hazards notification texts), so
this module imports no domain and enums carry their own `.label`."""

from babel import Locale
from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, get_locale

from gridcare.audit import labels as audit_labels
from gridcare.clock import age_on, today


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


def init_app(app: Flask) -> None:
    from gridcare import assets

    assets.init_app(app)

    app.jinja_env.globals.update(
        audit_action_label=audit_labels.action_label,
        audit_entity_label=audit_labels.entity_label,
        audit_field_label=audit_labels.field_label,
        get_locale=get_locale,
        current_language=current_language,
        current_path=current_path,
    )
    app.jinja_env.filters.update(
        age=lambda resident: age_on(resident.birth_date, today()),
        local_datetime=lambda value: format_datetime(value, "short") if value else "",
        local_date=lambda value: format_date(value, "medium") if value else "",
    )
