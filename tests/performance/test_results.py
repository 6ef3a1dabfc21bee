"""The hand-counted quarter (see conftest.py), live and frozen."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.performance import services
from gridcare.performance.models import IndicatorSource, PerformanceResult
from gridcare.performance.services.sources import month_figures
from gridcare.registry.models import Resident
from gridcare.reports.periods import parse
from gridcare.visits.models import LifeEvent, LifeEventKind, VisitStatus
from tests.performance.conftest import task

Q3 = "2026-Q3"


def by_worker(page):
    return {r.worker_id: r for r in page.results}


def test_the_hand_counted_quarter(quarter, test_day):
    page = services.performance_page(quarter["tree"]["community1"], Q3, test_day)
    w1, w2 = quarter["w1"], quarter["w2"]
    assert [r.worker_id for r in page.results] == [w1.id, w2.id]
    first, second = page.results

    july, august, september = first.months
    assert [(m.figure, m.points) for m in july.marks] == [
        (75.0, 30.0),
        (50.0, 15.0),
        (50.0, 5.0),
        (7.2, 14.4),
    ]
    assert july.marks[3].raters == {"officer": 8.0, "street_leader": 6.0}
    assert (july.base, july.bonus, july.score) == (64.4, 3.0, 67.4)
    assert [m.points for m in august.marks] == [40.0, 30.0, None, None]
    assert (august.base, august.deduction, august.score) == (100.0, 2.0, 98.0)
    assert (september.base, september.score) == (78.57, 78.57)
    assert first.score == 81.3
    assert (first.community_rank, first.street_rank) == (1, 1)
    assert (first.bonus, first.deduction) == (3.0, 2.0)

    assert [m.score for m in second.months] == [97.78, 0.0, 100.0]
    assert second.score == 65.9
    assert (second.community_rank, second.street_rank) == (2, 2)


def test_the_other_street_is_ranked_apart(quarter, test_day):
    page = services.performance_page(quarter["tree"]["community2"], Q3, test_day)
    (only,) = page.results
    assert only.worker_id == quarter["w3"].id
    assert [m.score for m in only.months] == [100.0, 0.0, 0.0]
    assert (only.score, only.community_rank, only.street_rank) == (33.3, 1, 1)
    district = services.performance_page(quarter["tree"]["district"], Q3, test_day)
    assert len(district.results) == 3


def test_a_visit_away_from_the_home_is_shown_and_never_deducted(quarter, test_day):
    first = by_worker(services.performance_page(quarter["tree"]["community1"], Q3, test_day))[
        quarter["w1"].id
    ]
    assert first.far_check_ins == 1
    # The far visit and the 21:30 one both count as done in time: 3 of 4.
    assert (first.months[0].marks[0].done, first.months[0].marks[0].out_of) == (3, 4)


def test_entering_more_extra_visits_does_not_raise_a_rate(quarter, test_day, make):
    before = by_worker(services.performance_page(quarter["tree"]["community1"], Q3, test_day))
    h1 = quarter["homes"][0]
    for day in range(1, 20):
        task(h1, quarter["w1"], date(2026, 7, day), extra=True)
    db.session.commit()
    after = by_worker(services.performance_page(quarter["tree"]["community1"], Q3, test_day))
    assert after[quarter["w1"].id].score == before[quarter["w1"].id].score


def test_closing_freezes_the_quarter_and_only_an_admin_reopens_it(quarter, test_day):
    admin, officer = actor_for(quarter["admin"]), actor_for(quarter["officer"])
    community = quarter["tree"]["community1"]
    services.close_quarter(admin, Q3, test_day)
    assert db.session.query(PerformanceResult).count() == 3

    # A late correction: w2's missed August task is found done after all.
    task(quarter["homes"][2], quarter["w2"], date(2026, 8, 20))
    db.session.commit()
    frozen = services.performance_page(community, Q3, test_day)
    assert frozen.closed and by_worker(frozen)[quarter["w2"].id].score == 65.9
    assert [line.name for line in frozen.indicators][0] == "按时走访"

    with pytest.raises(services.PerformanceError) as refused:
        services.add_points(
            officer,
            quarter["w1"],
            month="2026-09",
            kind="bonus",
            points=1,
            reason="x",
            today=test_day,
        )
    assert refused.value.field == "month"
    with pytest.raises(services.PerformanceError):
        services.rate(officer, quarter["w2"], quarter["rating"], "2026-09", 5, test_day)
    with pytest.raises(services.PerformanceError):
        services.reopen_quarter(officer, Q3, "因为")
    with pytest.raises(services.PerformanceError) as no_reason:
        services.reopen_quarter(admin, Q3, "  ")
    assert no_reason.value.field == "reason"

    services.reopen_quarter(admin, Q3, "街道复核：8月走访记录补录")
    live = services.performance_page(community, Q3, test_day)
    assert not live.closed
    assert by_worker(live)[quarter["w2"].id].score != 65.9
    assert db.session.query(PerformanceResult).count() == 0


def test_a_running_quarter_cannot_be_closed(quarter, test_day):
    with pytest.raises(services.PerformanceError):
        services.close_quarter(actor_for(quarter["admin"]), "2026-Q4", test_day)


def test_urgent_visits_count_done_by_their_hour_against_those_due(quarter, test_day):
    h3, w2 = quarter["homes"][2], quarter["w2"]
    # Done two hours before it was due; due and never done; cancelled (left out).
    task(h3, w2, date(2026, 9, 14), at=datetime(2026, 9, 14, 4), due_at=datetime(2026, 9, 14, 6))
    task(h3, w2, date(2026, 9, 20), VisitStatus.planned, due_at=datetime(2026, 9, 20, 6))
    task(h3, w2, date(2026, 9, 22), VisitStatus.cancelled, due_at=datetime(2026, 9, 22, 6))
    db.session.commit()
    figures = month_figures(quarter["tree"]["street1"], parse("2026-09"), test_day)
    count = figures[w2.id].counts[IndicatorSource.urgent_visits_in_time]
    assert (count.done, count.out_of) == (1, 2)

    # A point may rest on the life event that called for the visit.
    resident = db.session.scalar(select(Resident.id).where(Resident.household_id == h3.id))
    event = LifeEvent(
        household_id=h3.id,
        resident_id=resident,
        kind=LifeEventKind.fell,
        occurred_on=date(2026, 9, 14),
    )
    db.session.add(event)
    db.session.commit()
    given = services.add_points(
        actor_for(quarter["officer"]),
        w2,
        month="2026-09",
        kind="bonus",
        points=2,
        reason="老人摔倒后两小时内上门",
        basis_kind="life_event",
        basis_id=event.id,
        today=test_day,
    )
    assert services.basis_households([given]) == {given.id: h3.id}
