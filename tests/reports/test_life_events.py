"""Life events in the reports: counted per area and period, shown on the coverage page."""

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.registry.services.lookups import HOUSEHOLD_WITH_RESIDENTS
from gridcare.reports.life_events import life_event_counts
from gridcare.reports.periods import month
from gridcare.visits import services
from gridcare.visits.models import LifeEventKind
from tests.conftest import TEST_DAY

pytestmark = pytest.mark.usefixtures("test_day")
EN = {"Accept-Language": "en"}


@pytest.fixture
def events(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    home = make.household(tree["grid1"])
    resident = make.resident(home, birth_date=date(1938, 1, 1), lives_alone=True)
    home = db.session.scalar(
        select(Household).where(Household.id == home.id).options(*HOUSEHOLD_WITH_RESIDENTS)
    )
    for kind in (LifeEventKind.fell, LifeEventKind.lost_contact):
        services.record_life_event(
            actor_for(worker),
            home,
            resident_id=resident.id,
            kind=kind,
            occurred_on=TEST_DAY,
            client_uuid=str(uuid.uuid4()),
        )
    return tree


def test_events_are_counted_in_their_area_and_month_and_share_one_urgent_visit(events):
    counts = life_event_counts(events["district"], month(TEST_DAY))
    assert (counts.events, counts.urgent_visits, counts.done_in_time) == (2, 1, 0)
    assert counts.by_kind == {"fell": 1, "lost_contact": 1}
    assert life_event_counts(events["grid3"], month(TEST_DAY)).events == 0
    assert life_event_counts(events["district"], month(date(2026, 10, 1))).events == 0


def test_the_coverage_page_shows_the_events(client, login, make, events):
    login(make.user("civil_affairs", areas=[events["district"]]))
    page = client.get("/reports/coverage", query_string={"period": "2026-11"}, headers=EN)
    assert page.status_code == 200
    assert "2 life events recorded." in page.text
    assert "Urgent visits done in time: 0 of 1." in page.text
