"""Two processes (here: threads with their own connections) doing the same thing at once."""

import threading
import time
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.registry.services.households import update_household
from gridcare.reports.coverage import household_visits
from gridcare.reports.coverage.reached import reached_per_grid
from gridcare.reports.periods import parse
from gridcare.visits import services
from gridcare.visits.models import (
    PHONE,
    VISITED,
    Outcome,
    Visit,
    VisitKind,
    VisitMethod,
    VisitMonth,
    VisitStatus,
)
from gridcare.visits.services import months
from tests.factories import loaded

pytestmark = [pytest.mark.committed, pytest.mark.usefixtures("test_day")]
TODAY = date(2026, 11, 23)


def run_twice_at_once(app, work):
    # End this thread's transaction: on SQLite an open one holds the write lock.
    db.session.commit()
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(work())
            except Exception as exc:  # collected, asserted by the caller
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def side_by_side(app, *work) -> list[Exception]:
    """Run each function in its own thread (named after it) and app context, all at once;
    returns what they raised."""
    errors = []

    def run(function):
        with app.app_context():
            try:
                function()
            except Exception as exc:  # collected, asserted by the caller
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(w,), name=w.__name__) for w in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def sent_from_phone(actor, household_id: int, completed_at: datetime, method=VisitMethod.phone):
    """A home visit done at `completed_at` (a call unless said), sent by the worker's
    outbox; done in person, it completes the household's open task."""
    return services.log_visit(
        actor,
        db.session.get(Household, household_id),
        kind=VisitKind.home_visit,
        client_uuid=str(uuid.uuid4()),
        outcome=Outcome.well,
        method=method,
        completed_at=completed_at,
    )


@pytest.fixture
def household(make):
    tree = make.tree()
    make.user("grid_worker", areas=[tree["grid1"]])
    household = make.household(tree["grid1"])
    make.resident(household, birth_date=date(1940, 1, 1), lives_alone=True)
    return household


def test_two_generation_runs_at_once_create_one_plan(app, household):
    results, errors = run_twice_at_once(app, lambda: services.generate_visits(TODAY).visits_created)
    assert errors == []
    planned = db.session.scalar(
        select(func.count(Visit.id)).where(Visit.status == VisitStatus.planned)
    )
    assert planned == 2
    assert sorted(results)[-1] <= 2


def test_the_same_form_sent_twice_at_once_stores_one_visit(app, household, make):
    worker = make.user("grid_worker", areas=[loaded(household, "grid").grid])
    actor = actor_for(worker)
    services.generate_visits(TODAY)
    token = str(uuid.uuid4())
    household_id = household.id

    def submit():
        target = db.session.get(Household, household_id)
        return services.log_visit(
            actor, target, kind=VisitKind.home_visit, client_uuid=token, outcome=Outcome.well
        ).id

    results, errors = run_twice_at_once(app, submit)
    assert errors == []
    assert len(set(results)) == 1
    stored = db.session.scalar(select(func.count(Visit.id)).where(Visit.client_uuid == token))
    assert stored == 1


def test_a_late_visit_and_the_nights_missed_windows_both_count_in_their_closed_month(
    app, household, make, monkeypatch
):
    """`close_missed` runs late (on the 1st, after a night it failed): it marks missed a
    window that closed on the 28th, a day November was already stored through, while a
    phone's outbox sends a visit of the 29th of the same household: both land in
    November's row.
    Without the households' lock, the visit's transaction counted first (without the
    uncommitted missed window) and the night's count, made without the uncommitted
    visit, replaced it."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    worker = make.user("grid_worker", areas=[loaded(household, "grid").grid])
    actor = actor_for(worker)
    db.session.add(
        Visit(
            household_id=household.id,
            kind=VisitKind.home_visit,
            due_date=date(2026, 11, 25),
            window_end=date(2026, 11, 28),
        )
    )
    db.session.commit()
    months.store_month(date(2026, 11, 1), date(2026, 11, 29), today=date(2026, 11, 30))
    household_id = household.id
    marked = threading.Event()
    rewrite = months.rewrite

    def in_turn(household_ids, days, stored=None):
        if threading.current_thread().name == "night":
            marked.set()  # the window is marked missed, not yet committed
            time.sleep(0.6)  # meanwhile the phone's visit comes in and is counted
            rewrite(household_ids, days, stored)
        else:
            rewrite(household_ids, days, stored)
            time.sleep(1.0)  # and its transaction commits after the night has counted

    monkeypatch.setattr(months, "rewrite", in_turn)

    def night():
        services.close_missed(date(2026, 12, 1))

    def phone():
        marked.wait(10)
        sent_from_phone(actor, household_id, datetime(2026, 11, 29, 14))  # 22:00 in Shanghai

    db.session.commit()
    first_of_december = datetime(2026, 12, 1, 0, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(first_of_december, tick=True):
        assert side_by_side(app, night, phone) == []

    db.session.expire_all()
    november = db.session.get(VisitMonth, (date(2026, 11, 1), household_id))
    assert (november.outcomes, november.missed) == (PHONE, 1)


def test_a_visit_sent_while_the_night_stores_its_day_is_counted(app, household, make, monkeypatch):
    """At 01:00 the night stores the running month through yesterday while a phone's
    outbox sends a visit done yesterday evening. The phone's transaction finds yesterday
    not stored yet, so counts nothing again; the store must then count the visit. Without
    taking turns, the store counted before the visit had committed, and the visit was
    counted by neither."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    worker = make.user("grid_worker", areas=[loaded(household, "grid").grid])
    actor = actor_for(worker)
    db.session.commit()
    household_id = household.id
    checked = threading.Event()
    rewrite = months.rewrite

    def in_turn(household_ids, days, stored=None):
        rewrite(household_ids, days, stored)
        if threading.current_thread().name == "phone":
            checked.set()  # yesterday is not stored: nothing was counted again
            time.sleep(1.0)  # meanwhile the night stores yesterday; then the visit commits

    monkeypatch.setattr(months, "rewrite", in_turn)

    def night():
        checked.wait(10)
        months.store_months(TODAY)

    def phone():
        sent_from_phone(actor, household_id, datetime(2026, 11, 22, 12))  # 20:00 yesterday

    one_in_the_morning = datetime(2026, 11, 23, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(one_in_the_morning, tick=True):
        assert side_by_side(app, night, phone) == []

    db.session.expire_all()
    november = db.session.get(VisitMonth, (date(2026, 11, 1), household_id))
    assert november is not None and november.outcomes == PHONE


def test_a_report_read_while_the_night_stores_counts_each_day_once(app, household, monkeypatch):
    """A report reads which days are stored (November through the 21st), then the night
    stores the 22nd, then the report's statement reads November's rows, now through the
    22nd, and the 22nd's visits: without counting again, a window that closed on the
    22nd counted twice."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite reads one snapshot per transaction")
    db.session.add(
        Visit(
            household_id=household.id,
            kind=VisitKind.home_visit,
            status=VisitStatus.done,
            method=VisitMethod.in_person,
            due_date=date(2026, 11, 20),
            window_end=date(2026, 11, 22),
            completed_at=datetime(2026, 11, 22, 2),  # 10:00 in Shanghai
        )
    )
    db.session.commit()
    months.store_month(date(2026, 11, 1), date(2026, 11, 21), today=date(2026, 11, 22))
    grid_id, november = household.grid_id, parse("2026-11")
    read, stored = threading.Event(), threading.Event()
    stored_months = household_visits._stored_months
    seen = []

    def in_turn(stretches, today):
        found = stored_months(stretches, today)
        if threading.current_thread().name == "report" and not read.is_set():
            read.set()
            stored.wait(10)  # the night stores the 22nd meanwhile
        return found

    monkeypatch.setattr(household_visits, "_stored_months", in_turn)

    def report():
        (grids,) = reached_per_grid(Household.id > 0, [november], in_full=(november,))
        seen.append(grids[grid_id].on_time)

    def night():
        read.wait(10)
        months.store_months(TODAY)
        stored.set()

    assert side_by_side(app, report, night) == []
    assert seen == [1]


@pytest.fixture
def home(make):
    """A household on the register since last year, its grid's worker and the district's
    officer."""
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    officer = make.user("officer", areas=[tree["district"]])
    household = make.household(tree["grid1"], created_at=datetime(2025, 1, 1))
    make.resident(household, birth_date=date(1940, 1, 1), created_at=datetime(2025, 1, 1))
    return tree, household, worker, officer


def planned_task(household, worker, window_end: date) -> None:
    db.session.add(
        Visit(
            household_id=household.id,
            kind=VisitKind.home_visit,
            status=VisitStatus.planned,
            due_date=window_end - timedelta(days=3),
            window_end=window_end,
            worker_id=worker.id,
            created_at=datetime(2026, 1, 1),
        )
    )
    db.session.commit()


def move_household(officer, household_id: int, grid_id: int) -> None:
    """The officer moves the household to another grid: its open tasks are handed back."""
    moved = loaded(db.session.get(Household, household_id), "grid")
    update_household(officer, moved, grid_id=grid_id, address=moved.address)


def pause_at_stored_days(monkeypatch, paused: threading.Event) -> None:
    """The phone's transaction stops for a second where it looks up the stored days:
    without `months.hold`, after it has completed its task."""
    stored_through = months.stored_through

    def in_turn(*args, **kwargs):
        if threading.current_thread().name == "phone":
            paused.set()
            time.sleep(1.0)
        return stored_through(*args, **kwargs)

    monkeypatch.setattr(months, "stored_through", in_turn)


def test_a_phone_sending_yesterdays_visit_while_an_officer_moves_the_household(
    app, home, monkeypatch
):
    """The phone completes the household's task with yesterday's visit, a stored day;
    the officer moves the household to another grid, which hands its open task back.
    Completing the task first and locking the household after, the phone deadlocked with
    the officer, who locks the household, then its task."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    tree, household, worker, officer = home
    planned_task(household, worker, TODAY + timedelta(days=3))
    months.store_months(TODAY)  # November through the 22nd
    household_id, grid3, actor = household.id, tree["grid3"].id, actor_for(worker)
    officer_actor = actor_for(officer)
    paused = threading.Event()
    pause_at_stored_days(monkeypatch, paused)

    def phone():  # in person, yesterday at 20:00: it completes the task
        sent_from_phone(actor, household_id, datetime(2026, 11, 22, 12), VisitMethod.in_person)

    def officer_moves():
        paused.wait(10)
        move_household(officer_actor, household_id, grid3)

    assert side_by_side(app, phone, officer_moves) == []
    db.session.expire_all()
    assert db.session.get(VisitMonth, (date(2026, 11, 1), household_id)).outcomes == VISITED


def test_a_phone_completing_a_lapsed_task_while_close_missed_runs(app, home, monkeypatch):
    """A task whose window closed on a stored day, not marked missed yet (the store ran
    before a late `close_missed`). The phone completes it while the night marks it
    missed: both take the household first, then its task, and neither deadlocks."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    _, household, worker, _ = home
    planned_task(household, worker, TODAY - timedelta(days=2))
    months.store_months(TODAY)
    household_id, actor = household.id, actor_for(worker)
    paused = threading.Event()
    pause_at_stored_days(monkeypatch, paused)

    def phone():  # in person, now: it completes the lapsed task
        services.log_visit(
            actor,
            db.session.get(Household, household_id),
            kind=VisitKind.home_visit,
            client_uuid=str(uuid.uuid4()),
            outcome=Outcome.well,
        )

    def night():
        paused.wait(10)
        services.close_missed(TODAY)

    assert side_by_side(app, phone, night) == []


def test_close_missed_while_an_officer_moves_a_household_whose_window_closed_yesterday(
    app, make, monkeypatch
):
    """An ordinary night: `close_missed` (00:20) runs before the store (01:00). It marks
    missed a window of the 20th, a stored day, and one of yesterday, not stored yet, of
    another household that an officer is moving meanwhile. Counting that household
    again, locked only after its visit, deadlocked with the officer; only the households
    of stored days are counted again, locked before their visits."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    officer = make.user("officer", areas=[tree["district"]])
    stored_day = make.household(tree["grid1"], created_at=datetime(2025, 1, 1))
    moving = make.household(tree["grid1"], created_at=datetime(2025, 1, 1))
    planned_task(stored_day, worker, TODAY - timedelta(days=3))  # the 20th: stored
    planned_task(moving, worker, TODAY - timedelta(days=1))  # the 22nd: not stored yet
    months.store_month(date(2026, 11, 1), date(2026, 11, 21), today=date(2026, 11, 22))
    stored_id, moving_id, grid3 = stored_day.id, moving.id, tree["grid3"].id
    officer_actor = actor_for(officer)
    paused = threading.Event()
    rewrite = months.rewrite

    def in_turn(household_ids, days, stored=None):
        if threading.current_thread().name == "night":
            paused.set()  # the windows are marked missed, not yet committed
            time.sleep(1.0)
        return rewrite(household_ids, days, stored)

    monkeypatch.setattr(months, "rewrite", in_turn)

    def night():
        services.close_missed(TODAY)

    def officer_moves():
        paused.wait(10)
        move_household(officer_actor, moving_id, grid3)

    assert side_by_side(app, night, officer_moves) == []
    db.session.expire_all()
    assert db.session.get(VisitMonth, (date(2026, 11, 1), stored_id)).missed == 1
