from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gridcare.areas.models import Area
from gridcare.clock import today, utc_to_local_date, utcnow
from gridcare.demo import SCALES, city, load_demo, scale_for
from gridcare.extensions import db
from gridcare.hazards.models import FollowUp, Hazard, HazardStatus
from gridcare.registry.models import Household, Resident
from gridcare.renovation.models import RenovationCase
from gridcare.reports.coverage import coverage, coverage_page
from gridcare.reports.periods import month
from gridcare.visits import services
from gridcare.visits.models import CareSchedule, Visit, VisitStatus


@pytest.fixture
def year(runner):
    result = runner.invoke(args=["demo", "load", "--scale", "small"])
    assert result.exit_code == 0, result.output
    assert "History of 365 days" in result.output
    return result


def _district() -> Area:
    return db.session.scalar(select(Area).where(Area.parent_id.is_(None)))


def test_a_newcomer_sees_a_twelve_month_trend_and_a_previous_period_with_figures(year):
    page = coverage_page(_district(), month(today()))
    assert len(page.trend) == 12
    # Every month before this one had visits, and most of the target households had one.
    for period, figures in page.trend[:-1]:
        assert figures.target > 500, period.key
        assert figures.visited > figures.target / 2, period.key
        assert figures.checked > 0, period.key
    assert page.previous.visited > page.previous.target / 2
    # The closed months read as reported, as the monthly job would have stored them.
    assert page.previous_as_reported
    assert "Reports stored for 17 closed months, quarters and years" in year.output
    # The trend counts reach only (its chart shows coverage); each month's own report
    # has its timeliness and hazards.
    months = [coverage(_district(), period).total for period, _ in page.trend[:-1]]
    assert all(f.on_time > f.missed > 0 for f in months)
    assert sum(f.hazards_found for f in months) > 10


def test_the_history_follows_the_scheduling_rule(year):
    on = today()
    schedules = db.session.scalars(select(CareSchedule).where(CareSchedule.active)).all()
    planned = Counter(
        db.session.scalars(select(Visit.schedule_id).where(Visit.status == VisitStatus.planned))
    )
    assert schedules and all(planned[s.id] == 1 for s in schedules)
    assert set(planned) == {s.id for s in schedules}

    # The next task falls due one interval after the last was done (or after a missed one
    # was due, never before the night it was planned).
    chains = defaultdict(list)
    for visit in db.session.scalars(
        select(Visit).where(Visit.schedule_id.is_not(None)).order_by(Visit.due_date)
    ):
        chains[visit.schedule_id].append(visit)
    interval = {s.id: timedelta(days=s.interval_days) for s in schedules}
    # The demo's renovation follow-up rounds bring those homes' open visits forward, as an
    # officer's round does: their chains are not the plain rhythm.
    renovated = set(db.session.scalars(select(RenovationCase.household_id)))
    household_of = {s.id: s.household_id for s in schedules}
    for schedule_id, chain in chains.items():
        if household_of.get(schedule_id) in renovated:
            continue
        for before, after in zip(chain, chain[1:], strict=False):
            if before.status == VisitStatus.done:
                assert (
                    after.due_date == utc_to_local_date(before.completed_at) + interval[schedule_id]
                )
            else:
                assert before.status == VisitStatus.missed
                assert after.due_date == max(
                    before.due_date + interval[schedule_id], before.window_end + timedelta(days=1)
                )
        assert chain[-1].status == VisitStatus.planned
    assert db.session.scalar(select(func.max(Visit.completed_at))) <= utcnow()

    # The nightly jobs find the city up to date.
    assert services.close_missed(on) == 0
    summary = services.generate_visits(on)
    assert summary.visits_created == summary.schedules_created == 0


def test_hazards_of_the_history_stand_at_every_stage_with_their_history(year):
    hazards = db.session.scalars(select(Hazard)).all()
    statuses = Counter(h.status for h in hazards)
    assert statuses[HazardStatus.closed] > statuses[HazardStatus.open] > 0
    assert all((h.closed_at is not None) == (h.status == HazardStatus.closed) for h in hazards)
    assert any(h.days_past_deadline(today()) > 0 for h in hazards)
    steps = defaultdict(list)
    for follow_up in db.session.scalars(select(FollowUp).order_by(FollowUp.id)):
        steps[follow_up.hazard_id].append(follow_up)
    for hazard in hazards:
        assert steps[hazard.id][0].action == "raised"
        assert steps[hazard.id][-1].to_status == hazard.status
        assert hazard.visit_id is not None and hazard.checklist_code


def test_a_city_written_a_few_grids_at_a_time_is_the_same_city(monkeypatch):
    whole = load_demo("small", history_days=30)
    counts = [
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Household, Resident, CareSchedule, Visit, Hazard)
    ]
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in ("alembic_version", "checklist_item"):
            db.session.execute(table.delete())
    monkeypatch.setattr(city, "GRIDS_PER_BATCH", 5)  # 12 grids: batches of 5, 5 and 2
    grids_written = []
    batched = load_demo(
        "small", history_days=30, progress=lambda grids, of: grids_written.append((grids, of))
    )
    assert grids_written == [(5, 12), (5, 12), (2, 12)]
    assert batched.households == whole.households == 600
    assert batched.history == whole.history
    assert [
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Household, Resident, CareSchedule, Visit, Hazard)
    ] == counts
    # Ids handed out in bulk never collide with those the database gives next.
    highest = db.session.scalar(select(func.max(Visit.id)))
    household = db.session.scalar(select(Household).limit(1))
    visit = Visit(
        household_id=household.id,
        kind="home_visit",
        due_date=today(),
        window_end=today(),
        status=VisitStatus.cancelled,
    )
    db.session.add(visit)
    db.session.flush()
    assert visit.id > highest


def test_a_city_is_120000_households_on_postgresql_and_a_district_on_sqlite():
    assert scale_for("city", "postgresql") == SCALES["city"]
    assert SCALES["city"].households == 120_000 and SCALES["city"].grids == 480
    assert scale_for("city", "sqlite") == SCALES["district"]
    assert SCALES["district"].households == 6_000
    assert scale_for("small", "postgresql") == scale_for("small", "sqlite") == SCALES["small"]
