"""Two processes (here: threads with their own connections) doing the same thing at once."""

import threading
import time
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.visits import services
from gridcare.visits.models import (
    PHONE,
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


def side_by_side(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def phone_call(actor, household_id: int, completed_at: datetime):
    """A phone call to the household at `completed_at`, sent by the worker's outbox."""
    return services.log_visit(
        actor,
        db.session.get(Household, household_id),
        kind=VisitKind.home_visit,
        client_uuid=str(uuid.uuid4()),
        outcome=Outcome.well,
        method=VisitMethod.phone,
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
    """On the 1st, `close_missed` marks November's last window missed while a phone's
    outbox sends a November visit of the same household, both on days November was
    stored through the night before: both land in November's row.
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

    def in_turn(household_ids, days):
        if threading.current_thread().name == "night":
            marked.set()  # the window is marked missed, not yet committed
            time.sleep(0.6)  # meanwhile the phone's visit comes in and is counted
            rewrite(household_ids, days)
        else:
            rewrite(household_ids, days)
            time.sleep(1.0)  # and its transaction commits after the night has counted

    monkeypatch.setattr(months, "rewrite", in_turn)

    def night():
        with app.app_context():
            services.close_missed(date(2026, 12, 1))

    def phone():
        marked.wait(10)
        with app.app_context():
            phone_call(actor, household_id, datetime(2026, 11, 29, 14))  # 22:00 in Shanghai

    db.session.commit()
    first_of_december = datetime(2026, 12, 1, 0, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(first_of_december, tick=True):
        side_by_side(threading.Thread(target=night, name="night"), threading.Thread(target=phone))

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
    stored_through = months.stored_through

    def in_turn(*args, **kwargs):
        found = stored_through(*args, **kwargs)
        if threading.current_thread().name == "phone":
            checked.set()  # yesterday is not stored: nothing to count again
            time.sleep(1.0)  # meanwhile the night stores yesterday; then the visit commits
        return found

    monkeypatch.setattr(months, "stored_through", in_turn)

    def night():
        checked.wait(10)
        with app.app_context():
            months.store_months(TODAY)

    def phone():
        with app.app_context():
            # 20:00 in Shanghai, yesterday evening
            phone_call(actor, household_id, datetime(2026, 11, 22, 12))

    one_in_the_morning = datetime(2026, 11, 23, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(one_in_the_morning, tick=True):
        side_by_side(threading.Thread(target=night), threading.Thread(target=phone, name="phone"))

    db.session.expire_all()
    november = db.session.get(VisitMonth, (date(2026, 11, 1), household_id))
    assert november is not None and november.outcomes == PHONE
