"""Planning a city a batch of households at a time: tested with batches of two, so that
a handful of households crosses several batch boundaries."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gridcare.extensions import db
from gridcare.registry import batches
from gridcare.registry.batches import household_batches
from gridcare.registry.models import Household
from gridcare.registry.services import refresh_care_levels
from gridcare.visits import services
from gridcare.visits.models import CareSchedule, Visit, VisitStatus
from gridcare.visits.plans import care_plan
from tests.conftest import TEST_DAY

TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(batches, "BATCH_SIZE", 2)


@pytest.fixture
def street(make):
    """Seven households in two grids, each grid with its worker; one with nobody to visit."""
    tree = make.tree()
    workers = {grid: make.user("grid_worker", areas=[tree[grid]]).id for grid in ("grid1", "grid3")}
    homes = []
    for n in range(7):
        grid = "grid1" if n % 2 else "grid3"
        household = make.household(tree[grid])
        if n != 3:
            make.resident(household, birth_date=date(1940 + n, 1, 1), lives_alone=n % 3 == 0)
        homes.append(household)
    return {"tree": tree, "workers": workers, "homes": homes}


def _planned(household_id: int) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit).where(
                Visit.household_id == household_id, Visit.status == VisitStatus.planned
            )
        )
    )


def test_batches_cover_every_household_once_whatever_the_gaps_in_ids(street, small_batches):
    ids = [h.id for h in street["homes"]]
    db.session.delete(street["homes"][3])  # a gap in the ids (the home without residents)
    db.session.flush()
    del ids[3]
    seen = []
    for batch in household_batches():
        seen += db.session.scalars(select(Household.id).where(batch.where(Household.id))).all()
    assert sorted(seen) == sorted(ids)
    assert len(list(household_batches())) == 3  # 6 households, 2 at a time
    given = [b.ids for b in household_batches([ids[4], ids[0], ids[2], ids[0]])]
    assert given == [tuple(sorted({ids[0], ids[2]})), (ids[4],)]


def test_a_city_planned_in_small_batches_gets_one_task_per_schedule_once(street, small_batches):
    summary = services.generate_visits(TODAY)

    targets = [h for h in street["homes"] if h.care_level is not None]
    assert len(targets) == 6
    assert summary.schedules_created == summary.visits_created == 12
    for household in targets:
        tasks = _planned(household.id)
        assert sorted(t.kind for t in tasks) == ["home_visit", "safety_check"]
        grid = "grid1" if household.grid_id == street["tree"]["grid1"].id else "grid3"
        assert {t.worker_id for t in tasks} == {street["workers"][grid]}
    assert _planned(street["homes"][3].id) == []

    again = services.generate_visits(TODAY)
    assert (again.schedules_created, again.visits_created, again.schedules_updated) == (0, 0, 0)
    assert db.session.scalar(select(func.count(Visit.id))) == 12


def test_level_changes_across_batches_recadence_end_and_pull_forward(street, small_batches):
    services.generate_visits(TODAY)
    homes = street["homes"]
    raised, closed = homes[1], homes[6]
    task = next(t for t in _planned(raised.id) if t.kind == "home_visit")
    task.due_date = task.window_end = TODAY + timedelta(days=40)
    raised.care_level_override, raised.care_level_override_reason = 1, "摔倒过"
    raised.care_level = 1
    closed.active = False
    db.session.commit()

    summary = services.generate_visits(TODAY + timedelta(days=1))

    assert summary.schedules_ended == summary.visits_cancelled == 2
    assert summary.visits_rescheduled >= 1
    assert _planned(closed.id) == []
    cadence = care_plan(TODAY)[1]["home_visit"]
    schedule = db.session.scalar(
        select(CareSchedule).where(
            CareSchedule.household_id == raised.id, CareSchedule.kind == "home_visit"
        )
    )
    assert schedule.interval_days == cadence.interval_days
    (task,) = [t for t in _planned(raised.id) if t.kind == "home_visit"]
    assert task.due_date == TODAY + timedelta(days=1 + cadence.interval_days)

    # Reopened: its schedules come back, with a task each, in whatever batch it falls.
    closed.active = True
    db.session.commit()
    again = services.generate_visits(TODAY + timedelta(days=2))
    assert again.schedules_updated == 2 and len(_planned(closed.id)) == 2


def test_care_levels_refresh_in_small_batches_and_the_plan_follows(street, make):
    services.generate_visits(TODAY)
    # Households in three batches (of two) get a resident living alone who turns 80 on
    # one of the coming days.
    turning = [street["homes"][n] for n in (1, 2, 5)]
    for n, household in enumerate(turning):
        make.resident(household, birth_date=date(1946, 11, 24 + n), lives_alone=True)
        assert household.care_level == 2

    assert refresh_care_levels(date(2026, 11, 23), batch_size=2) == 0
    assert refresh_care_levels(date(2026, 11, 26), batch_size=2) == 3
    assert refresh_care_levels(date(2026, 11, 26), batch_size=2) == 0
    for household in turning:
        assert household.care_level == 1
        kinds = {s.kind: s.interval_days for s in services.schedules_for(household.id)}
        assert kinds["home_visit"] == care_plan(TODAY)[1]["home_visit"].interval_days


def test_following_many_households_at_once_works_batch_by_batch(street, small_batches):
    services.generate_visits(TODAY)
    homes = street["homes"]
    grid2 = street["tree"]["grid2"]  # a grid with no worker
    for household in homes:
        household.grid_id = grid2.id
    db.session.flush()

    services.follow_households(tuple(h.id for h in homes), TODAY)
    db.session.commit()

    tasks = db.session.scalars(select(Visit).where(Visit.status == VisitStatus.planned)).all()
    assert len(tasks) == 12 and {t.worker_id for t in tasks} == {None}
