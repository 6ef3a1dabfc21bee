"""Officers' work: one-off checks, campaigns, reassignment and schedule adjustments."""

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.visits import services
from gridcare.visits.models import Campaign, Visit, VisitKind, VisitStatus
from tests.conftest import TEST_DAY
from tests.visits.conftest import open_tasks

TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")
DUE = TODAY + timedelta(days=10)


def officer(community):
    return actor_for(community["officer"])


def assign(community, households, **kwargs):
    kwargs.setdefault("kind", VisitKind.safety_check)
    kwargs.setdefault("due_date", DUE)
    kwargs.setdefault("today", TODAY)
    ids = [community[name].id for name in households]
    return services.assign_checks(officer(community), ids, **kwargs)


def campaign(community, **kwargs):
    kwargs.setdefault("name", "冬季燃气安全检查")
    kwargs.setdefault("kind", VisitKind.safety_check)
    kwargs.setdefault("area", community["tree"]["community1"])
    kwargs.setdefault("care_levels", [])
    kwargs.setdefault("flags", [])
    kwargs.setdefault("due_date", DUE)
    kwargs.setdefault("today", TODAY)
    return services.create_campaign(officer(community), **kwargs)


# One-off checks.


def test_each_one_off_check_goes_to_its_grids_worker(community):
    added = assign(community, ["alone", "nest"])

    assert added == services.TasksAdded(created=2, already_open=0)
    (alone_task,) = open_tasks(community["alone"])
    (nest_task,) = open_tasks(community["nest"])
    assert alone_task.worker_id == community["worker"].id
    assert nest_task.worker_id is None  # grid 2 has no worker yet
    assert (alone_task.due_date, alone_task.window_end) == (DUE, DUE)


def test_a_one_off_checks_window_runs_past_its_due_date(community):
    assign(community, ["alone"], window_days=3)
    (task,) = open_tasks(community["alone"])
    assert task.window_end == DUE + timedelta(days=3)


def far_routine_task(household, worker=None) -> Visit:
    """An open safety check due months from now, as a schedule would plan it."""
    task = Visit(
        household_id=household.id,
        kind=VisitKind.safety_check,
        due_date=TODAY + timedelta(days=150),
        window_end=TODAY + timedelta(days=160),
        status=VisitStatus.planned,
        worker_id=worker.id if worker else None,
    )
    db.session.add(task)
    db.session.commit()
    return task


def test_a_one_off_check_brings_a_later_open_task_forward_to_its_date(community):
    far_routine_task(community["alone"], community["worker"])

    added = assign(community, ["alone"], window_days=2)

    assert added == services.TasksAdded(created=0, already_open=1)
    (task,) = open_tasks(community["alone"])  # still no second open task
    assert (task.due_date, task.window_end) == (DUE, DUE + timedelta(days=2))
    assert task.worker_id == community["worker"].id


def test_a_one_off_check_gives_the_open_task_to_the_named_worker(community, make):
    far_routine_task(community["alone"], community["worker"])
    helper = make.user("grid_worker", areas=[community["tree"]["grid1"]], full_name="张帮手")

    assign(community, ["alone"], worker_id=helper.id)

    (task,) = open_tasks(community["alone"])
    assert (task.due_date, task.worker_id) == (DUE, helper.id)


def test_an_open_task_due_before_the_one_off_check_keeps_its_date(community):
    task = far_routine_task(community["alone"])
    task.due_date = task.window_end = TODAY + timedelta(days=2)
    db.session.commit()

    assign(community, ["alone"])

    (task,) = open_tasks(community["alone"])
    assert (task.due_date, task.window_end) == (TODAY + timedelta(days=2),) * 2


def test_a_one_off_check_due_before_today_is_refused(community):
    with pytest.raises(services.VisitError) as refused:
        assign(community, ["alone"], due_date=TODAY - timedelta(days=1))
    assert refused.value.field == "due_date"
    assert open_tasks(community["alone"]) == []


def test_one_off_checks_for_a_household_outside_the_officers_areas_are_refused(community):
    with pytest.raises(services.VisitError) as refused:
        assign(community, ["alone", "elsewhere"])
    assert refused.value.field == "household_ids"
    assert open_tasks(community["alone"]) == [] and open_tasks(community["elsewhere"]) == []


def test_a_named_worker_of_another_community_is_refused(community):
    with pytest.raises(services.VisitError) as refused:
        assign(community, ["alone"], worker_id=community["far_worker"].id)
    assert refused.value.field == "worker_id"


def test_a_named_worker_who_cannot_open_every_household_is_refused(community):
    with pytest.raises(services.VisitError) as refused:
        assign(community, ["alone", "nest"], worker_id=community["worker"].id)
    assert refused.value.field == "worker_id"
    assert open_tasks(community["alone"]) == [] and open_tasks(community["nest"]) == []


# Campaigns.


def test_a_campaign_reaches_only_the_households_its_filter_names(community):
    _, by_flag = campaign(community, flags=["empty_nest"])
    _, by_level = campaign(
        community, name="高龄独居走访", kind=VisitKind.home_visit, care_levels=[1]
    )

    assert by_flag.created == 1 and [t.kind for t in open_tasks(community["nest"])] == [
        "safety_check"
    ]
    assert by_level.created == 1
    assert [t.kind for t in open_tasks(community["alone"])] == ["home_visit"]
    assert open_tasks(community["disabled"]) == []


def test_a_campaign_with_flags_reaches_households_with_any_of_them(community):
    area = community["tree"]["community1"]
    matching = db.session.execute(
        services.campaign_households(area, [], ["lives_alone", "disabled"])
    ).all()
    assert {household_id for household_id, _ in matching} == {
        community["alone"].id,
        community["disabled"].id,
    }


def test_a_campaign_with_an_unknown_filter_is_refused(community):
    with pytest.raises(services.VisitError) as refused:
        campaign(community, flags=["rich"])
    assert refused.value.field == "care_levels"
    with pytest.raises(services.VisitError):
        campaign(community, care_levels=[4])


def test_a_campaign_for_an_area_outside_the_officers_is_refused(community):
    with pytest.raises(services.VisitError) as refused:
        campaign(community, area=community["tree"]["community2"])
    assert refused.value.field == "area_id"


@pytest.mark.parametrize(
    "sent",
    [
        "urn:uuid:12345678-1234-5678-1234-567812345678",
        "{12345678-1234-5678-1234-567812345678}",
        "12345678-1234-5678-1234-56781234567A",
    ],
)
def test_a_campaign_keeps_its_forms_uuid_in_canonical_form(community, sent):
    started, _ = campaign(community, client_uuid=sent)

    canonical = str(uuid.UUID(sent))
    assert started.client_uuid == canonical
    assert campaign(community, client_uuid=canonical) == (started, None)  # the resend


def test_another_officer_reusing_a_campaign_form_is_refused_without_its_name(community, make):
    token = "12345678-1234-5678-1234-567812345678"
    campaign(community, name="独居老人走访", client_uuid=token)
    other = make.user("officer", areas=[community["tree"]["community1"]])

    with pytest.raises(services.VisitError) as refused:
        services.create_campaign(
            actor_for(other),
            name="另一个活动",
            kind=VisitKind.home_visit,
            area=community["tree"]["community1"],
            care_levels=[],
            flags=[],
            due_date=DUE,
            today=TODAY,
            client_uuid=token.upper(),
        )

    assert refused.value.field == "name"
    assert "独居老人走访" not in str(refused.value.message)
    assert db.session.scalars(select(Campaign.name)).all() == ["独居老人走访"]


def test_refreshing_a_campaign_adds_households_that_match_since_it_started(community, make):
    started, added = campaign(community, flags=["lives_alone"])
    assert added.created == 1
    newcomer = make.household(community["tree"]["grid2"], address="新华路8号")
    make.resident(newcomer, birth_date=date(1939, 2, 1), lives_alone=True)

    assert services.refresh_campaign(officer(community), started).created == 1
    assert services.refresh_campaign(officer(community), started).created == 0
    (task,) = open_tasks(newcomer)
    assert (task.campaign_id, task.due_date) == (started.id, DUE)


def test_a_refresh_that_adds_nothing_writes_no_audit_event(community, new_events):
    started, _ = campaign(community, flags=["lives_alone"])
    before = len(new_events("update", "campaign"))
    services.refresh_campaign(officer(community), started)
    assert len(new_events("update", "campaign")) == before


# Reassignment.


def test_reassigning_moves_only_the_officers_own_planned_tasks(community, make):
    services.generate_visits(TODAY)
    helper = make.user("grid_worker", areas=[community["tree"]["grid1"]], full_name="张帮手")
    ids = [t.id for t in open_tasks(community["alone"]) + open_tasks(community["elsewhere"])]

    moved = services.reassign_visits(officer(community), ids, helper.id)
    assert moved == services.Reassigned(moved=2, not_theirs=0)  # alone's two
    assert {t.worker_id for t in open_tasks(community["alone"])} == {helper.id}
    assert {t.worker_id for t in open_tasks(community["elsewhere"])} == {community["far_worker"].id}


def test_reassigning_to_a_worker_who_cannot_open_the_home_is_refused(community):
    services.generate_visits(TODAY)
    ids = [t.id for t in open_tasks(community["nest"])]
    with pytest.raises(services.VisitError):
        services.reassign_visits(officer(community), ids, community["worker"].id)
    assert {t.worker_id for t in open_tasks(community["nest"])} == {None}


def test_reassigning_moves_the_tasks_the_worker_can_open_and_counts_the_others(community):
    services.generate_visits(TODAY)
    alone, nest = open_tasks(community["alone"]), open_tasks(community["nest"])
    ids = [t.id for t in alone + nest]

    done = services.reassign_visits(officer(community), ids, community["worker"].id)

    assert done == services.Reassigned(moved=len(alone), not_theirs=len(nest))
    assert {t.worker_id for t in open_tasks(community["alone"])} == {community["worker"].id}
    assert {t.worker_id for t in open_tasks(community["nest"])} == {None}


# Schedule adjustments.


def home_visit_schedule(household):
    services.generate_visits(TODAY)
    return next(s for s in services.schedules_for(household.id) if s.kind == "home_visit")


@pytest.mark.parametrize(("interval", "window", "field"), [(0, 0, "interval_days"),
                         (367, 3, "interval_days"), (14, 14, "window_days")])  # fmt: skip
def test_an_interval_or_window_out_of_bounds_is_refused(community, interval, window, field):
    schedule = home_visit_schedule(community["nest"])
    with pytest.raises(services.VisitError) as refused:
        services.adjust_schedule(
            officer(community),
            schedule,
            interval_days=interval,
            window_days=window,
            worker_id=None,
            today=TODAY,
        )
    assert refused.value.field == field
    db.session.refresh(schedule)
    assert schedule.adjusted is False


def test_a_tighter_interval_brings_the_open_visit_forward(community):
    schedule = home_visit_schedule(community["nest"])  # level 2: every 30 days
    (task,) = open_tasks(community["nest"], "home_visit")
    task.due_date = task.window_end = TODAY + timedelta(days=25)
    db.session.commit()

    services.adjust_schedule(
        officer(community), schedule, interval_days=7, window_days=2, worker_id=None, today=TODAY
    )

    (task,) = open_tasks(community["nest"], "home_visit")
    assert task.due_date == TODAY + timedelta(days=7)
    assert task.window_end == task.due_date + timedelta(days=2)


def test_a_named_worker_takes_the_open_visit_and_none_gives_it_back_to_the_grid(community, make):
    helper = make.user("grid_worker", areas=[community["tree"]["grid1"]], full_name="张帮手")
    schedule = home_visit_schedule(community["alone"])
    adjust = {"interval_days": 7, "window_days": 2, "today": TODAY}

    services.adjust_schedule(officer(community), schedule, worker_id=helper.id, **adjust)
    assert [t.worker_id for t in open_tasks(community["alone"], "home_visit")] == [helper.id]

    services.adjust_schedule(officer(community), schedule, worker_id=None, **adjust)
    assert [t.worker_id for t in open_tasks(community["alone"], "home_visit")] == [
        community["worker"].id
    ]


def test_an_adjustment_is_audited_by_field_name(community, new_events):
    schedule = home_visit_schedule(community["alone"])
    services.adjust_schedule(
        officer(community), schedule, interval_days=5, window_days=1, worker_id=None, today=TODAY
    )
    (event,) = new_events("update", "care_schedule")
    assert set(event.field_names) == {"interval_days", "window_days", "worker_id"}


def test_tasks_are_stored_for_the_right_campaign(community):
    started, _ = campaign(community, care_levels=[2])
    stored = db.session.scalars(select(Visit).where(Visit.campaign_id == started.id)).all()
    assert {v.household_id for v in stored} == {community["nest"].id, community["disabled"].id}
