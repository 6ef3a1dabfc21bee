"""A request id for every request: in each log record written while serving it, and in
the response's X-Request-ID header, so a user's "it failed at 10:42" finds its lines.

A trusted proxy (GRIDCARE_TRUSTED_PROXIES > 0) may send its own X-Request-ID, which is
kept when it looks like one (letters, digits and `.-_:`, 8–64 characters), so nginx's
log and gridcare's share it. Without a trusted proxy the header is a client's word and
is ignored: a made-up id could otherwise be put into the logs.
"""

import logging
import re
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request
from flask.logging import default_handler

HEADER = "X-Request-ID"
SANE = re.compile(r"[A-Za-z0-9._:-]{8,64}")
LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record a handler writes ("-" outside a request).

    On the handler, not a logger: a logger's filter misses its children's records.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() if has_request_context() else "-"
        return True


# One instance, so adding it to a handler twice (two apps, tests) adds it once.
REQUEST_ID_FILTER = RequestIdFilter()


def init_app(app: Flask) -> None:
    app.before_request(_assign)
    app.after_request(_send)
    # `gridcare run` logs through Flask's handler; gunicorn through gunicorn.conf.py's.
    default_handler.addFilter(REQUEST_ID_FILTER)
    default_handler.setFormatter(logging.Formatter(LOG_FORMAT))


def current_request_id() -> str:
    """This request's id, made on first use (an error may come before any hook ran)."""
    if "request_id" not in g:
        g.request_id = _from_proxy() or uuid.uuid4().hex
    return g.request_id


def _from_proxy() -> str | None:
    if not current_app.config["GRIDCARE_TRUSTED_PROXIES"]:
        return None
    given = request.headers.get(HEADER, "")
    return given if SANE.fullmatch(given) else None


def _assign() -> None:
    current_request_id()


def _send(response: Response) -> Response:
    response.headers[HEADER] = current_request_id()
    return response
