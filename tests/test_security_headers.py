"""Every response carries the security headers; no template runs inline script."""

import re
from datetime import date
from pathlib import Path

import pytest
from flask import jsonify
from sqlalchemy import select

from gridcare import ROOT
from gridcare.accounts.services import actor_for
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.hazards import services as hazards
from gridcare.hazards.models import HazardCategory, Photo, Severity
from gridcare.security import HSTS
from tests.hazards.conftest import jpeg

TEMPLATES = ROOT / "templates"


def assert_secure(response) -> None:
    headers = response.headers
    csp = directives(headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def worker_with_photo(make, login):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    household = make.household(tree["grid1"])
    make.resident(household, birth_date=date(1938, 3, 1), lives_alone=True)
    hazard = hazards.raise_hazard(
        actor_for(worker),
        household,
        category=HazardCategory.fall,
        severity=Severity.minor,
        description="浴室地滑",
        today=today(),
        before_photo=jpeg(),
    )
    login(worker)
    return db.session.scalar(select(Photo).where(Photo.hazard_id == hazard.id))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/login", 200),
        ("/", 302),
        ("/no-such-page", 404),
        ("/static/css/app.css", 200),
        ("/static/js/position.js", 200),
    ],
)
def test_pages_redirects_errors_and_static_files_carry_the_security_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_secure(response)


def test_a_refused_post_and_a_login_refusal_carry_the_security_headers(client):
    assert_secure(client.get("/logout"))  # 405
    for _ in range(20):
        response = client.post("/login", data={"username": "x", "password": "guess"})
    assert response.status_code == 429
    assert_secure(response)


def test_a_hazard_photo_carries_the_security_headers(client, worker_with_photo):
    for path in (
        f"/hazards/photos/{worker_with_photo.id}",
        f"/hazards/photos/{worker_with_photo.id}/thumb",
    ):
        with client.get(path) as response:
            assert response.status_code == 200
            assert response.mimetype == "image/jpeg"
            assert_secure(response)


def test_a_csv_download_carries_the_security_headers(client, make, login):
    tree = make.tree()
    login(make.user("civil_affairs", areas=[tree["district"]]))
    response = client.get(f"/reports/coverage.csv?area={tree['district'].id}&period=2026-10")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert_secure(response)


def test_a_json_response_carries_the_security_headers(app):
    # The app has no JSON route yet; this is the path any such response would take.
    with app.test_request_context("/"):
        response = app.process_response(jsonify(ok=True))
    assert response.mimetype == "application/json"
    assert_secure(response)


def test_a_server_error_page_carries_the_security_headers(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr("gridcare.accounts.views._login_page", broken)
    response = client.get("/login")
    assert response.status_code == 500
    assert_secure(response)


def test_no_inline_script_or_inline_style_is_allowed(client):
    csp = directives(client.get("/login").headers["Content-Security-Policy"])
    for name in ("script-src", "style-src", "default-src"):
        assert not any(v.startswith("'unsafe-") for v in csp[name])
    assert csp["object-src"] == ["'none'"]


def test_hsts_is_sent_only_when_cookies_are_secure(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == HSTS


# The templates keep every script in static/js, so the policy can forbid inline script.

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=|<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, JAVASCRIPT_URL])
def test_no_template_holds_inline_script_handlers_or_styles(pattern):
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in template_files()
        for match in pattern.finditer(path.read_text())
    ]
    assert template_files() and offenders == []


def test_every_script_a_template_names_is_a_fingerprinted_static_file():
    for path in template_files():
        for tag in re.findall(r"<script[^>]*>", path.read_text()):
            assert re.search(r"src=\"\{\{ static_url\('js/[\w-]+\.js'\) \}\}\"", tag), (
                f"{path.relative_to(ROOT)}: {tag}"
            )
            name = re.search(r"js/[\w-]+\.js", tag).group(0)
            assert (ROOT / "static" / name).is_file()


def test_the_print_button_works_from_a_script_file(client, make, login):
    tree = make.tree()
    login(make.user("officer", areas=[tree["community1"]]))
    page = client.get(f"/registry/plates?grid_id={tree['grid1'].id}").get_data(as_text=True)
    assert "data-print" in page
    assert re.search(r'<script src="/static/js/print\.js\?v=[0-9a-f]{12}" defer>', page)
