"""One-off checks by filter: which households match, the count before, and what is made."""

from datetime import date, datetime, timedelta

import pytest

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.visits import services
from gridcare.visits.models import Visit, VisitKind, VisitStatus
from tests.conftest import TEST_DAY
from tests.visits.conftest import open_tasks

TODAY = TEST_DAY
DUE = TODAY + timedelta(days=10)
pytestmark = pytest.mark.usefixtures("test_day")


def matches(community, **target):
    preview = services.preview_assignment(
        community["officer_scope"],
        services.HouseholdTarget(**target),
        kind=VisitKind.safety_check,
        today=TODAY,
    )
    return {row.household.full_address for row in preview.rows}


@pytest.fixture
def area(community):
    community["officer_scope"] = actor_for(community["officer"]).scope
    return community


def test_no_filter_matches_every_household_with_a_care_level_in_the_officers_areas(area):
    assert matches(area) == {"新华路1号", "新华路2号", "新华路3号"}  # not grid 3's


def test_filters_narrow_by_grid_level_and_flag(area):
    grid1 = area["tree"]["grid1"].id
    assert matches(area, grid_id=grid1) == {"新华路1号", "新华路3号"}
    assert matches(area, care_levels=(1,)) == {"新华路1号"}
    assert matches(area, flags=("empty_nest", "disabled")) == {"新华路2号", "新华路3号"}
    assert matches(area, grid_id=grid1, care_levels=(2,)) == {"新华路3号"}


def test_overdue_and_no_visit_since_look_at_the_households_tasks(area, make):
    late = Visit(
        household_id=area["nest"].id,
        kind=VisitKind.home_visit,
        due_date=TODAY - timedelta(days=3),
        window_end=TODAY + timedelta(days=3),
    )
    seen = Visit(
        household_id=area["alone"].id,
        kind=VisitKind.home_visit,
        due_date=TODAY - timedelta(days=5),
        window_end=TODAY,
        status=VisitStatus.done,
        completed_at=datetime(TODAY.year, TODAY.month, TODAY.day) - timedelta(days=2),
    )
    db.session.add_all([late, seen])
    db.session.commit()
    assert matches(area, overdue=True) == {"新华路2号"}
    since = TODAY - timedelta(days=7)
    assert matches(area, not_visited_since=since) == {"新华路2号", "新华路3号"}


def test_a_grid_outside_the_officers_areas_is_refused(area):
    with pytest.raises(services.VisitError) as refused:
        matches(area, grid_id=area["tree"]["grid3"].id)
    assert refused.value.field == "grid"


def test_the_preview_counts_open_tasks_and_homes_the_worker_cannot_open(area):
    services.assign_checks(
        actor_for(area["officer"]),
        [area["alone"].id],
        kind=VisitKind.safety_check,
        due_date=DUE,
        today=TODAY,
    )
    preview = services.preview_assignment(
        area["officer_scope"],
        services.HouseholdTarget(),
        kind=VisitKind.safety_check,
        today=TODAY,
        worker_id=area["worker"].id,  # grid 1 only
    )
    assert (preview.matching, preview.already_open, preview.outside_worker) == (3, 1, 1)
    assert preview.to_create == 1
    outcomes = {row.household.full_address: row.outcome for row in preview.rows}
    assert outcomes == {"新华路1号": "open", "新华路2号": "outside", "新华路3号": "new"}


def test_assigning_by_filter_creates_exactly_what_the_preview_counted(area):
    target = services.HouseholdTarget(flags=("lives_alone", "disabled", "empty_nest"))
    officer = actor_for(area["officer"])
    preview = services.preview_assignment(
        officer.scope, target, kind=VisitKind.safety_check, today=TODAY, worker_id=area["worker"].id
    )
    done = services.assign_by_target(
        officer,
        target,
        kind=VisitKind.safety_check,
        due_date=DUE,
        today=TODAY,
        worker_id=area["worker"].id,
    )
    assert done.added.created == preview.to_create == 2
    assert done.outside_worker == preview.outside_worker == 1
    assert open_tasks(area["nest"]) == []
    assert [t.worker_id for t in open_tasks(area["alone"])] == [area["worker"].id]
    again = services.assign_by_target(
        officer, target, kind=VisitKind.safety_check, due_date=DUE, today=TODAY
    )
    assert (again.added.created, again.added.already_open) == (1, 2)  # grid 2's, now


def test_a_worker_who_can_open_none_of_the_matches_is_refused_and_nothing_made(area):
    officer = actor_for(area["officer"])
    with pytest.raises(services.VisitError) as refused:
        services.assign_by_target(
            officer,
            services.HouseholdTarget(grid_id=area["tree"]["grid2"].id),
            kind=VisitKind.safety_check,
            due_date=DUE,
            today=TODAY,
            worker_id=area["worker"].id,
        )
    assert refused.value.field == "worker_id"
    assert open_tasks(area["nest"]) == []


def test_the_workers_offered_for_a_grid_are_those_who_can_open_it(area):
    scope = area["officer_scope"]
    assert services.workers_for(scope, area["tree"]["grid1"].id) == [area["worker"]]
    assert services.workers_for(scope, area["tree"]["grid2"].id) == []


def test_a_mistyped_year_in_no_visit_since_is_refused_with_a_message(area):
    with pytest.raises(services.VisitError) as refused:
        matches(area, not_visited_since=date(1, 1, 1))
    assert refused.value.field == "not_visited_since"
