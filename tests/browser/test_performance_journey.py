"""The performance journey on a phone in chromium: an admin defines the half year's
indicators, an officer gives a bonus point with its basis and rates two workers, and the
community's table shows score, rank and every indicator, each linking to its records."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gridcare.accounts.models import User
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.performance.models import IndicatorKind, PointAdjustment, Rating
from gridcare.registry.models import Household
from gridcare.reports.periods import month
from gridcare.visits.models import Visit
from tests.browser.live import log_in

pytestmark = pytest.mark.browser


def _submit(page, form):
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def _add_indicator(page, kind, name, source, weight, full_mark, officer=None, leader=None):
    form = page.locator("main form[action$='/indicators']")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=source]").select_option(source)
    form.locator("input[name=weight]").fill(str(weight))
    form.locator("input[name=full_mark]").fill(str(full_mark))
    if officer is not None:
        form.locator("input[name=officer_weight]").fill(str(officer))
        form.locator("input[name=street_leader_weight]").fill(str(leader))
    _submit(page, form)


def _a_visit_in(live, username: str) -> int:
    def find():
        officer = db.session.scalar(
            select(User).where(User.username == username).options(selectinload(User.areas))
        )
        community = officer.areas[0]
        from gridcare.areas.models import Area

        return db.session.scalar(
            select(Visit.id)
            .join(Household, Household.id == Visit.household_id)
            .join(Area, Area.id == Household.grid_id)
            .where(Area.path.startswith(community.path))
            .limit(1)
        )

    return live.run(find)


def test_admin_defines_a_set_officer_gives_a_point_and_rates_the_table_shows_it(live, phone):
    admin = phone().new_page()
    log_in(admin, "admin", position=False)
    admin.goto("/performance/sets")
    new = admin.locator("main form[action$='/performance/sets']")
    new.locator("input[name=name]").fill("下半年网格员考核")
    _submit(admin, new)
    assert "/performance/sets/" in admin.url
    _add_indicator(admin, "common", "按时走访", "timeliness", 40, 100)
    _add_indicator(admin, "role_specific", "走访覆盖", "coverage", 30, 95)
    _add_indicator(admin, "key", "工作态度", "rating", 30, 10, officer=60, leader=40)
    kinds = admin.locator("main table tbody tr td:first-child").all_inner_texts()
    assert kinds == live.in_chinese(lambda: [str(kind.label) for kind in IndicatorKind])

    officer = phone().new_page()
    log_in(officer, "officer1")
    with officer.expect_navigation():
        officer.goto("/performance/")
    rows = officer.locator("table.performance tbody tr")
    assert rows.count() >= 2
    workers = [
        rows.nth(n).locator("td").nth(2).locator("a").get_attribute("href") for n in range(2)
    ]

    # A bonus point resting on a visit, then a rating, for the first worker.
    officer.goto(workers[0])
    points = officer.locator("main form[action*='/points']")
    points.locator("select[name=kind]").select_option("bonus")
    points.locator("input[name=points]").fill("2")
    points.locator("textarea[name=reason]").fill("寒潮夜间逐户走访独居老人")
    points.locator("select[name=basis_kind]").select_option("visit")
    visit_id = _a_visit_in(live, "officer1")
    points.locator("input[name=basis_id]").fill(str(visit_id))
    _submit(officer, points)
    given = officer.locator("#points-given")
    assert "寒潮夜间逐户走访独居老人" in given.inner_text()
    assert given.locator("a[href^='/visits/household/']").count() == 1  # the basis, linked
    for href, value in zip(workers, ("9", "6"), strict=True):
        officer.goto(href)
        rating = officer.locator("main form[action*='/ratings']")
        rating.locator("input[name=value]").fill(value)
        _submit(officer, rating)
    this_month = live.run(lambda: month(today()).key)
    stored = live.run(
        lambda: (
            db.session.scalar(
                select(PointAdjustment.basis_id).where(PointAdjustment.month == this_month)
            ),
            sorted(db.session.scalars(select(Rating.value).where(Rating.month == this_month))),
        )
    )
    assert stored == (visit_id, [6.0, 9.0])

    # The community's table: score, ranks, each indicator; every figure is a link.
    officer.goto("/performance/")
    table = officer.locator("table.performance")
    headers = table.locator("thead th").all_inner_texts()
    for name in ("按时走访", "走访覆盖", "工作态度"):
        assert any(name in header for header in headers), headers
    first = table.locator("tbody tr").first
    cells = first.locator("td")
    assert cells.nth(0).inner_text().strip() == "1"
    assert cells.nth(3).inner_text().strip() not in ("", "–")
    links = first.locator("td a")
    assert links.count() == 1 + 3 + 2  # the name, three indicators, bonus and deduction
    with officer.expect_navigation():
        first.locator("td").nth(6).locator("a").click()  # the rating's figure
    assert urlsplit(officer.url).path.startswith("/performance/workers/")
    month_link = officer.locator("tr[id^=indicator-] td a").last
    with officer.expect_navigation():
        month_link.click()
    assert "/records/" in officer.url
    assert officer.locator("main ul.list li").count() >= 1
