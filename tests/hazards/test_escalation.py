"""Escalation: officers hear about a hazard past its deadline, once per step."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.hazards import services
from gridcare.hazards.models import FollowUp, HazardCategory, HazardStatus, Severity
from tests.conftest import TEST_DAY
from tests.hazards.conftest import jpeg, notifications, raise_one

TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")


def test_escalation_notifies_once_per_step_however_often_the_job_runs(people):
    hazard = raise_one(people)  # deadline TODAY + 15
    officer = people["officer"]
    deadline = hazard.deadline
    assert services.escalate_hazards(deadline) == 0  # due today: not late yet
    for _ in range(3):
        services.escalate_hazards(deadline + timedelta(days=1))
    assert len(notifications(officer)) == 1
    for _ in range(3):
        services.escalate_hazards(deadline + timedelta(days=6))
    assert len(notifications(officer)) == 1
    services.escalate_hazards(deadline + timedelta(days=8))
    services.escalate_hazards(deadline + timedelta(days=8))
    assert len(notifications(officer)) == 2
    assert [n.params["days"] for n in notifications(officer)] == [1, 8]
    escalations = db.session.scalar(
        select(func.count()).where(FollowUp.hazard_id == hazard.id, FollowUp.action == "escalated")
    )
    assert escalations == 2


def test_closed_hazards_are_not_escalated(people):
    hazard = raise_one(people)
    services.move_hazard(actor_for(people["worker"]), hazard, "report_fixed", photo=jpeg())
    services.move_hazard(actor_for(people["officer"]), hazard, "approve")
    assert services.escalate_hazards(hazard.deadline + timedelta(days=30)) == 0


def test_only_the_officers_over_the_hazards_grid_hear_of_it(people):
    hazard = raise_one(people)
    services.escalate_hazards(hazard.deadline + timedelta(days=1))
    assert [n.kind for n in notifications(people["officer"])] == ["hazard_overdue"]
    assert notifications(people["other_officer"]) == []
    assert notifications(people["worker"]) == []


def test_an_inactive_officer_is_not_told(people, make):
    people["officer"].active = False
    db.session.commit()
    hazard = raise_one(people)
    assert services.escalate_hazards(hazard.deadline + timedelta(days=1)) == 1
    assert notifications(people["officer"]) == []


def test_the_escalation_step_follows_the_configured_interval(people, app, monkeypatch):
    monkeypatch.setitem(app.config, "GRIDCARE_ESCALATION_EVERY_DAYS", 2)
    hazard = raise_one(people)
    for days in (1, 2, 3, 4, 5):
        services.escalate_hazards(hazard.deadline + timedelta(days=days))
    steps = [n.params["step"] for n in notifications(people["officer"])]
    assert steps == [1, 2, 3]


def test_an_escalation_keeps_the_hazards_status_and_shows_in_its_history(people):
    hazard = raise_one(people)
    services.move_hazard(actor_for(people["worker"]), hazard, "start_fixing")
    services.escalate_hazards(hazard.deadline + timedelta(days=1))
    assert hazard.status == HazardStatus.rectifying
    (entry,) = db.session.scalars(
        select(FollowUp).where(FollowUp.hazard_id == hazard.id, FollowUp.action == "escalated")
    )
    assert entry.user_id is None  # the system, not a person
    assert entry.from_status == entry.to_status == HazardStatus.rectifying


def test_escalating_in_small_batches_tells_each_hazards_own_officers_once(people, make):
    worker_elsewhere = make.user("grid_worker", areas=[people["tree"]["grid3"]])
    here = [raise_one(people, description=f"隐患{n}") for n in range(3)]
    there = [
        services.raise_hazard(
            actor_for(worker_elsewhere),
            people["elsewhere"],
            category=HazardCategory.fire,
            severity=Severity.minor,
            description=f"电线老化{n}",
            today=TODAY,
        )
        for n in range(2)
    ]
    late = here[0].deadline + timedelta(days=1)

    assert services.escalate_hazards(late, batch_size=2) == 5
    assert services.escalate_hazards(late, batch_size=2) == 0

    told = {
        name: sorted(n.entity_id for n in notifications(people[name]))
        for name in ("officer", "other_officer")
    }
    assert told == {
        "officer": sorted(h.id for h in here),
        "other_officer": sorted(h.id for h in there),
    }
    assert all(h.escalations == 1 for h in here + there)
    assert {n.params["address"] for n in notifications(people["other_officer"])} == {"五一路9号"}
