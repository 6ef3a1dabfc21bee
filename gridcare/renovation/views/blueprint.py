"""The blueprint and the few things every renovation page does alike."""

from flask import Blueprint, abort
from flask_babel import get_locale

from gridcare.forms import show_field_error
from gridcare.renovation import services

bp = Blueprint("renovation", __name__)


def uploads(field) -> list[bytes]:
    """The files of a (multiple) file field that carry something."""
    files = field.data or []
    if not isinstance(files, list):
        files = [files]
    return [f.read() for f in files if f and getattr(f, "filename", "")]


def refuse(form, exc: services.RenovationError) -> None:
    """A move the role may not make is a 403 with its message; any other refusal goes
    next to its field."""
    if isinstance(exc, services.RenovationForbidden):
        abort(403, description=str(exc.message))
    show_field_error(form, exc)


def need_choices() -> list[tuple[str, str]]:
    locale = str(get_locale())
    return [(need.code, need.label(locale)) for need in services.catalogue()]


def need_labels() -> dict[str, str]:
    locale = str(get_locale())
    return {need.code: need.label(locale) for need in services.catalogue(include_retired=True)}
