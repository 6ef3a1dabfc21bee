"""Two processes (here: threads with their own connections) doing the same thing at once."""

import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.visits import services
from gridcare.visits.models import Outcome, Visit, VisitKind, VisitStatus
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
