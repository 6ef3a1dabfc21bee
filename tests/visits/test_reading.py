"""Reading: a worker's day, a household's visits and schedules, workload, overdue tasks,
campaigns, and whom an officer may choose."""

import uuid
from datetime import timedelta

import pytest

from gridcare.accounts.services import actor_for
from gridcare.areas.scope import Scope
from gridcare.extensions import db
from gridcare.visits import services
from gridcare.visits.models import Outcome, VisitKind, VisitStatus
from tests.conftest import TEST_DAY
from tests.visits.conftest import open_tasks

TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")


def due_on(household, kind, day):
    """Move the household's open task of `kind` to fall due on `day`."""
    (task,) = open_tasks(household, kind)
    task.due_date = day
    task.window_end = max(day, TODAY) + timedelta(days=3)
    db.session.commit()
    return task


def log_at(actor, household, **kwargs):
    kwargs.setdefault("kind", VisitKind.home_visit)
    kwargs.setdefault("outcome", Outcome.well)
    return services.log_visit(actor, household, client_uuid=str(uuid.uuid4()), **kwargs)


@pytest.fixture
def planned(community):
    services.generate_visits(TODAY)
    return community


# A worker's day.


def test_a_workers_day_puts_overdue_first_then_today_then_the_coming_days(planned, make):
    worker = planned["worker"]
    late = due_on(planned["alone"], "home_visit", TODAY - timedelta(days=2))
    later = due_on(planned["disabled"], "home_visit", TODAY - timedelta(days=5))
    now = due_on(planned["alone"], "safety_check", TODAY)
    soon = due_on(planned["disabled"], "safety_check", TODAY + timedelta(days=3))

    day = services.worker_day(worker.id, actor_for(worker).scope, TODAY)

    assert [r.visit_id for r in day.overdue] == [later.id, late.id]  # most overdue first
    assert [r.days_overdue for r in day.overdue] == [5, 2]
    assert [r.visit_id for r in day.today] == [now.id]
    assert [r.visit_id for r in day.upcoming] == [soon.id]
    assert day.count == 4 and not day.walking_order


def test_a_workers_day_leaves_out_tasks_beyond_the_week_and_closed_homes(planned):
    worker = planned["worker"]
    due_on(planned["alone"], "home_visit", TODAY + timedelta(days=8))
    due_on(planned["alone"], "safety_check", TODAY)
    due_on(planned["disabled"], "home_visit", TODAY)
    due_on(planned["disabled"], "safety_check", TODAY)
    planned["disabled"].active = False
    db.session.commit()

    day = services.worker_day(worker.id, actor_for(worker).scope, TODAY)

    assert [(r.household_id, r.kind) for r in day.today + day.upcoming] == [
        (planned["alone"].id, "safety_check")
    ]


def test_a_workers_day_holds_only_their_own_tasks(planned, make):
    helper = make.user("grid_worker", areas=[planned["tree"]["grid1"]])
    day = services.worker_day(helper.id, actor_for(helper).scope, TODAY + timedelta(days=60))
    assert day.count == 0


# A household's visits and schedules.


def test_a_households_visits_are_its_open_tasks_soonest_first_and_its_latest_history(planned):
    worker = actor_for(planned["worker"])
    household = planned["alone"]
    first = log_at(worker, household)
    second = log_at(worker, household, not_home=True, outcome=None)

    open_, history = services.household_visits(household.id)

    assert [t.due_date for t in open_] == sorted(t.due_date for t in open_)
    assert {t.status for t in open_} == {VisitStatus.planned}
    assert [v.id for v in history] == [second.id, first.id]
    assert services.household_visits(household.id, limit=1)[1] == [history[0]]


def test_a_households_schedules_list_the_home_visit_first(planned):
    kinds = [s.kind for s in services.schedules_for(planned["alone"].id)]
    assert kinds == ["home_visit", "safety_check"]
    assert services.schedules_for(planned["elsewhere"].id + 1000) == []


# Workload and overdue tasks.


def test_workload_counts_each_workers_open_overdue_and_this_weeks_work(planned):
    worker = planned["worker"]
    due_on(planned["alone"], "safety_check", TODAY - timedelta(days=3))
    far = services.Position(39.9, 98.9, 10)
    planned["alone"].lat, planned["alone"].lon = 39.77, 98.29
    db.session.commit()
    log_at(actor_for(worker), planned["alone"], position=far)

    (row,) = services.workload(actor_for(planned["officer"]).scope, TODAY)

    assert row.worker.id == worker.id  # grid 3's worker is not the officer's
    assert row.planned == 4  # the next home visit, the late check, the disabled's two
    assert row.overdue == 1
    assert (row.done_this_week, row.far_check_ins) == (1, 1)


def test_workload_of_an_area_with_no_workers_is_empty(planned):
    assert services.workload(Scope((planned["tree"]["grid2"].path,)), TODAY) == []


def test_overdue_tasks_list_the_most_overdue_first_in_the_officers_areas(planned):
    older = due_on(planned["nest"], "home_visit", TODAY - timedelta(days=9))
    newer = due_on(planned["alone"], "home_visit", TODAY - timedelta(days=1))
    due_on(planned["elsewhere"], "home_visit", TODAY - timedelta(days=4))
    scope = actor_for(planned["officer"]).scope

    rows = services.overdue_visits(scope, TODAY).tasks

    assert [task.visit_id for task in rows] == [older.id, newer.id]
    assert rows[0].full_address == "新华路2号"
    assert rows[0].days_overdue == 9
    mine = services.overdue_visits(scope, TODAY, worker_id=planned["worker"].id).tasks
    assert [task.visit_id for task in mine] == [newer.id]
    assert mine[0].worker_name == planned["worker"].display_name


def test_a_task_due_today_is_not_overdue(planned):
    due_on(planned["alone"], "home_visit", TODAY)
    assert services.overdue_visits(actor_for(planned["officer"]).scope, TODAY).tasks == []


# Campaigns and choices.


def test_campaigns_show_their_task_and_done_counts_newest_first(planned, make):
    officer = actor_for(planned["officer"])
    area = planned["tree"]["community1"]
    common = {"area": area, "flags": [], "due_date": TODAY + timedelta(days=10), "today": TODAY}
    older, _ = services.create_campaign(
        officer, name="燃气检查", kind=VisitKind.safety_check, care_levels=[1], **common
    )
    newer, _ = services.create_campaign(
        officer, name="入户走访", kind=VisitKind.home_visit, care_levels=[2], **common
    )
    log_at(actor_for(planned["worker"]), planned["alone"], kind=VisitKind.safety_check,
           checklist={i.code: "pass" for i in services.checklist_items()})  # fmt: skip

    listed = services.campaigns_in_scope(officer.scope)

    assert [(c.id, total, done) for c, total, done in listed] == [
        (newer.id, 2, 0),
        (older.id, 1, 1),
    ]
    other = make.user("officer", areas=[planned["tree"]["community2"]])
    assert services.campaigns_in_scope(actor_for(other).scope) == []


def test_households_for_assignment_are_a_grids_open_homes_by_address(planned, make):
    grid = planned["tree"]["grid1"]
    make.household(grid, address="新华路0号", active=False)
    scope = actor_for(planned["officer"]).scope

    listed = services.households_for_assignment(scope, grid.id)

    assert [h.address for h in listed] == ["新华路1号", "新华路3号"]
    assert services.households_for_assignment(scope, planned["tree"]["grid3"].id) == []


def test_only_workers_whose_areas_hold_every_home_are_offered(planned, make):
    scope = actor_for(planned["officer"]).scope
    street = make.user("grid_worker", areas=[planned["tree"]["community1"]], full_name="全社区")
    one_grid = [planned["alone"].id]
    both_grids = [planned["alone"].id, planned["nest"].id]

    assert {w.id for w in services.workers_who_can_open(scope, one_grid)} == {
        planned["worker"].id,
        street.id,
    }
    assert [w.id for w in services.workers_who_can_open(scope, both_grids)] == [street.id]


def test_overdue_count_is_the_whole_total_whatever_the_list_shows(planned):
    due_on(planned["nest"], "home_visit", TODAY - timedelta(days=9))
    due_on(planned["alone"], "home_visit", TODAY - timedelta(days=1))
    due_on(planned["elsewhere"], "home_visit", TODAY - timedelta(days=4))
    scope = actor_for(planned["officer"]).scope
    first = services.overdue_visits(scope, TODAY, limit=1)
    assert (len(first.tasks), first.total) == (1, 2)  # not the one elsewhere
    assert services.overdue_visits(scope, TODAY, worker_id=planned["worker"].id).total == 1
    assert services.overdue_visits(scope, TODAY + timedelta(days=-30)).total == 0
