"""The client's address behind trusted proxies, and the security headers of every response.

The headers come from a small `after_request` rather than flask-talisman: gridcare
needs a few fixed headers and one switch (HSTS with secure cookies), while talisman also
takes over HTTPS redirects and cookie flags that nginx and `config.py` already own, and
would be one more dependency (its last release, 1.1.0, is years old) for twenty lines.
"""

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

# Everything from the app's own origin only: no inline script or event handler (all
# scripts are files in static/js/), no inline style, no plugins, and no framing, so the
# one-tap POST buttons (quick log, reveal an ID number, rotate a door token) cannot be
# clickjacked.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Two years: the preload list's minimum. Subdomains are left alone: the city's other
# sites under the same domain are not ours to force onto HTTPS.
HSTS = "max-age=63072000"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "X-Content-Type-Options": "nosniff",
    # Page addresses carry household ids and search terms: keep them on this site.
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    proxies = app.config["GRIDCARE_TRUSTED_PROXIES"]
    if proxies:
        # Only the last `proxies` entries of X-Forwarded-For were written by our own
        # proxies; anything before them is whatever the client sent.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.after_request(_add_security_headers)


def _add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
