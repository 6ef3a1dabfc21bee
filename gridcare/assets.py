"""Fingerprinted static files: a page names `app.css?v=<hash>`, the browser keeps it a year.

A worker's phone on a weak network should fetch the stylesheet and scripts once, not on
every page: a URL that changes with the file's content lets the browser cache it for
good and still see a new version the moment it is deployed.
"""

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for
from flask.sessions import SecureCookieSessionInterface

# A year: the longest lifetime caches honour, and the URL changes with the content.
FINGERPRINTED_MAX_AGE = 365 * 24 * 3600


@cache
def _fingerprint(path: Path, mtime_ns: int) -> str:
    # Keyed on the modification time too, so an edited file gets a new URL without a
    # restart of the development server; each version is hashed once.
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def fingerprint(filename: str) -> str | None:
    """A short hash of the static file's content, or None when there is no such file."""
    folder = Path(current_app.static_folder or "")
    path = (folder / filename).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return None
    return _fingerprint(path, path.stat().st_mtime_ns)


def static_url(filename: str) -> str:
    """The URL of a static file, carrying its fingerprint so it may be cached for a year."""
    version = fingerprint(filename)
    if version is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


def _prepare_static(response: Response) -> Response:
    """Let browsers keep a static file for a year when it was asked for by its fingerprint,
    and hand it to compression whole.

    Anything else (no or an outdated `v`) keeps Flask's default: revalidate every time.
    """
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    if response.status_code == 200:
        # Flask-Compress compresses a streamed file chunk by chunk and never closes it;
        # read into memory now (the files are a few KB), it is compressed whole.
        source = response.response
        try:
            content = b"".join(source)
        finally:
            if hasattr(source, "close"):
                source.close()
        response.direct_passthrough = False
        response.set_data(content)
    version = request.args.get("v")
    filename = (request.view_args or {}).get("filename", "")
    if version and version == fingerprint(filename):
        response.cache_control.public = True
        response.cache_control.max_age = FINGERPRINTED_MAX_AGE
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    return response


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, left out of static files.

    A logged-in session is refreshed on every response; on a stylesheet that would add a
    Set-Cookie header and `Vary: Cookie`, which makes caches keep a copy per cookie.
    """

    def save_session(self, app: Flask, session, response: Response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(_prepare_static)
    app.session_interface = SessionInterface()
