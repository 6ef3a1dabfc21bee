"""What each household's visits did in a month (`VisitMonth`): stored through its last day
once it has closed and through yesterday while it runs, rewritten when a record lands late
on a stored day, and read by the coverage report with the same figures as counting the
visits themselves."""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.reports.coverage import reached
from gridcare.reports.coverage.reached import reached_per_grid
from gridcare.reports.periods import parse
from gridcare.visits import services
from gridcare.visits.models import (
    CHECKED,
    NOT_HOME,
    VISITED,
    Outcome,
    StoredMonth,
    Visit,
    VisitKind,
    VisitMethod,
    VisitMonth,
    VisitStatus,
)
from tests.conftest import TEST_DAY

pytestmark = pytest.mark.usefixtures("test_day")
SHANGHAI = ZoneInfo("Asia/Shanghai")
OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)


def at(day: date, hour: int = 10) -> datetime:
    """The stored (naive UTC) moment of `hour` o'clock, Shanghai time, on `day`."""
    local = datetime.combine(day, time(hour), tzinfo=SHANGHAI)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def add_visit(household, kind, status, due: date, window_days=3, done_on=None, method=None):
    done = status in (VisitStatus.done, VisitStatus.not_home)
    visit = Visit(
        household_id=household.id,
        kind=kind,
        status=status,
        due_date=due,
        window_end=due + timedelta(days=window_days),
        completed_at=at(done_on or due) if done else None,
        method=(method or VisitMethod.in_person) if done else None,
    )
    db.session.add(visit)
    return visit


def send_visit(actor, household, completed_at: datetime) -> Visit:
    """A home visit done in person at `completed_at`, as the phone's outbox sends it."""
    return services.log_visit(
        actor,
        household,
        kind=VisitKind.home_visit,
        client_uuid=str(uuid.uuid4()),
        outcome=Outcome.well,
        completed_at=completed_at,
    )


def row(household, month: date) -> VisitMonth | None:
    return db.session.get(VisitMonth, (month, household.id))


@pytest.fixture
def home(make):
    tree = make.tree()
    household = make.household(tree["grid1"], created_at=datetime(2025, 1, 1))
    make.resident(household, birth_date=date(1940, 1, 1), created_at=datetime(2025, 1, 1))
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    return household, actor_for(worker)


def test_each_month_is_stored_once_through_its_last_day_or_yesterday(home):
    household, _ = home
    add_visit(household, VisitKind.home_visit, VisitStatus.done, date(2026, 10, 5))
    add_visit(household, VisitKind.safety_check, VisitStatus.done, date(2026, 10, 8))
    add_visit(household, VisitKind.home_visit, VisitStatus.not_home, date(2026, 10, 12))
    add_visit(household, VisitKind.home_visit, VisitStatus.missed, date(2026, 10, 14))
    # Due in October, done late in November: late in October's windows, visited in November.
    add_visit(
        household, VisitKind.home_visit, VisitStatus.done, date(2026, 10, 20), 2, date(2026, 11, 2)
    )
    db.session.commit()

    stored = services.store_months(TEST_DAY)

    assert OCTOBER in stored and NOVEMBER in stored
    october = row(household, OCTOBER)
    assert october.outcomes == VISITED | CHECKED | NOT_HOME
    assert (october.on_time, october.late, october.missed) == (2, 1, 1)
    assert db.session.get(StoredMonth, OCTOBER).through == date(2026, 10, 31)
    # November is running (TEST_DAY is the 23rd): stored through yesterday.
    assert row(household, NOVEMBER).outcomes == VISITED
    assert db.session.get(StoredMonth, NOVEMBER).through == TEST_DAY - timedelta(days=1)
    assert services.store_months(TEST_DAY) == []  # once a day
    assert services.store_months(TEST_DAY + timedelta(days=1)) == [NOVEMBER]  # the next night


def test_a_visit_logged_after_midnight_into_a_closed_month_counts_in_it(home):
    household, actor = home
    first_of_december = datetime.combine(date(2026, 12, 1), time(0, 30), tzinfo=SHANGHAI)
    with time_machine.travel(first_of_december):
        services.store_months()  # as the night's store would have done
        assert row(household, NOVEMBER) is None  # nothing was done in November yet

        # The phone's outbox sends last night's visit half an hour into December.
        send_visit(actor, household, at(date(2026, 11, 30), 22))

        assert row(household, NOVEMBER).outcomes == VISITED
        november = parse("2026-11")
        (grids,) = reached_per_grid(Household.id == household.id, [november])
        assert grids[household.grid_id].visited == 1


def test_a_window_closed_on_the_last_day_is_counted_missed_in_its_month(home):
    household, _ = home
    lapsed = add_visit(household, VisitKind.home_visit, VisitStatus.planned, date(2026, 11, 27))
    db.session.commit()
    december = date(2026, 12, 1)
    with time_machine.travel(datetime.combine(december, time(2), tzinfo=SHANGHAI)):
        services.store_months()  # before the night's sweep of missed windows
        assert row(household, NOVEMBER) is None

        assert services.close_missed(december) == 1

        db.session.refresh(lapsed)
        assert lapsed.status == VisitStatus.missed
        assert row(household, NOVEMBER).missed == 1


def test_a_visit_sent_late_onto_a_stored_day_of_the_running_month_counts_in_it(home):
    household, actor = home
    services.store_months(TEST_DAY)  # the night stored November through yesterday
    assert row(household, NOVEMBER) is None

    # The phone's outbox sends last night's visit in the morning.
    send_visit(actor, household, at(TEST_DAY - timedelta(days=1), 21))

    assert row(household, NOVEMBER).outcomes == VISITED
    (grids,) = reached_per_grid(Household.id == household.id, [parse("2026-11")])
    assert grids[household.grid_id].visited == 1


def test_todays_visit_is_counted_from_the_visits_not_stored(home):
    household, actor = home
    services.store_months(TEST_DAY)
    send_visit(actor, household, at(TEST_DAY, 9))

    assert row(household, NOVEMBER) is None  # today is not stored
    (grids,) = reached_per_grid(Household.id == household.id, [parse("2026-11")])
    assert grids[household.grid_id].visited == 1


def test_a_window_missed_after_the_nights_store_counts_in_the_running_month(home):
    household, _ = home
    add_visit(household, VisitKind.home_visit, VisitStatus.planned, date(2026, 11, 18))
    db.session.commit()
    services.store_months(TEST_DAY)  # stored before the sweep of missed windows
    assert row(household, NOVEMBER) is None

    assert services.close_missed(TEST_DAY) == 1

    assert row(household, NOVEMBER).missed == 1
    november = parse("2026-11")
    (grids,) = reached_per_grid(
        Household.id == household.id, [november], in_full=(november,), today=TEST_DAY
    )
    assert grids[household.grid_id].missed == 1


def test_the_nightly_job_stores_the_running_month_through_yesterday(home, app):
    household, _ = home
    add_visit(household, VisitKind.home_visit, VisitStatus.done, date(2026, 11, 20))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "run", "store_visit_months"])
    assert result.exit_code == 0, result.output
    assert "household months=14" in result.output
    assert row(household, NOVEMBER).outcomes == VISITED

    again = app.test_cli_runner().invoke(args=["jobs", "run", "store_visit_months"])
    assert "household months=0" in again.output


def test_the_monthly_job_stores_the_closed_months_before_the_snapshots(home, app):
    household, _ = home
    add_visit(household, VisitKind.home_visit, VisitStatus.done, date(2026, 10, 5))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "run", "monthly_snapshot"])
    assert result.exit_code == 0, result.output
    assert "household months=14" in result.output  # 13 closed, and the running one
    assert row(household, OCTOBER).outcomes == VISITED
    assert db.session.get(StoredMonth, OCTOBER) is not None


# Random visits from August to November, on TEST_DAY (23 November): August to October are
# closed and stored, November is running and stored through yesterday. Each period is
# counted from the stored months and from the visits alone; the figures must be the same.
PERIODS = ["2026-10", "2026-11", "2026-Q3", "2026-Q4", "2026", "2026-09-15..2026-11-10"]
visits = st.lists(
    st.tuples(
        st.sampled_from(list(VisitKind)),
        st.sampled_from(
            [VisitStatus.done, VisitStatus.missed, VisitStatus.not_home, VisitStatus.planned]
        ),
        st.sampled_from(list(VisitMethod)),
        st.integers(min_value=0, max_value=110),  # days after 1 August
        st.integers(min_value=0, max_value=12),  # window length
        st.integers(min_value=0, max_value=15),  # days done after the due date
    ),
    max_size=6,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    homes=st.lists(st.tuples(st.sampled_from(["grid1", "grid2"]), visits), min_size=1, max_size=5)
)
def test_stored_months_give_the_figures_the_visits_give(make, homes):
    tree = make.tree()
    for grid, planned in homes:
        household = make.household(tree[grid], created_at=datetime(2025, 1, 1))
        make.resident(household, birth_date=date(1940, 1, 1), created_at=datetime(2025, 1, 1))
        for kind, status, method, offset, window, late in planned:
            due = date(2026, 8, 1) + timedelta(days=offset)
            done_on = min(due + timedelta(days=late), TEST_DAY)
            add_visit(household, kind, status, due, window, done_on, method)
    db.session.commit()
    periods = [parse(key) for key in PERIODS]

    def figures():
        counted = reached_per_grid(Household.id > 0, periods, in_full=tuple(periods))
        return [
            {grid: reached.counts() for grid, reached in by_grid.items()} for by_grid in counted
        ]

    from_visits = figures()
    services.store_months(TEST_DAY)
    assert db.session.scalar(select(StoredMonth.month).where(StoredMonth.month == NOVEMBER))
    assert figures() == from_visits
    db.session.execute(delete(VisitMonth))
    db.session.execute(delete(StoredMonth))
    db.session.commit()


def test_the_last_recount_reads_every_day_from_the_visits(home, monkeypatch):
    """A report that saw stores commit while it read, time after time, counts its last
    time from the visits alone: the same figures."""
    household, actor = home
    add_visit(household, VisitKind.home_visit, VisitStatus.done, date(2026, 11, 10))
    add_visit(household, VisitKind.home_visit, VisitStatus.missed, date(2026, 11, 12))
    db.session.commit()
    services.store_months(TEST_DAY)
    november = parse("2026-11")

    def counted():
        (grids,) = reached_per_grid(Household.id > 0, [november], in_full=(november,))
        return {grid: reached.counts() for grid, reached in grids.items()}

    from_rows = counted()
    monkeypatch.setattr(reached, "RECOUNTS", 0)  # straight to the last time

    assert counted() == from_rows
    assert from_rows[household.grid_id]["visited"] == 1
    assert from_rows[household.grid_id]["missed"] == 1
