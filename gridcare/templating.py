"""Filters and globals every template may use: language, dates, ages, audit words.

Each domain registers its own values from its blueprint (accounts the actor and
permissions, registry masked numbers and care levels, hazards notification texts), so
this module imports no domain and enums carry their own `.label`."""

from babel import Locale
from babel.support import Translations
from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime, get_locale, get_translations

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


def translations() -> Translations:
    """The catalog of this request's language, found once per language and request.

    Flask-Babel finds it anew for every string (the locale, its name, the domain, five
    context lookups): 27 µs, most of a long list's rendering. `force_locale` gives the
    request another locale object, so a text rendered inside it gets that language."""
    locale = get_locale()
    found = g.get("_gridcare_translations")
    if found is None or found[0] is not locale:
        found = g._gridcare_translations = (locale, get_translations())
    return found[1]


def init_app(app: Flask) -> None:
    from gridcare import assets

    assets.init_app(app)
    # The same callables Flask-Babel installs, reading the catalog once per request.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

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
