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
