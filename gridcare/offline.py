"""Pages that open offline: the Service Worker and the web app manifest.

Where the browser allows a Service Worker (not in most in-app browsers; the outbox in
static/js/outbox.js works without one), it keeps the day's list, the households on it and
their forms, and the fingerprinted static files, so they open in a stairwell. The worker
is rendered from a template that names every static file by its fingerprint: a deploy
that changes one changes the worker, which then takes over and drops the old caches.
"""

import hashlib

from flask import Blueprint, Response, render_template, url_for
from flask_babel import gettext as _

from gridcare.assets import static_url
from gridcare.clock import utcnow

bp = Blueprint("offline", __name__)

# What every offline page needs; pages themselves are kept as the worker opens them.
PRECACHED = ("css/app.css", "js/outbox.js", "js/position.js", "img/icon.svg")


@bp.app_template_global()
def fetched_at() -> str:
    """When this page was made (UTC), shown when the phone opens it from its cache."""
    return utcnow().isoformat(timespec="seconds") + "Z"


@bp.route("/sw.js")
def service_worker():
    static = [static_url(name) for name in PRECACHED]
    version = hashlib.sha256("\n".join(static).encode()).hexdigest()[:12]
    script = render_template(
        "offline/sw.js",
        version=version,
        static=static,
        offline_text=_("This page was not saved on the phone. Open the day's list."),
        today=url_for("visits.today_list"),
    )
    response = Response(script, mimetype="text/javascript")
    # Always asked again, so that a deploy is seen at once; the files it names are cached.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    response = Response(
        render_template("offline/manifest.webmanifest"), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response
