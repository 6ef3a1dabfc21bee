"""The worker's phone without a network: the outbox keeps every record and sends it when
it can, and says honestly what is still waiting. At 360 × 740 in chromium.

Each test uses a worker of its own, so that the records counted are the test's own.
"""

import random
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from gridcare.accounts.models import User
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.hazards.models import Hazard, Photo
from gridcare.registry.models import Household, Resident, ResidentStatus
from gridcare.visits.models import Visit, VisitKind, VisitStatus
from tests.browser.live import jpeg_bytes, log_in

pytestmark = pytest.mark.browser

QUICK = "li.task:has(form[action$='/quick'])"


def worker_id(live, username: str) -> int:
    return live.run(lambda: db.session.scalar(select(User.id).where(User.username == username)))


def stored_by(live, user_id: int) -> tuple[int, int, int]:
    """Visits done, hazards raised and their photos, by this worker."""

    def count():
        visits = db.session.scalar(
            select(func.count(Visit.id)).where(
                Visit.completed_by_id == user_id, Visit.status == VisitStatus.done
            )
        )
        hazards = db.session.scalar(
            select(func.count(Hazard.id)).where(Hazard.reported_by_id == user_id)
        )
        photos = db.session.scalar(
            select(func.count(Photo.id))
            .join(Hazard, Hazard.id == Photo.hazard_id)
            .where(Hazard.reported_by_id == user_id)
        )
        return visits, hazards, photos

    return live.run(count)


def busy_day(live, user_id: int, count: int) -> None:
    """Bring `count` of the worker's planned home visits to today, as on a busy day (the
    demo spreads first visits over each schedule's interval)."""

    def work():
        visits = db.session.scalars(
            select(Visit)
            .where(
                Visit.worker_id == user_id,
                Visit.status == VisitStatus.planned,
                Visit.kind == VisitKind.home_visit,
            )
            .order_by(Visit.due_date, Visit.id)
            .limit(count)
        ).all()
        for visit in visits:
            visit.due_date = min(visit.due_date, today())
        db.session.commit()
        return len(visits)

    assert live.run(work) == count


def badge(page):
    return page.locator("[data-outbox-badge]")


def waiting(page, count: int) -> None:
    """The header's badge says how many records wait (hidden at none)."""
    expect(page.locator("html[data-outbox=shown]")).to_have_count(1)
    if count:
        expect(badge(page).locator(".count")).to_have_text(str(count), timeout=20_000)
        expect(badge(page)).to_be_visible()
    else:
        expect(badge(page)).to_be_hidden(timeout=30_000)


def tap_all_well(page, count: int) -> list[str]:
    """Tap "all well" on the first `count` home visits still open; returns their task ids."""
    tapped = []
    for _ in range(count):
        task = page.locator(f"{QUICK}:not(.queued)").first
        tapped.append(task.get_attribute("data-visit"))
        task.locator("button[type=submit]").click()
        expect(page.locator(f"li.task[data-visit='{tapped[-1]}'] .outbox-state")).to_be_visible()
    return tapped


def kept_pages(page) -> list[str]:
    return page.evaluate(
        "caches.open('gridcare-pages').then(c => c.keys()).then(k => k.map(r => r.url))"
    )


def wait_until_kept(page, paths: list[str]) -> None:
    for _attempt in range(60):
        kept = kept_pages(page)
        if all(any(url.split("?")[0].endswith(path) for url in kept) for path in paths):
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"the phone did not keep {paths}")


def test_a_morning_offline_loses_nothing_and_sends_each_record_once(live, phone, tmp_path):
    me = worker_id(live, "worker5")
    before = stored_by(live, me)
    context = phone()
    page = context.new_page()
    log_in(page, "worker5")
    check = page.locator("li.task a[href*='kind=safety_check']").first
    check_path = check.get_attribute("href").split("?")[0]
    # The list keeps its households and their forms on the phone while there is a network.
    household_path = re.sub(r"/log$", "", check_path)
    hazard_path = household_path.replace("/visits/", "/hazards/") + "/new"
    wait_until_kept(page, [check_path, household_path, hazard_path])
    context.set_offline(True)
    visited = tap_all_well(page, 3)
    waiting(page, 3)
    for visit_id in visited:
        state = page.locator(f"li.task[data-visit='{visit_id}'] .outbox-state")
        expect(state).to_have_text(live.in_chinese(lambda: _("Waiting to send")))

    # The safety check opens from the phone, with a failed item, and the hazard after it.
    check.click()
    page.wait_for_url(re.compile(r"/log\?"))
    page.locator("input[name=check_gas_hose][value=fail]").check()
    page.locator("input[name=all_pass]").click()
    page.wait_for_url(re.compile(r"/hazards/household/\d+/new\?item=gas_hose"))
    assert page.locator("select[name=category]").input_value() == "gas"
    photo = tmp_path / "hose.jpg"
    photo.write_bytes(jpeg_bytes())
    page.locator("input[name=before_photo]").set_input_files(photo)
    page.locator("textarea[name=description]").fill("燃气软管老化开裂")
    page.locator("form[data-outbox] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/visits/household/\d+$"))
    waiting(page, 5)

    # Closed and opened again, still offline: the list comes from the phone, marked.
    page.close()
    page = context.new_page()
    page.goto("/visits/today")
    waiting(page, 5)
    for visit_id in visited:
        expect(page.locator(f"li.task[data-visit='{visit_id}'] .outbox-state")).to_be_visible()
    assert stored_by(live, me) == before, "something was stored while the phone was offline"

    context.set_offline(False)
    waiting(page, 0)
    visits, hazards, photos = stored_by(live, me)
    assert (visits - before[0], hazards - before[1], photos - before[2]) == (4, 1, 1)
    done = live.run(
        lambda: db.session.scalars(
            select(Visit.status).where(Visit.id.in_([int(v) for v in visited]))
        ).all()
    )
    assert done == [VisitStatus.done] * 3
    linked = live.run(
        lambda: db.session.scalar(
            select(Hazard.visit_id).where(Hazard.reported_by_id == me).order_by(Hazard.id.desc())
        )
    )
    assert linked is not None, "the hazard lost its safety check"


def test_a_flaky_network_stores_twenty_visits_once_each(live, phone):
    me = worker_id(live, "worker6")
    busy_day(live, me, 20)
    before = stored_by(live, me)[0]
    page = phone(service_workers="block").new_page()
    log_in(page, "worker6")
    chance = random.Random(12)

    def flaky(route):
        roll = chance.random()
        if roll < 0.25:
            route.abort("connectionreset")  # lost on the way there
        elif roll < 0.5:
            route.fetch()  # stored, but the answer is lost on the way back
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/quick", flaky)
    page.goto("/visits/today?all=1")  # the coming days too: twenty visits to log
    tap_all_well(page, 20)
    badge(page).click()  # the outbox's page, where "send now" waits for no back-off
    expect(page.locator("html[data-outbox=shown]")).to_have_count(1)
    for _ in range(40):
        if badge(page).is_hidden():
            break
        page.locator("[data-outbox-send]").click()
        page.wait_for_timeout(1000)
    waiting(page, 0)
    expect(page.locator(".outbox-record.sent")).to_have_count(20, timeout=20_000)
    assert stored_by(live, me)[0] - before == 20


def test_with_service_workers_blocked_the_outbox_still_queues_and_sends(live, phone):
    me = worker_id(live, "worker7")
    before = stored_by(live, me)[0]
    context = phone(service_workers="block")
    page = context.new_page()
    log_in(page, "worker7")
    context.set_offline(True)
    tap_all_well(page, 2)
    waiting(page, 2)
    context.set_offline(False)
    waiting(page, 0)
    assert stored_by(live, me)[0] - before == 2


def test_a_session_that_ended_offline_sends_after_the_next_login(live, phone):
    me = worker_id(live, "worker8")
    before = stored_by(live, me)[0]
    context = phone()
    page = context.new_page()
    log_in(page, "worker8")
    context.set_offline(True)
    tap_all_well(page, 2)
    context.clear_cookies()  # the session ends while the phone is offline
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(1500)
    waiting(page, 2)
    assert stored_by(live, me)[0] == before

    log_in(page, "worker8")
    waiting(page, 0)
    assert stored_by(live, me)[0] - before == 2


def test_a_refusal_needs_attention_with_the_reason_until_the_worker_acts(live, phone):
    context = phone()
    page = context.new_page()
    log_in(page, "worker9")
    context.set_offline(True)
    (visit_id,) = tap_all_well(page, 1)

    def move_out():
        household_id = db.session.scalar(
            select(Visit.household_id).where(Visit.id == int(visit_id))
        )
        db.session.execute(
            update(Resident)
            .where(Resident.household_id == household_id)
            .values(status=ResidentStatus.moved_out)
        )
        db.session.execute(
            update(Household).where(Household.id == household_id).values(active=False)
        )
        db.session.commit()

    live.run(move_out)
    context.set_offline(False)
    state = page.locator(f"li.task[data-visit='{visit_id}'] .outbox-state")
    attention = live.in_chinese(lambda: _("Needs attention"))
    expect(state).to_contain_text(attention, timeout=20_000)
    waiting(page, 1)

    badge(page).click()
    record = page.locator(".outbox-record.attention")
    expect(record).to_have_count(1)
    assert "迁出" in record.inner_text() or "moved out" in record.inner_text()
    page.reload()
    expect(page.locator(".outbox-record.attention")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    record.locator("button").click()
    expect(page.locator(".outbox-record.attention")).to_have_count(0)
    waiting(page, 0)


def _(text: str) -> str:
    from flask_babel import gettext

    return gettext(text)


STORED_RECORDS = """new Promise(done => {
  const open = indexedDB.open('gridcare-outbox');
  open.onsuccess = () => {
    const all = open.result.transaction('records').objectStore('records').getAll();
    all.onsuccess = () => done(all.result.length);
  };
})"""


def test_logout_asks_first_when_records_wait_and_then_clears_the_phone(live, phone):
    context = phone()
    page = context.new_page()
    log_in(page, "worker4")
    context.set_offline(True)
    tap_all_well(page, 1)
    waiting(page, 1)
    context.set_offline(False)
    page.route("**/quick", lambda route: route.abort("internetdisconnected"))  # still no line
    page.locator("details.usermenu summary").click()
    page.once("dialog", lambda dialog: dialog.dismiss())  # "stay, and send them first"
    page.locator("form[action$='/logout'] button").click()
    page.wait_for_url("**/visits/outbox")
    expect(page.locator(".outbox-record")).to_have_count(1)

    page.locator("details.usermenu summary").click()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation(url=re.compile("/login")):
        page.locator("form[action$='/logout'] button").click()
    left = page.evaluate(STORED_RECORDS)
    assert left == 0, "the outbox kept the worker's records after logout"
    assert "gridcare-pages" not in page.evaluate("caches.keys()")
