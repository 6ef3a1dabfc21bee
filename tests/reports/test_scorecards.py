"""Worker scorecards against a hand-built month."""

from datetime import date, datetime

import pytest

from gridcare.extensions import db
from gridcare.hazards.models import Hazard, HazardCategory, HazardStatus, Severity
from gridcare.reports import scorecards
from gridcare.reports.periods import parse
from gridcare.visits.models import Visit, VisitKind, VisitMethod, VisitStatus
from tests.conftest import TEST_DAY
from tests.factories import loaded

OCTOBER = parse("2026-10")
TODAY = TEST_DAY
pytestmark = pytest.mark.usefixtures("test_day")
EN = {"Accept-Language": "en"}


def task(household, worker, due, window_end, status, completed=None, extra=False):
    db.session.add(
        Visit(
            household_id=household.id,
            kind=VisitKind.home_visit,
            worker_id=worker.id,
            completed_by_id=worker.id if completed else None,
            due_date=due,
            window_end=window_end,
            status=status,
            completed_at=completed,
            method=VisitMethod.in_person if completed else None,
            extra=extra,
        )
    )


@pytest.fixture
def month(make):
    tree = make.tree()
    w1 = make.user("grid_worker", areas=[tree["grid1"]], full_name="甲")
    w2 = make.user("grid_worker", areas=[tree["grid2"]], full_name="乙")
    old = datetime(2025, 1, 1)
    h1 = make.household(tree["grid1"], created_at=old)
    make.resident(h1, birth_date=date(1940, 1, 1), lives_alone=True, created_at=old)
    h2 = make.household(tree["grid1"], created_at=old)
    make.resident(h2, birth_date=date(1950, 1, 1), created_at=old)
    done, missed = VisitStatus.done, VisitStatus.missed
    task(h1, w1, date(2026, 10, 5), date(2026, 10, 8), done, datetime(2026, 10, 5, 2))
    task(h1, w1, date(2026, 10, 10), date(2026, 10, 12), done, datetime(2026, 10, 14, 2))
    task(h2, w1, date(2026, 10, 20), date(2026, 10, 23), missed)
    task(h2, w1, date(2026, 10, 21), date(2026, 10, 21), VisitStatus.cancelled)
    task(
        h2,
        w1,
        date(2026, 10, 3),
        date(2026, 10, 3),
        VisitStatus.not_home,
        datetime(2026, 10, 3, 2),
        extra=True,
    )
    db.session.add_all(
        [
            Hazard(
                household_id=h1.id,
                category=HazardCategory.gas,
                severity=Severity.minor,
                description="x",
                reported_by_id=w1.id,
                assignee_id=w1.id,
                reported_at=datetime(2026, 10, 6),
                deadline=date(2026, 10, 21),
                status=HazardStatus.closed,
                closed_at=datetime(2026, 10, 9),
            ),
        ]
    )
    db.session.commit()
    return {"tree": tree, "w1": w1, "w2": w2}


def test_scorecard_figures(month):
    cards = scorecards.scorecards(month["tree"]["community1"], OCTOBER, TODAY)
    first, second = cards
    assert first.worker.id == month["w1"].id
    assert (first.tasks_due, first.done_on_time, first.done_late, first.missed) == (3, 1, 1, 1)
    assert first.not_home == 1
    assert first.coverage.coverage == 0.5
    assert (first.hazards_found, first.hazards_closed, first.hazards_closed_in_time) == (1, 1, 1)
    assert second.worker.id == month["w2"].id and second.tasks_due == 0


def test_officer_sees_the_figures_and_each_links_to_its_records(month, client, login, make):
    community = month["tree"]["community1"]
    login(make.user("officer", areas=[community]))
    page = client.get(f"/reports/scorecards?area={community.id}&period=2026-10", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index("甲") < html.index("乙")
    assert ">Score<" not in html and ">Rank<" not in html  # the performance page scores
    assert f"/performance/areas/{community.id}" in html
    missed = client.get(
        f"/reports/scorecards/{month['w1'].id}/missed?area={community.id}&period=2026-10",
        headers=EN,
    ).get_data(as_text=True)
    assert missed.count("Missed") >= 1
    outsider = make.user("grid_worker", areas=[month["tree"]["grid3"]])
    response = client.get(f"/reports/scorecards/{outsider.id}/missed?area={community.id}")
    assert response.status_code == 404


def test_only_the_areas_work_counts_and_work_not_yet_due_does_not(month, make):
    w1, tree = month["w1"], month["tree"]
    # w1 also covers a grid in the other community, with a missed task there.
    w1.areas = [*loaded(w1, "areas").areas, tree["grid3"]]
    elsewhere = make.household(tree["grid3"], created_at=datetime(2025, 1, 1))
    make.resident(
        elsewhere, birth_date=date(1940, 1, 1), lives_alone=True, created_at=datetime(2025, 1, 1)
    )
    task(elsewhere, w1, date(2026, 10, 6), date(2026, 10, 9), VisitStatus.missed)
    # And a task of this area due in October whose window is still open on TODAY.
    here = make.household(tree["grid1"], created_at=datetime(2025, 1, 1))
    task(here, w1, date(2026, 10, 30), date(2026, 11, 30), VisitStatus.planned)
    db.session.commit()
    (first, _) = scorecards.scorecards(tree["community1"], OCTOBER, TODAY)
    assert (first.tasks_due, first.missed) == (3, 1)
    kind, records = scorecards.worker_records(w1.id, tree["community1"], OCTOBER, TODAY, "missed")
    assert kind == "visits" and len(records) == 1


def test_a_task_done_early_whose_window_is_still_open_is_not_scored_yet(month, make):
    w1, community = month["w1"], month["tree"]["community1"]
    household = make.household(month["tree"]["grid1"])
    task(
        household,
        w1,
        date(2026, 10, 20),
        date(2026, 10, 30),
        VisitStatus.done,
        datetime(2026, 10, 15, 2),
    )
    db.session.commit()

    def card_of_w1(today):
        return next(c for c in scorecards.scorecards(community, OCTOBER, today) if c.worker == w1)

    # On 25 October only windows closed by then count: not the task done early.
    mid = card_of_w1(date(2026, 10, 25))
    assert (mid.tasks_due, mid.done_on_time) == (3, 1)
    after = card_of_w1(TODAY)
    assert (after.tasks_due, after.done_on_time) == (4, 2)
