"""Snapshots: a closed month's figures, stored once for every area and shown as reported."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from gridcare.areas.models import Area
from gridcare.extensions import db
from gridcare.reports.coverage import coverage_page, snapshot_month, snapshots_for, trend
from gridcare.reports.models import ReportSnapshot
from gridcare.reports.periods import month, parse
from tests.conftest import TEST_DAY

pytestmark = pytest.mark.usefixtures("test_day")
NOVEMBER = month(TEST_DAY)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def tree(make):
    tree = make.tree()
    make.resident(make.household(tree["grid1"]), birth_date=date(1940, 1, 1), lives_alone=True)
    return tree


def test_a_month_is_stored_once_for_every_area(tree):
    areas = db.session.scalar(select(func.count()).select_from(Area))
    assert snapshot_month(NOVEMBER) == areas
    assert snapshot_month(NOVEMBER) == 0
    stored = db.session.scalar(select(func.count()).select_from(ReportSnapshot))
    assert stored == areas


def test_a_snapshot_keeps_the_month_as_reported_when_the_registry_changes(tree, make):
    snapshot_month(NOVEMBER)
    make.resident(make.household(tree["grid2"]), birth_date=date(1939, 1, 1), lives_alone=True)

    stored = snapshots_for(tree["district"], [NOVEMBER.key])
    ((_, shown),) = trend(tree["district"], [NOVEMBER], stored)
    ((_, live),) = trend(tree["district"], [NOVEMBER], {})

    assert (shown.target, shown.living_alone) == (1, 1)
    # A month without a snapshot is counted live, for what the trend draws: its reach.
    assert (live.target, live.visited) == (2, 0)


def test_snapshots_are_read_for_the_asked_area_and_months_only(tree):
    snapshot_month(NOVEMBER)
    assert set(snapshots_for(tree["grid1"], [NOVEMBER.key, "2026-10"])) == {NOVEMBER.key}
    assert snapshots_for(tree["grid1"], ["2026-10"]) == {}
    assert snapshots_for(tree["grid2"], [NOVEMBER.key])[NOVEMBER.key].target == 0


def test_every_area_is_stored_as_the_sum_of_its_grids_counted_once(tree, make, count_queries):
    make.resident(make.household(tree["grid3"]), birth_date=date(1950, 1, 1), empty_nest=True)
    with count_queries() as counted:
        snapshot_month(NOVEMBER)
    few = counted.n

    stored = {
        name: snapshots_for(area, [NOVEMBER.key])[NOVEMBER.key] for name, area in tree.items()
    }
    assert (stored["grid1"].target, stored["grid3"].target, stored["grid2"].target) == (1, 1, 0)
    assert (stored["community1"].target, stored["street2"].target) == (1, 1)
    assert (stored["district"].target, stored["district"].empty_nest) == (2, 1)
    assert stored["district"].living_alone == 1

    # More areas do not mean more queries: the grids are counted once for the whole tree.
    community = make.area("community", tree["street1"], name="新社区")
    for n in range(3):
        make.area("grid", community, name=f"新{n}网格")
    db.session.execute(ReportSnapshot.__table__.delete())
    with count_queries() as counted:
        snapshot_month(NOVEMBER)
    assert counted.n <= few


def test_the_month_that_closes_a_quarter_or_a_year_stores_them_too(tree, time_machine):
    from gridcare.reports.jobs import monthly_snapshot

    time_machine.move_to(datetime(2026, 10, 1, 10, tzinfo=SHANGHAI))
    assert monthly_snapshot() == ("household months=13, 2026-09: snapshots=9, 2026-Q3: snapshots=9")
    time_machine.move_to(datetime(2027, 1, 1, 10, tzinfo=SHANGHAI))
    assert monthly_snapshot() == (
        "household months=3, 2026-12: snapshots=9, 2026-Q4: snapshots=9, 2026: snapshots=9"
    )
    time_machine.move_to(datetime(2026, 12, 1, 10, tzinfo=SHANGHAI))
    assert monthly_snapshot() == "household months=0, 2026-11: snapshots=9"


def test_the_periods_closed_over_a_stretch_are_those_the_job_stored_each_1st():
    from gridcare.reports.jobs import closed_since

    keys = [p.key for p in closed_since(date(2025, 11, 20), date(2026, 2, 1))]
    assert keys == ["2025-11", "2025-12", "2025-Q4", "2025", "2026-01"]
    assert closed_since(date(2026, 12, 3), date(2026, 12, 3)) == []


def test_the_page_shows_a_stored_previous_period_and_no_month_to_come(tree, make):
    district = tree["district"]
    page = coverage_page(district, parse("2026-Q4"))
    assert not page.previous_as_reported
    assert [m.key for m, _ in page.trend][-1] == "2026-11"  # today is 23 November
    assert len(page.trend) == 12

    snapshot_month(parse("2026-Q3"))
    # Entered late: a home on the register since last year, after Q3 was stored.
    since = datetime(2025, 1, 1)
    home = make.household(tree["grid2"], created_at=since)
    make.resident(home, birth_date=date(1939, 1, 1), lives_alone=True, created_at=since)
    page = coverage_page(district, parse("2026-Q4"))
    assert page.previous_as_reported
    assert (page.previous.target, page.report.total.target) == (0, 2)  # Q3 as stored
