"""Snapshots: a closed month's figures, stored once for every area and shown as reported."""

from datetime import date

import pytest
from sqlalchemy import func, select

from gridcare.areas.models import Area
from gridcare.extensions import db
from gridcare.reports.coverage import snapshot_month, snapshots_for, trend
from gridcare.reports.models import ReportSnapshot
from gridcare.reports.periods import month
from tests.conftest import TEST_DAY

pytestmark = pytest.mark.usefixtures("test_day")
NOVEMBER = month(TEST_DAY)


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
