"""The morning digest: each worker with work hears once what is due, overdue and late."""

from datetime import timedelta

import pytest

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.hazards import services
from tests.conftest import TEST_DAY
from tests.hazards.conftest import jpeg, notifications, raise_one

TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")


def test_worker_digest_is_sent_once_a_day(people):
    from gridcare.visits.services import generate_visits

    generate_visits(TODAY - timedelta(days=10))
    assert services.worker_digest(TODAY) == 1
    assert services.worker_digest(TODAY) == 0
    (digest,) = notifications(people["worker"])
    assert digest.kind == "worker_digest"
    assert digest.params["overdue"] >= 1


def test_a_worker_with_nothing_due_gets_no_digest(people):
    assert services.worker_digest(TODAY) == 0
    assert notifications(people["worker"]) == []


def test_the_digest_counts_hazards_past_their_deadline(people):
    hazard = raise_one(people)
    day = hazard.deadline + timedelta(days=1)
    assert services.worker_digest(day) == 1
    (digest,) = notifications(people["worker"])
    assert digest.params["hazards"] == 1


def test_a_closed_hazard_does_not_count_as_late(people):
    hazard = raise_one(people)
    services.move_hazard(actor_for(people["worker"]), hazard, "report_fixed", photo=jpeg())
    services.move_hazard(actor_for(people["officer"]), hazard, "approve")
    assert services.worker_digest(hazard.deadline + timedelta(days=1)) == 0


def test_an_inactive_worker_gets_no_digest(people):
    raise_one(people)
    people["worker"].active = False
    db.session.commit()
    assert services.worker_digest(TODAY + timedelta(days=30)) == 0
