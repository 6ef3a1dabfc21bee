"""Accessibility of the main pages, checked by axe-core inside chromium at phone width.

No page may have a `serious` or `critical` axe violation (contrast, names, labels,
landmarks…), and every form field a person can see has a label they can see too.
"""

import pytest

from tests.browser.live import log_in, stage_officer_pages

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")

# (who, page name, path or the name of one of the worker's pages)
PAGES = [
    ("nobody", "login", "/login"),
    *(
        ("worker1", name, name)
        for name in (
            "today",
            "log a visit",
            "safety check",
            "hazard form",
            "hazard",
            "household visits",
            "household record",
            "my hazards",
            "messages",
        )
    ),
    ("officer1", "households", "/registry/households"),
    ("officer1", "workload", "/visits/workload"),
    ("officer1", "campaigns", "/visits/campaigns"),
    ("officer1", "new campaign", "/visits/campaigns/new"),
    ("officer1", "hazard queue", "/hazards/queue"),
    ("officer1", "messages", "/notifications"),
    ("civil1", "reports overview", "/reports/"),
]

# Fields a person can see but whose label they cannot: none of `labels` and none of
# `aria-labelledby` is on screen with text.
FIELDS_WITHOUT_VISIBLE_LABEL = """() => {
  const shown = el => {
    const box = el.getBoundingClientRect();
    return el.checkVisibility() && box.width > 1 && box.height > 1;
  };
  const hasText = el => shown(el) && el.innerText.trim().length > 0;
  const skip = ["hidden", "submit", "button", "reset", "image"];
  return [...document.querySelectorAll("input, select, textarea")]
    .filter(el => !skip.includes(el.type) && shown(el))
    .filter(el => {
      if ([...el.labels].some(hasText)) return false;
      const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
      return !ids.some(id => { const t = document.getElementById(id); return t && hasText(t); });
    })
    .map(el => el.outerHTML.slice(0, 160));
}"""


@pytest.fixture(scope="module")
def officer_data(live):
    stage_officer_pages(live)


@pytest.fixture(scope="module")
def signed_in(live, browser):
    """One logged-in phone per user, opened on first use and closed with the module."""
    contexts = {}

    def page_for(username: str):
        if username not in contexts:
            context = live.phone(browser)
            contexts[username] = context
            page = context.new_page()
            if username != "nobody":
                log_in(page, username)
        return contexts[username].pages[0]

    yield page_for
    for context in contexts.values():
        context.close()


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
            lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("username", "name", "target"), PAGES, ids=[f"{u}-{n}" for u, n, _t in PAGES]
)
def test_page_has_no_serious_accessibility_problems(
    signed_in, worker_pages, officer_data, axe_script, username, name, target
):
    page = signed_in(username)
    page.goto(worker_pages.get(target, target) if username == "worker1" else target)
    page.wait_for_load_state("networkidle")
    assert page.locator("main").count() == 1

    # Evaluated by the browser's debugging protocol: an injected <script> would be inline
    # script, which the app's Content-Security-Policy rightly refuses.
    page.evaluate(axe_script.read_text())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"axe finds on {name} ({page.url}):\n{describe(blocking)}"

    unlabelled = page.evaluate(FIELDS_WITHOUT_VISIBLE_LABEL)
    assert not unlabelled, f"fields on {name} without a visible label: {unlabelled}"
