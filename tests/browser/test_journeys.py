"""Whole journeys on a 360 px phone in chromium: what a worker, an officer and a
civil-affairs clerk do in a day, through the real pages, forms and scripts.

Pages are read in Chinese, as the users read them; the expected labels come from the
app's own catalog (`live.in_chinese`), elements are found by their form actions and names.
"""

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gridcare.accounts.models import User
from gridcare.accounts.services import actor_for
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.hazards import services as hazard_services
from gridcare.hazards.models import Hazard, HazardCategory, HazardStatus, Severity
from gridcare.registry.models import Household
from gridcare.visits.models import Campaign, Outcome, Visit, VisitStatus
from tests.browser.live import jpeg_bytes, log_in

pytestmark = pytest.mark.browser


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_worker_logs_a_visit_and_reports_a_gas_hazard_with_a_photo(live, page, tmp_path):
    log_in(page, "worker1")
    assert path_of(page.url) == "/visits/today"
    # The page asks for the phone's position and reloads itself in walking order.
    page.wait_for_url(re.compile(r"/visits/today\?.*lat="))
    assert page.locator("[data-walking-order][data-has-start]").count() == 1

    # One tap: "All well" on the first home visit of the list, sent by the phone's outbox.
    task = page.locator("li.task").filter(has=page.locator("form[action$='/quick']")).first
    visit_id = task.locator("input[name=visit_id]").get_attribute("value")
    household_href = task.locator("a.task-main").get_attribute("href")
    task.locator("form[action$='/quick'] button[type=submit]").click()
    task.locator(".outbox-state.sent").wait_for()
    page.reload()
    assert page.locator(f"input[name=visit_id][value='{visit_id}']").count() == 0, (
        "the visit logged as all well is still on today's list"
    )

    page.goto(household_href)
    row = page.locator(f"#visit-{visit_id}")
    assert row.is_visible(), "the household's history does not show the visit just logged"
    assert live.in_chinese(lambda: str(Outcome.well.label)) in row.inner_text()
    visit = live.run(lambda: db.session.get(Visit, int(visit_id)))
    assert visit.status == VisitStatus.done and visit.lat is not None, (
        "the one-tap visit was not stored as done with the phone's position"
    )

    # A safety check from today's list, with the gas hose failing.
    page.goto("/visits/today")
    check = page.locator("li.task a[href*='kind=safety_check']").first
    with page.expect_navigation():
        check.click()
    assert re.fullmatch(r"/visits/household/\d+/log", path_of(page.url))
    # The gas hose fails, every other item passes: two taps.
    page.locator("input[name=check_gas_hose][value=fail]").check()
    with page.expect_navigation():
        page.locator("input[name=all_pass]").click()

    # Straight on to the hazard form, filled in from the failed item.
    assert re.fullmatch(r"/hazards/household/\d+/new", path_of(page.url))
    assert parse_qs(urlsplit(page.url).query)["item"] == ["gas_hose"]
    assert page.locator("select[name=category]").input_value() == HazardCategory.gas.value
    assert page.locator("input[name=checklist_code]").input_value() == "gas_hose"
    photo = tmp_path / "gas-hose.jpg"
    photo.write_bytes(jpeg_bytes())
    page.locator("input[name=before_photo]").set_input_files(photo)
    description = f"燃气软管老化开裂 {uuid.uuid4().hex[:6]}"
    page.locator("textarea[name=description]").fill(description)
    page.locator("input[name=severity][value=major]").check()
    with page.expect_navigation():
        page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page.locator("html[data-outbox=shown]")).to_have_count(1)
    expect(page.locator("[data-outbox-badge]")).to_be_hidden(timeout=20_000)  # all sent

    hazard_id = live.run(
        lambda: db.session.scalar(select(Hazard.id).where(Hazard.description == description))
    )
    assert hazard_id, "the hazard was not stored"
    page.goto(f"/hazards/{hazard_id}")
    assert description in page.locator("main").inner_text()
    thumbnail = page.locator(".photos img").first
    thumbnail.wait_for()
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    assert page.locator("ol.timeline > li").count() == 1


def _hazard_raised_by_worker1(live) -> int:
    def raise_one() -> int:
        worker = db.session.scalar(
            select(User).where(User.username == "worker1").options(selectinload(User.areas))
        )
        household = db.session.scalar(
            select(Household)
            .where(Household.grid_id == worker.areas[0].id)
            .order_by(Household.id.desc())
        )
        hazard = hazard_services.raise_hazard(
            actor_for(worker),
            household,
            category=HazardCategory.electrical,
            severity=Severity.minor,
            description="插线板串接使用，电线老化",
            today=today(),
            before_photo=jpeg_bytes("#2c3e50"),
        )
        return hazard.id

    return live.run(raise_one)


def test_officer_starts_a_campaign_and_closes_a_reviewed_hazard(live, phone, tmp_path):
    officer = phone().new_page()
    log_in(officer, "officer1")
    assert path_of(officer.url) == "/visits/workload"

    # A campaign: one safety check for every level-3 household of the community. Not
    # level 1: the officer pages staged for the accessibility tests already hold those
    # households' open checks in a campaign, and a household's open task serves only one.
    officer.goto("/visits/campaigns/new")
    name = f"供暖季燃气检查 {uuid.uuid4().hex[:6]}"
    officer.locator("input[name=name]").fill(name)
    officer.locator("select[name=kind]").select_option("safety_check")
    community = live.run(
        lambda: (
            db.session.scalar(
                select(User).where(User.username == "officer1").options(selectinload(User.areas))
            )
            .areas[0]
            .id
        )
    )
    officer.locator("select[name=area_id]").select_option(str(community))
    officer.locator("input[name=care_levels][value='3']").check()
    with officer.expect_navigation():
        officer.locator("main form button[type=submit]").click()
    assert path_of(officer.url) == "/visits/campaigns"
    tasks = live.run(
        lambda: db.session.scalar(
            select(func.count(Visit.id)).join(Campaign).where(Campaign.name == name)
        )
    )
    assert tasks > 0
    row = officer.locator("tr", has_text=name)
    assert row.locator("td.num").inner_text().replace(" ", "") == f"0/{tasks}", (
        "the campaign list does not show the campaign's task count"
    )

    # The worker reports the hazard fixed, with a photo, from their own phone.
    hazard_id = _hazard_raised_by_worker1(live)
    worker = phone().new_page()
    log_in(worker, "worker1")
    worker.goto(f"/hazards/{hazard_id}")
    fixed = worker.locator("form.move").filter(
        has=worker.locator("input[name=action][value=report_fixed]")
    )
    after = tmp_path / "fixed.jpg"
    after.write_bytes(jpeg_bytes("#27ae60"))
    fixed.locator("input[type=file]").set_input_files(after)
    fixed.locator("textarea[name=note]").fill("已更换为带保护的新插线板")
    with worker.expect_navigation():
        fixed.locator("button[type=submit]").click()
    awaiting = live.in_chinese(lambda: str(HazardStatus.awaiting_review.label))
    assert awaiting in worker.locator("main h1").inner_text()

    # The officer finds it in the review queue and approves it.
    officer.goto("/hazards/queue")
    awaiting_list = officer.locator("ul.list").first
    with officer.expect_navigation():
        awaiting_list.locator(f"a[href='/hazards/{hazard_id}']").click()
    # The review is one step: a note, and a button to accept or one to send it back.
    with officer.expect_navigation():
        officer.locator("form.move button[name=action][value=approve]").click()

    closed = live.in_chinese(lambda: str(HazardStatus.closed.label))
    assert closed in officer.locator("main h1").inner_text()
    labels = live.in_chinese(
        lambda: [
            str(hazard_services.ACTION_LABELS[action])
            for action in ("raised", "report_fixed", "approve")
        ]
    )
    steps = officer.locator("ol.timeline > li strong").all_inner_texts()
    assert steps == labels, f"the timeline shows {steps}, expected every step: {labels}"
    reported_fixed = officer.locator("ol.timeline > li").nth(1)
    assert reported_fixed.locator("img").count() == 1, "the after-fix photo is missing"


def test_civil_affairs_sees_the_registry_overview_and_downloads_coverage(live, page, tmp_path):
    log_in(page, "civil1")
    assert path_of(page.url) == "/reports/"
    streets = page.locator("main table").first.locator("tbody tr")
    assert streets.count() == 2, "the district overview should list its two streets"
    assert page.locator("main table tfoot").count() == 1

    coverage = page.locator("main a[href*='/reports/coverage']").first
    if coverage.count() == 0:
        pytest.skip("/reports/ has no link to the coverage report (/reports/coverage) yet")
    with page.expect_navigation():
        coverage.click()
    download_link = page.locator("main a[href*='xlsx'], main a:has-text('XLSX')").first
    if download_link.count() == 0:
        pytest.skip("the coverage report has no XLSX download link yet")
    with page.expect_download() as download_info:
        download_link.click()
    saved = tmp_path / "coverage.xlsx"
    download_info.value.save_as(saved)
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.load_workbook(saved, read_only=True)
    # Read the rows: a write-only workbook records no dimensions, so max_row is None.
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(rows) > 1, "the downloaded coverage workbook is empty"
    workbook.close()
