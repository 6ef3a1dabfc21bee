"""The client's address behind trusted proxies."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    proxies = app.config["GRIDCARE_TRUSTED_PROXIES"]
    if proxies:
        # Only the last `proxies` entries of X-Forwarded-For were written by our own
        # proxies; anything before them is whatever the client sent.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
