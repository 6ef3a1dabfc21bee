"""Pages that must read well on a 360 px phone, measured in chromium."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from gridcare.accounts.models import User
from gridcare.accounts.services import actor_for
from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.visits import services as visit_services
from gridcare.visits.models import Outcome, VisitKind, VisitMethod
from tests.browser.live import log_in

pytestmark = pytest.mark.browser

# How many characters fit on the narrowest line any text in the history may fill: the
# width of each block (a cell, a paragraph) holding text, in its own font size. A
# squeezed table cell gives one or two, which is what a worker saw. Inline pieces (a
# badge, a time) are as wide as their words, so their block is what counts.
NARROWEST_LINE = """(selector) => {
  const root = document.querySelector(selector);
  const texts = [...root.querySelectorAll("*")].filter(
    el => !getComputedStyle(el).display.startsWith("inline")
      && el.innerText.trim().length > 1
  );
  const perLine = texts.map(el => {
    const size = parseFloat(getComputedStyle(el).fontSize);
    return el.getBoundingClientRect().width / size;
  });
  return {
    chars: Math.min(...perLine),
    overflow: root.scrollWidth - root.clientWidth,
    count: root.querySelectorAll("[id^=visit-]").length,
  };
}"""


def test_the_visit_history_reads_well_at_360_px(live, worker_pages, page, tmp_path):
    household_path = worker_pages["household visits"]
    household_id = int(household_path.rsplit("/", 1)[1])

    def stage() -> None:
        worker = db.session.scalar(select(User).where(User.username == "worker1"))
        home = db.session.get(Household, household_id)
        for days, method, notes in [
            (3, VisitMethod.phone, "电话联系，老人说腿脚不便，需要上门送药"),
            (2, VisitMethod.in_person, "老人身体状况良好，家中整洁，燃气阀门已关闭，叮嘱注意防滑"),
        ]:
            visit_services.log_visit(
                actor_for(worker),
                home,
                kind=VisitKind.home_visit,
                client_uuid=str(uuid.uuid4()),
                outcome=Outcome.well,
                method=method,
                notes=notes,
                completed_at=utcnow() - timedelta(days=days),
            )

    live.run(stage)
    log_in(page, "worker1")
    page.goto(household_path)
    measured = page.evaluate(NARROWEST_LINE, "#history")
    page.locator("#history").screenshot(path=str(tmp_path / "history-360.png"))
    page.screenshot(path="/tmp/ux-history-360.png", full_page=True)
    assert measured["count"] >= 2
    assert measured["chars"] >= 6, measured
    assert measured["overflow"] <= 0, measured
