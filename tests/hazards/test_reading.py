"""Reading hazards: a hazard's timeline, a household's hazards, a worker's list, the queue."""

from datetime import timedelta

import pytest

from gridcare.accounts.services import actor_for
from gridcare.hazards import services
from gridcare.hazards.models import Severity
from gridcare.visits.models import Visit
from gridcare.visits.services import checklist_items
from tests.conftest import TEST_DAY
from tests.hazards.conftest import jpeg, raise_one

TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")


def test_officer_queue_lists_reviews_late_and_major(people):
    late = raise_one(people)
    major = raise_one(people, severity=Severity.major)
    review = raise_one(people)
    services.move_hazard(actor_for(people["worker"]), review, "report_fixed", photo=jpeg())
    queue = services.officer_queue(actor_for(people["officer"]).scope, late.deadline + timedelta(1))
    assert [h.id for h in queue.awaiting_review] == [review.id]
    assert late.id in [h.id for h in queue.past_deadline]
    assert [h.id for h in queue.major_open] == [major.id]
    elsewhere = services.officer_queue(actor_for(people["other_officer"]).scope, TODAY)
    assert elsewhere.major_open == [] and elsewhere.awaiting_review == []


def test_the_queue_leaves_out_closed_hazards_and_minor_ones_still_in_time(people):
    in_time = raise_one(people)
    closed = raise_one(people, severity=Severity.major)
    services.move_hazard(actor_for(people["worker"]), closed, "report_fixed", photo=jpeg())
    services.move_hazard(actor_for(people["officer"]), closed, "approve")
    queue = services.officer_queue(actor_for(people["officer"]).scope, TODAY)
    listed = {h.id for h in queue.awaiting_review + queue.past_deadline + queue.major_open}
    assert in_time.id not in listed and closed.id not in listed


def test_a_households_hazards_list_open_ones_by_deadline_then_closed_ones(people):
    later = raise_one(people, deadline=TODAY + timedelta(days=20))
    sooner = raise_one(people, deadline=TODAY + timedelta(days=2))
    fixed = raise_one(people, fixed_on_spot=True, before_photo=jpeg(), after_photo=jpeg())
    scope = actor_for(people["officer"]).scope
    listed = services.household_hazards(people["household"].id, scope)
    assert [h.id for h in listed] == [sooner.id, later.id, fixed.id]


def test_a_households_hazards_are_empty_outside_the_callers_areas(people):
    raise_one(people)
    scope = actor_for(people["other_officer"]).scope
    assert services.household_hazards(people["household"].id, scope) == []


def test_a_workers_list_holds_their_open_hazards_soonest_deadline_first(people):
    later = raise_one(people, deadline=TODAY + timedelta(days=20))
    sooner = raise_one(people, deadline=TODAY + timedelta(days=2))
    raise_one(people, fixed_on_spot=True, before_photo=jpeg(), after_photo=jpeg())
    worker = people["worker"]
    listed = services.my_hazards(worker.id, actor_for(worker).scope)
    assert [h.id for h in listed] == [sooner.id, later.id]


def test_a_hazard_outside_the_callers_areas_has_no_detail(people):
    hazard = raise_one(people)
    assert services.hazard_detail(hazard.id, actor_for(people["other_officer"]).scope) is None
    detail = services.hazard_detail(hazard.id, actor_for(people["officer"]).scope)
    assert [f.action for f in detail.follow_ups] == ["raised"]
    assert detail.household.address == "新华路1号"


def test_a_failed_check_item_prefills_the_hazard_form_and_a_passed_one_does_not():
    item = checklist_items()[0]
    failed = Visit(checklist={item.code: "fail"})
    passed = Visit(checklist={item.code: "pass"})
    assert services.prefill_from_check(failed, item.code)["category"] == item.hazard_category
    assert services.prefill_from_check(passed, item.code) == {}
    assert services.prefill_from_check(failed, "no_such_item") == {}
