from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from gridcare.accounts.models import Notification
from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.renovation import services
from gridcare.renovation.models import (
    AcceptancePoint,
    CasePhoto,
    CaseStep,
    PlanItem,
    RenovationCase,
    Satisfaction,
    Stage,
)
from gridcare.visits.models import Visit, VisitStatus
from gridcare.visits.services import worker_day
from tests.conftest import TEST_DAY
from tests.renovation.conftest import full_acceptance, jpeg, walk


def _cases(people, programme, *keys):
    services.add_cases(actor_for(people["officer"]), programme, [people[k].id for k in keys])
    return [
        db.session.scalar(
            select(RenovationCase).where(
                RenovationCase.programme_id == programme.id,
                RenovationCase.household_id == people[k].id,
            )
        )
        for k in keys
    ]


def test_candidates_default_to_residents_of_disability_grade_1_or_2(people, programme):
    officer = actor_for(people["officer"])
    found = services.candidate_households(programme, officer.scope, services.CandidateFilter())
    assert {h.address for h in found} == {"明珠路1号", "明珠路2号"}


def test_more_filters_narrow_the_candidates(people, programme):
    scope = actor_for(people["officer"]).scope
    vision = services.CandidateFilter(categories=(1,))
    alone = services.CandidateFilter(lives_alone=True)
    any_grade = services.CandidateFilter(grades=(1, 2, 3))
    assert [h.address for h in services.candidate_households(programme, scope, vision)] == [
        "明珠路2号"
    ]
    assert [h.address for h in services.candidate_households(programme, scope, alone)] == [
        "明珠路1号"
    ]
    assert len(services.candidate_households(programme, scope, any_grade)) == 3


def test_picked_households_become_surveyed_cases_once(people, programme):
    (case,) = _cases(people, programme, "severe")
    assert case.stage == Stage.surveyed
    assert services.add_cases(actor_for(people["officer"]), programme, [people["severe"].id]) == 0
    steps = db.session.scalars(select(CaseStep).where(CaseStep.case_id == case.id)).all()
    assert [(s.action, s.to_stage) for s in steps] == [("survey", Stage.surveyed)]
    scope = actor_for(people["officer"]).scope
    assert people["severe"] not in services.candidate_households(
        programme, scope, services.CandidateFilter()
    )


def test_a_household_outside_the_programme_area_is_refused(people, programme):
    with pytest.raises(services.RenovationError) as refused:
        services.add_cases(actor_for(people["officer"]), programme, [people["elsewhere"].id])
    assert refused.value.field == "household_ids"
    assert db.session.scalar(select(func.count(RenovationCase.id))) == 0


def test_only_an_officer_opens_a_programme_and_the_budget_is_not_negative(people):
    area = people["tree"]["community1"]
    with pytest.raises(services.RenovationForbidden):
        services.open_programme(
            actor_for(people["worker"]), area, year=2026, name="x", budget=Decimal(1)
        )
    with pytest.raises(services.RenovationError) as refused:
        services.open_programme(
            actor_for(people["officer"]), area, year=2026, name="x", budget=Decimal(-1)
        )
    assert refused.value.field == "budget"


def test_a_resent_programme_form_opens_one_programme(people):
    officer, area = actor_for(people["officer"]), people["tree"]["community1"]
    token = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    first = services.open_programme(
        officer, area, year=2026, name="改造", budget=Decimal(5), client_uuid=token
    )
    again = services.open_programme(
        officer, area, year=2026, name="改造", budget=Decimal(5), client_uuid=token.upper()
    )
    assert first.id == again.id


def test_a_case_goes_from_survey_to_accepted_with_a_history_row_per_move(people, programme):
    (case,) = _cases(people, programme, "severe")
    walk(people["officer"], case, Stage.accepted)
    steps = db.session.scalars(
        select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id)
    ).all()
    assert [(s.action, s.from_stage, s.to_stage) for s in steps] == [
        ("survey", None, Stage.surveyed),
        ("assess", Stage.surveyed, Stage.assessed),
        ("plan", Stage.assessed, Stage.planned),
        ("start_construction", Stage.planned, Stage.under_construction),
        ("accept", Stage.under_construction, Stage.accepted),
    ]
    db.session.expire_all()
    case = db.session.get(RenovationCase, case.id)
    assert case.stage == Stage.accepted
    assert case.consent_by == "刘明" and case.consent_on == TEST_DAY
    assert case.contractor == "雄关建设" and case.actual_cost == Decimal("3000.00")
    # One assessment photo and one per acceptance point.
    photos = db.session.scalars(select(CasePhoto).where(CasePhoto.case_id == case.id)).all()
    assert len(photos) == 5
    assert {p.point for p in photos if p.point} == set(AcceptancePoint)


def test_a_worker_assesses_and_supervises_but_may_not_plan_or_accept(people, programme):
    (case,) = _cases(people, programme, "severe")
    worker = actor_for(people["worker"])
    services.assess(worker, case, needs=["ramps"], measurements={}, photos=[jpeg()])
    assert case.stage == Stage.assessed
    with pytest.raises(services.RenovationForbidden) as refused:
        services.plan(
            worker,
            case,
            items=[services.PlannedItem("ramps", "", Decimal(1))],
            consent_by="刘明",
            consent_relation="",
            consent_on=TEST_DAY,
            today=TEST_DAY,
        )
    assert "社区干部" in str(refused.value.message)  # only a community officer plans
    walk(people["officer"], case, Stage.under_construction)
    services.supervise(worker, case, note="扶手已装", photos=[jpeg()])
    with pytest.raises(services.RenovationForbidden):
        services.accept(worker, case, points=full_acceptance(), actual_cost=Decimal(1), answer=None)


def test_civil_affairs_staff_make_no_move(people, programme):
    (case,) = _cases(people, programme, "severe")
    with pytest.raises(services.RenovationForbidden):
        services.assess(
            actor_for(people["civil"]), case, needs=["ramps"], measurements={}, photos=[jpeg()]
        )
    assert services.allowed_moves(actor_for(people["civil"]), case) == []


def test_a_move_out_of_order_is_refused_with_the_stage(people, programme):
    (case,) = _cases(people, programme, "severe")
    with pytest.raises(services.RenovationError) as refused:
        services.start_construction(actor_for(people["officer"]), case, contractor="雄关建设")
    assert not isinstance(refused.value, services.RenovationForbidden)
    assert case.stage == Stage.surveyed


def test_a_negative_estimated_cost_is_refused_and_nothing_is_stored(people, programme):
    (case,) = _cases(people, programme, "severe")
    walk(people["officer"], case, Stage.assessed)
    with pytest.raises(services.RenovationError) as refused:
        services.plan(
            actor_for(people["officer"]),
            case,
            items=[services.PlannedItem("ramps", "", Decimal("-5"))],
            consent_by="刘明",
            consent_relation="",
            consent_on=TEST_DAY,
            today=TEST_DAY,
        )
    assert refused.value.field == "items.0.estimated_cost"
    assert db.session.scalar(select(func.count(PlanItem.id))) == 0
    assert case.stage == Stage.assessed


def test_a_plan_needs_consent_not_in_the_future(people, programme):
    (case,) = _cases(people, programme, "severe")
    walk(people["officer"], case, Stage.assessed)
    with pytest.raises(services.RenovationError) as refused:
        services.plan(
            actor_for(people["officer"]),
            case,
            items=[services.PlannedItem("ramps", "", Decimal("5"))],
            consent_by="刘明",
            consent_relation="",
            consent_on=TEST_DAY + timedelta(days=1),
            today=TEST_DAY,
        )
    assert refused.value.field == "consent_on"


def test_an_assessment_needs_a_photo_and_a_need_from_the_catalogue(people, programme):
    (case,) = _cases(people, programme, "severe")
    officer = actor_for(people["officer"])
    with pytest.raises(services.RenovationError) as no_photo:
        services.assess(officer, case, needs=["ramps"], measurements={}, photos=[])
    with pytest.raises(services.RenovationError) as unknown:
        services.assess(officer, case, needs=["jacuzzi"], measurements={}, photos=[jpeg()])
    with pytest.raises(services.RenovationError) as negative:
        services.assess(
            officer, case, needs=["ramps"], measurements={"door_width": -3}, photos=[jpeg()]
        )
    assert (no_photo.value.field, unknown.value.field, negative.value.field) == (
        "photos",
        "needs",
        "door_width",
    )
    assert case.stage == Stage.surveyed


def test_a_point_cannot_pass_without_a_photo(people, programme):
    (case,) = _cases(people, programme, "severe")
    walk(people["officer"], case, Stage.under_construction)
    points = full_acceptance()
    points[AcceptancePoint.money] = services.PointResult(True, "", [])
    with pytest.raises(services.RenovationError) as refused:
        services.accept(
            actor_for(people["officer"]),
            case,
            points=points,
            actual_cost=Decimal(1),
            answer=services.Answer(Satisfaction.satisfied),
        )
    assert refused.value.field == "money_photos"
    assert case.stage == Stage.under_construction
    assert db.session.scalar(select(func.count(CasePhoto.id))) == 1  # the assessment's


def test_a_failed_point_keeps_the_work_going(people, programme):
    (case,) = _cases(people, programme, "severe")
    walk(people["officer"], case, Stage.under_construction)
    points = full_acceptance()
    points[AcceptancePoint.items] = services.PointResult(False, "坡道未做", [])
    services.accept(
        actor_for(people["officer"]), case, points=points, actual_cost=None, answer=None
    )
    assert case.stage == Stage.under_construction
    last = db.session.scalars(select(CaseStep).order_by(CaseStep.id.desc())).first()
    assert last.action == "acceptance_failed"


def test_a_resent_form_is_stored_once(people, programme):
    (case,) = _cases(people, programme, "severe")
    officer = actor_for(people["officer"])
    token = "0f8fad5b-d9cb-469f-a165-70867728950e"
    for _ in range(2):
        services.assess(
            officer, case, needs=["ramps"], measurements={}, photos=[jpeg()], client_uuid=token
        )
    assert (
        db.session.scalar(select(func.count(CaseStep.id)).where(CaseStep.action == "assess")) == 1
    )
    assert db.session.scalar(select(func.count(CasePhoto.id))) == 1


def test_declining_needs_a_reason_and_ends_the_case(people, programme):
    (case,) = _cases(people, programme, "severe")
    officer = actor_for(people["officer"])
    with pytest.raises(services.RenovationError):
        services.decline(officer, case, reason="  ")
    services.decline(officer, case, reason="家属不同意改造")
    assert case.stage == Stage.declined and case.decline_reason == "家属不同意改造"
    assert services.allowed_moves(officer, case) == []


def test_not_satisfied_at_acceptance_notifies_the_officer(people, programme):
    (case,) = _cases(people, programme, "severe")
    walk(people["officer"], case, Stage.accepted, answer=Satisfaction.not_satisfied)
    notes = db.session.scalars(select(Notification)).all()
    assert [(n.user_id, n.kind, n.entity_id) for n in notes] == [
        (people["officer"].id, "renovation_not_satisfied", case.id)
    ]


def test_a_follow_up_round_puts_a_visit_on_the_workers_list(people, programme, test_day):
    (case, other) = _cases(people, programme, "severe", "grade2")
    walk(people["officer"], case, Stage.accepted)
    walk(people["officer"], other, Stage.planned)
    officer = actor_for(people["officer"])
    due = test_day + timedelta(days=3)
    _, count = services.request_follow_up_round(officer, programme, due_date=due, today=test_day)
    assert count == 1  # only the accepted home
    day = worker_day(people["worker"].id, actor_for(people["worker"]).scope, test_day)
    listed = [row.household_id for row in day.upcoming + day.today + day.overdue]
    assert people["severe"].id in listed
    (row,) = services.open_follow_ups(actor_for(people["worker"]).scope, test_day)
    assert row.household.id == people["severe"].id and row.due_date <= due
    # Asked again while that one is open: nothing more to visit.
    with pytest.raises(services.RenovationError):
        services.request_follow_up_round(officer, programme, due_date=due, today=test_day)


def test_answering_a_follow_up_completes_the_visit_and_follows_the_case_up(
    people, programme, test_day
):
    (case,) = _cases(people, programme, "severe")
    walk(people["officer"], case, Stage.accepted)
    officer = actor_for(people["officer"])
    services.request_follow_up_round(officer, programme, due_date=test_day, today=test_day)
    (row,) = services.open_follow_ups(actor_for(people["worker"]).scope, test_day)
    services.answer_follow_up(
        actor_for(people["worker"]),
        row.follow_up,
        people["severe"],
        answer=services.Answer(Satisfaction.not_satisfied, "扶手松了", "刘明"),
    )
    db.session.expire_all()
    case = db.session.get(RenovationCase, case.id)
    assert case.stage == Stage.followed_up
    visit = db.session.get(Visit, row.follow_up.visit_id)
    assert visit.status == VisitStatus.done and visit.completed_by_id == people["worker"].id
    assert services.open_follow_ups(actor_for(people["worker"]).scope, test_day) == []
    kinds = db.session.scalars(select(Notification.kind)).all()
    assert kinds == ["renovation_not_satisfied"]


def test_admins_edit_the_needs_catalogue_and_officers_may_not(people, make):
    admin = actor_for(make.user("admin"))
    need = services.add_need(admin, "handrail_stairs", "楼梯扶手", "Stair handrail")
    assert need.code in {n.code for n in services.catalogue()}
    services.update_need(admin, need, "楼梯扶手", "Stair handrail", active=False)
    assert need.code not in {n.code for n in services.catalogue()}
    with pytest.raises(services.RenovationForbidden):
        services.add_need(actor_for(people["officer"]), "x", "x", "x")
    with pytest.raises(services.RenovationError) as taken:
        services.add_need(admin, "ramps", "坡道", "Ramps")
    assert taken.value.field == "code"
