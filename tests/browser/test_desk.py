"""The officer's and the civil-affairs desk in chromium at 1280 × 800 and 1024 × 768:
every menu page one click from home, no page scrolling sideways, one-off checks by filter
making exactly the tasks their preview counted, and no serious axe finding."""

import re
import time

import pytest
from sqlalchemy import func, select

from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.visits.models import Visit, VisitKind, VisitStatus
from tests.browser.live import DESKTOP, log_in, stage_desk_pages
from tests.browser.test_accessibility import BLOCKING, FIELDS_WITHOUT_VISIBLE_LABEL, describe

pytestmark = pytest.mark.browser

SCREENS = {"1280x800": {"width": 1280, "height": 800}, "1024x768": {"width": 1024, "height": 768}}
MENUS = {
    "officer1": [
        "/visits/workload",
        "/visits/assign",
        "/visits/campaigns",
        "/hazards/queue",
        "/registry/households",
        "/renovation/",
        "/reports/scorecards",
        "/performance/",
    ],
    "civil1": [
        "/reports/coverage",
        "/reports/scorecards",
        "/reports/",
        "/reports/exports",
        "/renovation/report",
        "/performance/",
    ],
}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3].split("?")[0] if url.count("/") >= 3 else "/"


@pytest.fixture(scope="module")
def desk_data(live):
    return stage_desk_pages(live)


@pytest.fixture(scope="module")
def desk(live, browser):
    """A function giving a desktop browser page of the given size, logged in as the user;
    one per user and size for the module, as logging in is the slow part."""
    opened = {}

    def open_desk(username: str, screen: str = "1280x800"):
        if (username, screen) not in opened:
            context = browser.new_context(
                **{**DESKTOP, "viewport": SCREENS[screen]}, base_url=live.url
            )
            context.set_default_timeout(15_000)
            opened[username, screen] = context
            log_in(context.new_page(), username, position=False)
        page = opened[username, screen].pages[0]
        page.goto("/")
        return page

    yield open_desk
    for context in opened.values():
        context.close()


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("username", MENUS)
def test_every_menu_page_is_one_click_from_home_and_none_scrolls_sideways(
    desk_data, desk, username, screen
):
    page = desk(username, screen)
    menu = page.locator("nav.mainnav a")
    targets = [path_of(href) for href in menu.evaluate_all("links => links.map(a => a.href)")]
    assert targets == MENUS[username], f"{username}'s menu leads to {targets}"
    assert page.evaluate(SIDEWAYS) == 0, f"home of {username} scrolls sideways at {screen}"
    for index, target in enumerate(targets):
        page.goto("/")
        with page.expect_navigation():
            page.locator("nav.mainnav a").nth(index).click()
        page.wait_for_load_state("networkidle")
        # One click lands on the page, or on the page its section leads to at once.
        assert path_of(page.url).startswith(target)
        current = page.locator("nav.mainnav a[aria-current=page]")
        assert current.count() == 1 and path_of(current.evaluate("a => a.href")) == target
        overflow = page.evaluate(SIDEWAYS)
        assert overflow == 0, f"{target} scrolls sideways by {overflow} px at {screen}"


def planned_safety_checks(live, grid_id: int) -> int:
    return live.run(
        lambda: db.session.scalar(
            select(func.count(Visit.id))
            .join(Household, Household.id == Visit.household_id)
            .where(
                Household.grid_id == grid_id,
                Visit.kind == VisitKind.safety_check,
                Visit.status == VisitStatus.planned,
            )
        )
    )


def test_assigning_by_filter_creates_exactly_the_tasks_the_preview_counted(live, desk_data, desk):
    page = desk("officer1")
    started = time.monotonic()
    with page.expect_navigation():
        page.locator("nav.mainnav a[href='/visits/assign']").click()
    page.select_option("select[name=grid]", str(desk_data["grid_id"]))
    page.select_option("select[name=kind]", "safety_check")
    page.check("input[name=care_levels][value='2']")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("统计|Count")).click()

    counted = int(re.search(r"\d+", page.locator(".preview-counts .count-new").inner_text())[0])
    assert counted > 0, "the staged grid has level-2 homes without an open safety check"
    assert page.evaluate(SIDEWAYS) == 0
    before = planned_safety_checks(live, desk_data["grid_id"])
    with page.expect_navigation():
        page.locator("form.confirm-form button[type=submit]").click()

    # From the menu to the confirmation, no list to scroll: well inside the minute an
    # officer should need (most of this is the test's own typing and waiting).
    assert time.monotonic() - started < 60
    assert path_of(page.url) == "/visits/workload"
    assert str(counted) in page.locator(".flash").first.inner_text()
    assert planned_safety_checks(live, desk_data["grid_id"]) - before == counted


def test_the_officer_reviews_a_fix_in_one_step_below_the_timeline(desk_data, desk):
    page = desk("officer1")
    page.goto(f"/hazards/{desk_data['hazard_id']}")
    forms = page.locator("section.next-step > form.move")
    assert forms.count() == 1, "one next step, not a stack of forms"
    buttons = forms.locator("button[type=submit]").all_inner_texts()
    assert len(buttons) == 2 and len(set(buttons)) == 2, buttons
    timeline = page.locator("ol.timeline").bounding_box()
    step = page.locator("section.next-step").bounding_box()
    assert timeline["y"] < step["y"], "the timeline stays above the next step"
    assert not page.locator("details.other-steps").evaluate("d => d.open")


DESK_PAGES = [
    ("officer1", "assign with a count", "/visits/assign?care_levels=1&kind=safety_check"),
    ("officer1", "scorecards", "/reports/scorecards"),
    ("officer1", "new household", "/registry/households/new"),
    ("officer1", "new campaign", "/visits/campaigns/new"),
    ("officer1", "hazard under review", "hazard"),
    ("civil1", "coverage", "/reports/coverage"),
    ("civil1", "exports", "/reports/exports"),
    ("civil1", "registry overview", "/reports/"),
]


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize(
    ("username", "name", "target"), DESK_PAGES, ids=[f"{u}-{n}" for u, n, _t in DESK_PAGES]
)
def test_desk_pages_have_no_serious_accessibility_problems(
    desk_data, desk, axe_script, username, name, target, screen
):
    page = desk(username, screen)
    page.goto(f"/hazards/{desk_data['hazard_id']}" if target == "hazard" else target)
    page.wait_for_load_state("networkidle")
    page.evaluate(axe_script.read_text())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"axe finds on {name} ({page.url}):\n{describe(blocking)}"
    unlabelled = page.evaluate(FIELDS_WITHOUT_VISIBLE_LABEL)
    assert not unlabelled, f"fields on {name} without a visible label: {unlabelled}"


def test_report_tables_keep_the_name_in_view_and_hide_the_groups_a_reader_unticks(desk_data, desk):
    page = desk("civil1", "1024x768")
    page.goto("/reports/coverage")
    page.wait_for_load_state("networkidle")
    wrap = page.locator(".table-wrap:has(table.grouped)").first
    table = wrap.locator("table.grouped")
    name = table.locator("tbody th.name-col").first
    left = name.bounding_box()["x"]
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    assert name.bounding_box()["x"] == left, "the area name scrolls away with the figures"

    hazards = table.locator("thead th.g-hazards").first
    assert hazards.is_visible()
    page.locator("fieldset.column-groups input[value=hazards]").uncheck()
    assert not hazards.is_visible()
    page.reload()
    assert not page.locator("table.grouped thead th.g-hazards").first.is_visible(), (
        "the choice is not remembered"
    )
    page.locator("fieldset.column-groups input[value=hazards]").check()

    label_size = page.locator("svg.chart text.chart-label").first.evaluate(
        "t => t.getBoundingClientRect().height"
    )
    body_size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert label_size >= 0.9 * body_size, "chart labels are smaller than the body text"
    assert page.locator("figure.chart-figure table.chart-table").count() == 2
