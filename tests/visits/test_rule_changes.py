"""A new version of the care-level rules: the next plan follows it, past reports do not."""

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.registry import services as registry
from gridcare.registry.care_levels import DEFAULT_RULES, Cadence
from gridcare.registry.models import Household, Resident
from gridcare.reports.coverage import coverage, snapshot_month, snapshots_for
from gridcare.reports.periods import month
from gridcare.visits import services
from gridcare.visits.models import (
    CareSchedule,
    Outcome,
    Visit,
    VisitKind,
    VisitMethod,
    VisitStatus,
)
from tests.conftest import TEST_DAY
from tests.visits.conftest import open_tasks

TODAY = TEST_DAY
OCTOBER = month(date(2026, 10, 1))
pytestmark = pytest.mark.usefixtures("test_day")


def level_one_every(days: int, window: int, **fields):
    cadences = {level: dict(kinds) for level, kinds in DEFAULT_RULES.cadences.items()}
    cadences[1]["home_visit"] = Cadence(days, window)
    return replace(DEFAULT_RULES, cadences=cadences, **fields)


def registered_in_september() -> None:
    """Every home and resident of the test on the register before October began."""
    september = datetime(2026, 9, 1)
    db.session.execute(update(Household).values(created_at=september))
    db.session.execute(update(Resident).values(created_at=september))
    db.session.commit()


def done_in_october(household, worker) -> None:
    db.session.add(
        Visit(
            household_id=household.id,
            kind=VisitKind.home_visit,
            due_date=date(2026, 10, 10),
            window_end=date(2026, 10, 13),
            status=VisitStatus.done,
            method=VisitMethod.in_person,
            outcome=Outcome.well,
            completed_at=datetime(2026, 10, 10, 3, tzinfo=UTC).replace(tzinfo=None),
            completed_by_id=worker.id,
            worker_id=worker.id,
            extra=True,
        )
    )
    db.session.commit()


def test_level_one_every_five_days_the_next_plan_uses_five_and_last_months_report_stays(
    community, make
):
    admin = actor_for(make.user("admin"))
    worker = actor_for(community["worker"])
    alone = community["alone"]
    sixty_two = make.household(community["tree"]["grid1"], address="新华路5号")
    make.resident(sixty_two, birth_date=date(1964, 3, 1))  # level 3 at 60, none at 65
    services.generate_visits(TODAY)
    registered_in_september()
    done_in_october(alone, community["worker"])
    district = community["tree"]["district"]
    snapshot_month(OCTOBER)
    october_before = coverage(district, OCTOBER).total
    assert october_before.target == 5 and october_before.visited == 1

    saved = registry.save_care_rules(admin, level_one_every(5, 2, elderly_age=65), TODAY, TODAY)
    assert saved.rule_set is not None

    schedule = db.session.scalar(
        select(CareSchedule).where(
            CareSchedule.household_id == alone.id, CareSchedule.kind == VisitKind.home_visit
        )
    )
    assert (schedule.interval_days, schedule.window_days) == (5, 2)
    (task,) = open_tasks(alone, VisitKind.home_visit)
    services.log_visit(
        worker,
        alone,
        kind=VisitKind.home_visit,
        client_uuid=str(uuid.uuid4()),
        outcome=Outcome.well,
        visit_id=task.id,
    )
    (next_task,) = open_tasks(alone, VisitKind.home_visit)
    assert next_task.due_date == TODAY + timedelta(days=5)
    assert next_task.window_end == TODAY + timedelta(days=7)

    # October was counted with the rules of October: the 62-year-old is still a target.
    assert coverage(district, OCTOBER).total == october_before
    assert snapshots_for(district, [OCTOBER.key])[OCTOBER.key] == october_before
    # November, whose end is under the new rules, is not.
    assert coverage(district, month(TODAY)).total.target == 4


def test_an_adjusted_schedule_keeps_its_cadence_when_the_rules_change(community, make):
    admin = actor_for(make.user("admin"))
    officer = actor_for(community["officer"])
    services.generate_visits(TODAY)
    schedule = db.session.scalar(
        select(CareSchedule).where(
            CareSchedule.household_id == community["alone"].id,
            CareSchedule.kind == VisitKind.home_visit,
        )
    )
    services.adjust_schedule(
        officer, schedule, interval_days=10, window_days=3, worker_id=None, today=TODAY
    )
    registry.save_care_rules(admin, level_one_every(5, 2), TODAY, TODAY)
    db.session.expire_all()
    assert db.session.get(CareSchedule, schedule.id).interval_days == 10


def test_a_version_dated_later_is_planned_with_on_its_night(community, make):
    admin = actor_for(make.user("admin"))
    services.generate_visits(TODAY)
    start = TODAY + timedelta(days=3)
    registry.save_care_rules(admin, level_one_every(5, 2), start, TODAY)
    schedule_of = select(CareSchedule.interval_days).where(
        CareSchedule.household_id == community["alone"].id,
        CareSchedule.kind == VisitKind.home_visit,
    )
    assert db.session.scalar(schedule_of) == 7
    services.generate_visits(start)
    assert db.session.scalar(schedule_of) == 5
