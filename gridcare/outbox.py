"""The server's half of the phone's outbox: its requests, and the JSON answers they get.

The outbox (static/js/outbox.js) posts the very forms a page holds, with
`Accept: application/json` and the page's CSRF token in the `X-CSRFToken` header. It shows
a record as sent only on a 2xx answer naming the stored record; a 422 is a refusal whose
message the worker reads ("needs attention"); a 401 means "log in, then I send again";
anything else is tried again later. The same views keep answering HTML forms with
JavaScript off.
"""

from flask import jsonify, request
from flask_babel import gettext as _

# Refusals the worker must act on, as opposed to trouble that passes (retried).
REFUSED = 422
LOGIN_NEEDED = 401


def wants_json() -> bool:
    """Whether the request comes from the outbox (it asks for JSON, not a page)."""
    accept = request.accept_mimetypes
    return accept.best == "application/json" or (
        accept.accept_json and not accept.accept_html and request.method == "POST"
    )


def unattended() -> bool:
    """Whether the phone asks without the worker looking: the outbox sending, or the
    Service Worker keeping the day's pages. Without a session these get a plain 401, never
    the login page (whose redirect would store a message in a new session, and so replace
    the one a login form in another tab is about to post)."""
    return wants_json() or request.headers.get(KEEP_HEADER) == "1"


KEEP_HEADER = "X-Gridcare-Keep"


def stored(record_id: int, state: str, **details):
    """The answer to a stored record: its id and state, and what the page may show."""
    return jsonify(id=record_id, state=str(state), **details), 200


def refused(message, field: str | None = None):
    """A refusal with the reason the worker reads; nothing was stored."""
    return jsonify(error=str(message), field=field), REFUSED


def form_refused(form):
    """A form that did not validate: its first message, with the field it belongs to."""
    for name, messages in form.errors.items():
        if messages:
            first = messages[0]
            return refused(first if isinstance(first, str) else str(first), name)
    return refused(_("The form arrived incomplete, so nothing was stored."))


def error_answer(code: int, error):
    """An HTTP error as the outbox reads it: log in again (401), a refusal the worker reads
    (other 4xx), or trouble that passes (429, 5xx: tried again later)."""
    from flask_wtf.csrf import CSRFError

    # Flask-WTF refuses the token when the session that signed it is gone (expired, or
    # ended by a logout elsewhere): the outbox then waits for a new login.
    if code == LOGIN_NEEDED or isinstance(error, CSRFError):
        message = _("Your session has ended. Log in again and the records are sent.")
        return jsonify(error=message, login=True), LOGIN_NEEDED
    messages = {
        403: _("Your role may not do this, so nothing was stored."),
        404: _("This household or record is not in your areas any more."),
        413: _("The photo is too large to send."),
    }
    return jsonify(error=str(messages.get(code, getattr(error, "description", "")))), code
