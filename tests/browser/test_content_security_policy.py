"""The pages work under the app's Content-Security-Policy: no script, style or image the
policy blocks, on the worker's journey, the door plates and the coverage charts."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gridcare.accounts.models import User
from gridcare.extensions import db
from tests.browser.live import log_in

pytestmark = pytest.mark.browser

# Chromium reports blocked content on the console itself ("Refused to execute inline
# script…"); the event also catches what a page might swallow.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});
"""


@pytest.fixture
def watched(phone):
    """A new phone whose pages' console errors and uncaught script errors are collected."""
    problems: list[str] = []
    context = phone()
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return page, problems


def test_the_worker_journey_runs_without_a_policy_violation(live, watched, worker_pages):
    page, problems = watched
    log_in(page, "worker1")
    # position.js runs: the list reloads itself in walking order.
    page.wait_for_url(re.compile(r"/visits/today\?.*lat="))
    task = page.locator("li.task").filter(has=page.locator("form[action$='/quick']")).first
    task.locator("form[action$='/quick'] button[type=submit]").click()
    task.locator(".outbox-state.sent").wait_for()  # the outbox sent it

    for path in worker_pages.values():
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto(worker_pages["log a visit"])
    page.wait_for_function("() => document.querySelector('input[name=lat]').value !== ''")
    page.goto(worker_pages["hazard"])
    page.locator(".photos img").first.wait_for()
    assert problems == []


def test_door_plates_print_from_their_script_file(live, watched):
    page, problems = watched
    log_in(page, "officer1")
    grid_id = live.run(
        lambda: (
            db.session.scalar(
                select(User).where(User.username == "worker1").options(selectinload(User.areas))
            )
            .areas[0]
            .id
        )
    )
    page.goto(f"/registry/plates?grid_id={grid_id}")
    assert page.locator("svg.plate-qr").count() > 0
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    page.locator("button[data-print]").click()
    assert page.evaluate("() => window.printed") is True
    assert problems == []


def test_coverage_charts_draw_without_a_policy_violation(live, watched):
    page, problems = watched
    log_in(page, "civil1")
    page.goto("/reports/coverage")
    page.wait_for_load_state("networkidle")
    assert page.locator("svg.chart").count() > 0
    assert problems == []
