"""A worker records a life event (重大变故) on a 360 px phone, and the urgent visit it
calls for comes first on their list."""

import re
from urllib.parse import urlsplit

import pytest

from gridcare.visits.models import LifeEventKind
from tests.browser.live import log_in, wait_for_walking_order

pytestmark = pytest.mark.browser


def test_worker_records_hospitalised_and_the_urgent_visit_tops_the_list(live, page):
    log_in(page, "worker1")
    # A household far down the list, so that "first" means something.
    household_href = page.locator("li.task a.task-main").last.get_attribute("href")
    page.goto(household_href)
    with page.expect_navigation():
        page.locator("a[href$='/event']").click()
    assert re.fullmatch(r"/visits/household/\d+/event", urlsplit(page.url).path)

    # Sent without choosing what happened: refused next to the field, nothing recorded.
    residents = page.locator("select[name=resident_id] option:not([value=''])")
    page.locator("select[name=resident_id]").select_option(residents.first.get_attribute("value"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("fieldset.choices .error").is_visible()

    page.locator(f"input[name=kind][value={LifeEventKind.hospitalised.value}]").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert urlsplit(page.url).path == household_href
    assert page.locator(".flash-success").is_visible()
    hospitalised = live.in_chinese(lambda: str(LifeEventKind.hospitalised.label))
    assert hospitalised in page.locator("#life-events").inner_text()

    page.goto("/visits/today")
    wait_for_walking_order(page)
    first = page.locator("li.task").first
    assert first.locator("a.task-main").get_attribute("href") == household_href
    assert first.locator(".urgent").is_visible(), "the urgent visit is not marked as such"
