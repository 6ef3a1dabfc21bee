"""A hand-counted quarter (2026-Q3) for three workers in two streets.

Counted by hand, with the set of `standard_set` (timeliness 40, coverage 30, hazards
closed in time 10 — full mark 100 % each — and a rating worth 20 out of 10, officer 60 /
street leader 40):

w1 (grid1: two target homes, h1 and h2)
  July   tasks 3 of 4 in time (one at 21:30, one logged away from the home) → 75 % → 30
         coverage 1 of 2 → 50 % → 15;  hazards closed in time 1 of 2 → 50 % → 5
         rating officer 8, street leader 6 → 7.2 → 14.4
         100 × 64.4 / 100 = 64.4, bonus +3 (on hazard A) → 67.4
  August tasks 2 of 2 → 40;  coverage 2 of 2 → 30;  no hazards, no rating: left out
         100 × 70 / 70 = 100, deduction −2 → 98
  Sept.  tasks 1 of 1 → 40;  coverage 1 of 2 → 15 → 100 × 55 / 70 = 78.57
  quarter (67.4 + 98 + 78.57) / 3 = 81.3, rank 1 in community1 and street1
w2 (grid2: one target home, h3)
  July   tasks 2 of 2 → 40; coverage 1 of 1 → 30; rating officer 9 → 18 → 100 × 88 / 90 = 97.78
  August task missed → 0; coverage 0 of 1 → 0 → 0
  Sept.  tasks 1 of 1 → 40; coverage 1 of 1 → 30 → 100
  quarter (97.78 + 0 + 100) / 3 = 65.9, rank 2
w3 (grid3, the other street: one target home, h4)
  July 100, August 0 (coverage 0 of 1), September 0 → 33.3, rank 1 in its street
"""

from datetime import date, datetime, timedelta

import pytest

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.hazards.models import FollowUp, Hazard, HazardCategory, HazardStatus, Severity
from gridcare.performance import services
from gridcare.performance.models import IndicatorKind, IndicatorSource
from gridcare.visits.models import LocationVerdict, Visit, VisitKind, VisitMethod, VisitStatus
from tests.conftest import TEST_DAY

OLD = datetime(2025, 1, 1)


def task(home, worker, due: date, status=VisitStatus.done, at=None, **fields):
    """A home visit due on `due` with a two-day window; done at 10:00 local by default."""
    done = status == VisitStatus.done
    completed = at or (datetime.combine(due, datetime.min.time()) + timedelta(hours=2))
    db.session.add(
        Visit(
            household_id=home.id,
            kind=VisitKind.home_visit,
            worker_id=worker.id,
            completed_by_id=worker.id if done else None,
            due_date=due,
            window_end=due + timedelta(days=2),
            status=status,
            completed_at=completed if done else None,
            method=VisitMethod.in_person if done else None,
            **fields,
        )
    )


def target_home(make, grid):
    home = make.household(grid, created_at=OLD)
    make.resident(home, birth_date=date(1940, 1, 1), lives_alone=True, created_at=OLD)
    return home


def standard_set(admin, today=TEST_DAY):
    actor = actor_for(admin)
    chosen = services.create_set(
        actor,
        name="2026年下半年网格员考核",
        year=2026,
        half=2,
        bonus_limit=5,
        deduction_limit=10,
        today=today,
    )
    lines = [
        (IndicatorKind.common, "按时走访", IndicatorSource.timeliness, 40, 100, {}),
        (IndicatorKind.common, "走访覆盖", IndicatorSource.coverage, 30, 100, {}),
        (IndicatorKind.key, "隐患按期整改", IndicatorSource.hazards_in_time, 10, 100, {}),
        (
            IndicatorKind.role_specific,
            "工作态度",
            IndicatorSource.rating,
            20,
            10,
            {"officer": 60, "street_leader": 40},
        ),
    ]
    for kind, name, source, weight, full_mark, raters in lines:
        services.add_indicator(
            actor,
            chosen,
            kind=kind,
            name=name,
            source=source,
            weight=weight,
            full_mark=full_mark,
            rater_weights=raters,
        )
    return services.get_set(chosen.id)


@pytest.fixture
def quarter(make, test_day):
    tree = make.tree()
    w1 = make.user("grid_worker", areas=[tree["grid1"]], full_name="网格员甲")
    w2 = make.user("grid_worker", areas=[tree["grid2"]], full_name="网格员乙")
    w3 = make.user("grid_worker", areas=[tree["grid3"]], full_name="网格员丙")
    officer = make.user("officer", areas=[tree["community1"]], full_name="社区书记")
    leader = make.user("officer", areas=[tree["street1"]], full_name="街道领导")
    admin = make.user("admin")
    h1, h2 = target_home(make, tree["grid1"]), target_home(make, tree["grid1"])
    h3, h4 = target_home(make, tree["grid2"]), target_home(make, tree["grid3"])

    # w1: July 3 of 4 in time, one at 21:30 local and one logged away from the home.
    task(h1, w1, date(2026, 7, 3))
    task(h1, w1, date(2026, 7, 10), at=datetime(2026, 7, 10, 13, 30))
    task(
        h1,
        w1,
        date(2026, 7, 17),
        at=datetime(2026, 7, 18, 2),
        location_verdict=LocationVerdict.far,
        distance_m=2400.0,
    )
    task(h2, w1, date(2026, 7, 24), VisitStatus.missed)
    task(h1, w1, date(2026, 8, 5))
    task(h2, w1, date(2026, 8, 12), at=datetime(2026, 8, 13, 2))
    task(h1, w1, date(2026, 9, 8))
    # w2 and w3.
    task(h3, w2, date(2026, 7, 6))
    task(h3, w2, date(2026, 7, 20))
    task(h3, w2, date(2026, 8, 10), VisitStatus.missed)
    task(h3, w2, date(2026, 9, 10))
    task(h4, w3, date(2026, 7, 8))

    in_time = Hazard(
        household_id=h1.id,
        category=HazardCategory.gas,
        severity=Severity.minor,
        description="燃气软管老化",
        reported_by_id=w1.id,
        assignee_id=w1.id,
        reported_at=datetime(2026, 7, 2, 2),
        deadline=date(2026, 7, 20),
        status=HazardStatus.closed,
        closed_at=datetime(2026, 7, 10, 2),
    )
    late = Hazard(
        household_id=h1.id,
        category=HazardCategory.electrical,
        severity=Severity.major,
        description="私拉电线",
        reported_by_id=w1.id,
        assignee_id=w1.id,
        reported_at=datetime(2026, 7, 3, 2),
        deadline=date(2026, 7, 5),
        status=HazardStatus.closed,
        closed_at=datetime(2026, 7, 15, 2),
    )
    db.session.add_all([in_time, late])
    db.session.flush()
    db.session.add(
        FollowUp(
            hazard_id=in_time.id,
            user_id=w1.id,
            action="closed",
            from_status=HazardStatus.open,
            to_status=HazardStatus.closed,
            at=datetime(2026, 7, 10, 2),
        )
    )
    db.session.commit()

    chosen = standard_set(admin)
    rating = next(i for i in chosen.indicators if i.source is IndicatorSource.rating)
    services.rate(actor_for(officer), w1, rating, "2026-07", 8, test_day)
    services.rate(actor_for(leader), w1, rating, "2026-07", 6, test_day)
    services.rate(actor_for(officer), w2, rating, "2026-07", 9, test_day)
    services.add_points(
        actor_for(officer),
        w1,
        month="2026-07",
        kind="bonus",
        points=3,
        reason="雨夜排查独居老人燃气隐患",
        basis_kind="hazard",
        basis_id=in_time.id,
        today=test_day,
    )
    services.add_points(
        actor_for(officer),
        w1,
        month="2026-08",
        kind="deduction",
        points=2,
        reason="漏报一户走访记录",
        today=test_day,
    )
    return {
        "tree": tree,
        "w1": w1,
        "w2": w2,
        "w3": w3,
        "officer": officer,
        "leader": leader,
        "admin": admin,
        "set": chosen,
        "rating": rating,
        "hazard": in_time,
        "homes": (h1, h2, h3, h4),
    }
