"""Planning: the scheduling rule of DESIGN.md, tested on the services directly."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.registry.services import record_death, refresh_care_levels, set_care_level_override
from gridcare.visits import services
from gridcare.visits.models import CareSchedule, Visit, VisitKind, VisitStatus
from gridcare.visits.plans import care_plan
from tests.conftest import TEST_DAY
from tests.visits.conftest import open_tasks

TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")


def planned(household, kind=None):
    stmt = select(Visit).where(
        Visit.household_id == household.id, Visit.status == VisitStatus.planned
    )
    if kind:
        stmt = stmt.where(Visit.kind == kind)
    return list(db.session.scalars(stmt))


def test_every_target_household_gets_one_planned_visit_and_check_at_its_level(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    levels = {}
    for birth, alone in (
        (date(1940, 1, 1), True),
        (date(1960, 1, 1), True),
        (date(1955, 1, 1), False),
    ):
        household = make.household(tree["grid1"])
        make.resident(household, birth_date=birth, lives_alone=alone)
        levels[household.id] = household
    young = make.household(tree["grid1"])
    make.resident(young, birth_date=date(1990, 1, 1))

    summary = services.generate_visits(TODAY)

    assert summary.visits_created == 6
    for household in levels.values():
        schedules = {s.kind: s for s in services.schedules_for(household.id)}
        for kind, cadence in care_plan(TODAY)[household.care_level].items():
            assert schedules[kind].interval_days == cadence.interval_days
            (visit,) = planned(household, kind)
            assert TODAY <= visit.due_date < TODAY + timedelta(days=min(cadence.interval_days, 7))
            assert visit.window_end == visit.due_date + timedelta(days=cadence.window_days)
            assert visit.worker_id == worker.id
    assert planned(young) == []


def test_a_second_run_creates_nothing(make):
    tree = make.tree()
    make.resident(make.household(tree["grid1"]), birth_date=date(1940, 1, 1), lives_alone=True)
    services.generate_visits(TODAY)
    count = db.session.scalar(select(func.count(Visit.id)))
    again = services.generate_visits(TODAY)
    assert again.visits_created == 0
    assert again.schedules_created == 0
    assert db.session.scalar(select(func.count(Visit.id))) == count


def test_next_visit_is_due_one_interval_after_the_last_was_done(make):
    tree = make.tree()
    household = make.household(tree["grid1"])
    make.resident(household, birth_date=date(1940, 1, 1), lives_alone=True)
    officer = make.user("officer", areas=[tree["community1"]])
    services.generate_visits(TODAY)
    done_at = datetime(2026, 11, 23, 2, 0)  # 10:00 in Shanghai
    services.log_visit(
        actor_for(officer),
        household,
        kind=VisitKind.home_visit,
        client_uuid="00000000-0000-4000-8000-000000000001",
        outcome="well",
        completed_at=done_at,
    )
    (next_visit,) = planned(household, VisitKind.home_visit)
    assert next_visit.due_date == date(2026, 11, 30)
    assert next_visit.window_end == date(2026, 12, 3)


def test_missed_windows_close_and_the_next_visit_keeps_the_rhythm(make):
    tree = make.tree()
    household = make.household(tree["grid1"])
    make.resident(household, birth_date=date(1940, 1, 1), lives_alone=True)
    services.generate_visits(TODAY)
    (visit,) = planned(household, VisitKind.home_visit)

    after_window = visit.window_end + timedelta(days=1)
    assert services.close_missed(after_window) >= 1
    assert services.close_missed(after_window) == 0
    db.session.refresh(visit)
    assert visit.status == VisitStatus.missed
    services.generate_visits(after_window)
    (next_visit,) = planned(household, VisitKind.home_visit)
    assert next_visit.due_date == max(visit.due_date + timedelta(days=7), after_window)


def test_after_long_downtime_one_run_brings_the_plan_up_to_date(make):
    tree = make.tree()
    household = make.household(tree["grid1"])
    make.resident(household, birth_date=date(1940, 1, 1), lives_alone=True)
    services.generate_visits(TODAY)
    later = TODAY + timedelta(days=60)
    services.close_missed(later)
    services.generate_visits(later)
    (home,) = planned(household, VisitKind.home_visit)
    assert home.due_date >= later
    missed = db.session.scalar(
        select(func.count(Visit.id)).where(Visit.status == VisitStatus.missed)
    )
    assert missed == 2  # one per kind: a missed night is caught up, not replayed


def test_turning_80_while_living_alone_makes_visits_weekly(make):
    tree = make.tree()
    household = make.household(tree["grid1"])
    make.resident(household, birth_date=date(1946, 12, 1), lives_alone=True)  # 79 on TODAY
    services.generate_visits(TODAY)
    assert household.care_level == 2
    (before,) = planned(household, VisitKind.home_visit)

    birthday = date(2026, 12, 1)
    refresh_care_levels(birthday)
    services.generate_visits(birthday)
    db.session.refresh(household)
    assert household.care_level == 1
    schedule = next(
        s for s in services.schedules_for(household.id) if s.kind == VisitKind.home_visit
    )
    assert schedule.interval_days == 7
    (after,) = planned(household, VisitKind.home_visit)
    assert after.id == before.id
    assert after.due_date <= birthday + timedelta(days=7)


def test_household_with_no_target_resident_left_ends_its_schedules(make):
    tree = make.tree()
    household = make.household(tree["grid1"])
    resident = make.resident(household, birth_date=date(1940, 1, 1), lives_alone=True)
    officer = make.user("officer", areas=[tree["community1"]])
    services.generate_visits(TODAY)

    record_death(actor_for(officer), resident, TODAY)

    assert planned(household) == []
    statuses = db.session.scalars(select(Visit.status).where(Visit.household_id == household.id))
    assert set(statuses) == {VisitStatus.cancelled}
    assert all(not s.active for s in services.schedules_for(household.id))


def test_an_adjusted_schedule_keeps_its_cadence(make):
    tree = make.tree()
    household = make.household(tree["grid1"])
    make.resident(household, birth_date=date(1955, 1, 1))
    officer = make.user("officer", areas=[tree["community1"]])
    services.generate_visits(TODAY)
    schedule = next(
        s for s in services.schedules_for(household.id) if s.kind == VisitKind.home_visit
    )
    services.adjust_schedule(
        actor_for(officer), schedule, interval_days=14, window_days=3, worker_id=None, today=TODAY
    )
    (visit,) = planned(household, VisitKind.home_visit)
    assert visit.due_date <= TODAY + timedelta(days=14)
    services.generate_visits(TODAY + timedelta(days=1))
    db.session.refresh(schedule)
    assert (schedule.interval_days, schedule.window_days, schedule.adjusted) == (14, 3, True)


def test_the_partial_unique_index_refuses_a_second_open_schedule_visit(make):
    tree = make.tree()
    household = make.household(tree["grid1"])
    make.resident(household, birth_date=date(1940, 1, 1), lives_alone=True)
    services.generate_visits(TODAY)
    schedule = db.session.scalar(
        select(CareSchedule).where(
            CareSchedule.household_id == household.id, CareSchedule.kind == VisitKind.home_visit
        )
    )
    inserted = services.insert_ignoring_duplicates(
        Visit,
        [
            {
                "household_id": household.id,
                "kind": VisitKind.home_visit,
                "schedule_id": schedule.id,
                "due_date": TODAY,
                "window_end": TODAY,
                "status": VisitStatus.planned,
                "checklist": {},
                "notes": "",
            }
        ],
    )
    assert inserted == 0
    assert len(planned(household, VisitKind.home_visit)) == 1


def test_first_visits_of_a_new_grid_are_spread_over_the_first_week(make):
    tree = make.tree()
    for _ in range(14):
        make.resident(make.household(tree["grid1"]), birth_date=date(1940, 1, 1), lives_alone=True)
    services.generate_visits(TODAY)
    dues = db.session.scalars(
        select(Visit.due_date).where(Visit.kind == VisitKind.home_visit)
    ).all()
    assert {(d - TODAY).days for d in dues} == set(range(7))


# The nightly sweep, the registry's changes, and what a run reports.


def test_closing_missed_windows_leaves_open_windows_and_done_visits_alone(community):
    services.generate_visits(TODAY)
    (lapsed,) = open_tasks(community["alone"], "home_visit")
    lapsed.due_date, lapsed.window_end = TODAY - timedelta(days=5), TODAY - timedelta(days=1)
    (running,) = open_tasks(community["disabled"], "home_visit")
    running.due_date, running.window_end = TODAY - timedelta(days=5), TODAY
    db.session.commit()

    assert services.close_missed(TODAY) == 1
    assert services.close_missed(TODAY) == 0  # final: a second sweep finds nothing

    db.session.refresh(lapsed)
    db.session.refresh(running)
    assert (lapsed.status, running.status) == (VisitStatus.missed, VisitStatus.planned)


def test_the_nightly_plan_says_what_it_did(community):
    summary = services.generate_visits(TODAY)
    assert (summary.schedules_created, summary.visits_created) == (8, 8)  # 4 homes × 2 kinds
    assert "visits_created=8" in str(summary)
    again = services.generate_visits(TODAY)
    assert (again.schedules_created, again.visits_created) == (0, 0)


def test_a_household_raised_to_level_1_gets_its_open_visit_brought_forward(community):
    services.generate_visits(TODAY)
    (task,) = open_tasks(community["nest"], "home_visit")
    task.due_date = task.window_end = TODAY + timedelta(days=25)
    db.session.commit()
    officer = actor_for(community["officer"])

    set_care_level_override(officer, community["nest"], 1, "独居，近期摔倒过")

    (task,) = open_tasks(community["nest"], "home_visit")
    assert task.due_date == TODAY + timedelta(days=care_plan(TODAY)[1]["home_visit"].interval_days)
    (schedule,) = [
        s for s in services.schedules_for(community["nest"].id) if s.kind == "home_visit"
    ]
    assert schedule.interval_days == care_plan(TODAY)[1]["home_visit"].interval_days


def test_a_household_moved_to_another_grid_hands_its_open_tasks_to_that_grids_worker(community):
    services.generate_visits(TODAY)
    household = community["alone"]
    assert {t.worker_id for t in open_tasks(household)} == {community["worker"].id}
    household.grid_id = community["tree"]["grid2"].id  # a grid with no worker
    db.session.flush()

    services.follow_households((household.id,), TODAY)
    db.session.commit()

    assert {t.worker_id for t in open_tasks(household)} == {None}


def test_a_moved_households_schedule_forgets_a_named_worker_who_cannot_open_it(community, make):
    services.generate_visits(TODAY)
    household = community["alone"]
    schedule = services.schedules_for(household.id)[0]
    schedule.worker_id = community["worker"].id
    household.grid_id = community["tree"]["grid2"].id
    db.session.flush()

    services.follow_households((household.id,), TODAY)

    assert schedule.worker_id is None


def test_a_closed_household_has_its_schedules_ended_and_open_tasks_cancelled(community):
    services.generate_visits(TODAY)
    household = community["alone"]
    household.active = False
    db.session.flush()

    summary = services.follow_households((household.id,), TODAY)

    assert (summary.schedules_ended, summary.visits_cancelled) == (2, 2)
    assert open_tasks(household) == []
