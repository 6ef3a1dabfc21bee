"""The hazard page's next step: what fits the hazard's state and the reader's role."""

import pytest

from gridcare.accounts.services import actor_for
from gridcare.hazards import services
from gridcare.hazards.steps import next_steps
from tests.hazards.conftest import jpeg, raise_one

pytestmark = pytest.mark.usefixtures("test_day")


def keys(steps):
    return (
        steps.main.key if steps.main else None,
        [step.key for step in steps.others],
        steps.waiting_for is not None,
    )


def test_an_open_hazard_asks_the_worker_for_the_fix_and_tells_the_officer_to_wait(people):
    hazard = raise_one(people)
    worker, officer = actor_for(people["worker"]), actor_for(people["officer"])
    assert keys(next_steps(worker, hazard)) == ("report_fixed", ["start_fixing", "comment"], False)
    assert keys(next_steps(officer, hazard)) == (None, ["reassign", "comment"], True)


def test_a_reported_fix_is_the_officers_review_and_the_workers_wait(people):
    hazard = raise_one(people)
    services.move_hazard(actor_for(people["worker"]), hazard, "report_fixed", photo=jpeg())
    review = next_steps(actor_for(people["officer"]), hazard)
    assert review.main.key == "review" and review.main.actions == ("approve", "reject")
    assert keys(next_steps(actor_for(people["worker"]), hazard)) == (None, ["comment"], True)


def test_a_closed_hazard_offers_a_note_only(people):
    hazard = raise_one(people)
    services.move_hazard(actor_for(people["worker"]), hazard, "report_fixed", photo=jpeg())
    services.move_hazard(actor_for(people["officer"]), hazard, "approve")
    assert keys(next_steps(actor_for(people["officer"]), hazard)) == (None, ["comment"], False)
