"""The registry overview's counts and where a caller's reports start."""

from datetime import date

import pytest

from gridcare.accounts.services import actor_for
from gridcare.areas.scope import NOWHERE
from gridcare.registry.models import ResidentStatus
from gridcare.reports.coverage import coverage
from gridcare.reports.periods import month
from gridcare.reports.services import default_area, registry_counts
from tests.conftest import TEST_DAY

pytestmark = pytest.mark.usefixtures("test_day")
ON = date(2026, 11, 15)


def test_counts_group_by_child_area_and_add_up_to_the_total(make):
    tree = make.tree()
    h1 = make.household(tree["grid1"])
    make.resident(h1, birth_date=date(1940, 1, 1), lives_alone=True)  # 86, alone: level 1
    h2 = make.household(tree["grid3"])
    make.resident(h2, birth_date=date(1960, 1, 1), empty_nest=True)  # 66, empty nest: level 2
    make.resident(h2, birth_date=date(1990, 1, 1), disability_category=4, disability_grade=2)
    h3 = make.household(tree["grid4"])
    make.resident(h3, birth_date=date(1950, 1, 1), status=ResidentStatus.moved_out)

    rows, total = registry_counts(tree["district"], ON)

    by_name = {row.area.name: row for row in rows}
    assert set(by_name) == {tree["street1"].name, tree["street2"].name}
    s1, s2 = by_name[tree["street1"].name], by_name[tree["street2"].name]
    assert (s1.households, s1.by_care_level, s1.living_alone) == (1, {1: 1, 2: 0, 3: 0}, 1)
    assert (s2.households, s2.target_households, s2.residents) == (2, 1, 2)
    assert (s2.empty_nest, s2.disabled, s2.disabled_by_category[4]) == (1, 1, 1)
    assert s2.disabled_by_grade[2] == 1
    assert total.households == 3
    assert total.residents == 3
    assert total.elderly == 2
    assert total.target_households == 2


def test_a_grid_reports_on_itself(make):
    tree = make.tree()
    make.resident(make.household(tree["grid2"]), birth_date=date(1950, 3, 1))
    rows, total = registry_counts(tree["grid2"], ON)
    assert [row.area.id for row in rows] == [tree["grid2"].id]
    assert total.by_care_level[3] == 1


def test_civil_affairs_sees_counts_for_their_district_only(make, client, login):
    tree = make.tree()
    other = make.area("district", name="镜铁区")
    civil = make.user("civil_affairs", areas=[tree["district"]])
    login(civil)
    page = client.get("/reports/")
    assert page.status_code == 200
    assert tree["street1"].name in page.get_data(as_text=True)
    assert client.get(f"/reports/?area={other.id}").status_code == 404


def test_workers_cannot_open_reports(make, client, login):
    tree = make.tree()
    login(make.user("grid_worker", areas=[tree["grid1"]]))
    assert client.get("/reports/").status_code == 403


def test_closed_households_and_former_residents_are_not_counted(make):
    tree = make.tree()
    closed = make.household(tree["grid1"], active=False)
    make.resident(closed, birth_date=date(1940, 1, 1), lives_alone=True)
    home = make.household(tree["grid1"])
    make.resident(home, birth_date=date(1941, 1, 1), lives_alone=True)
    make.resident(home, birth_date=date(1939, 1, 1), status=ResidentStatus.deceased)

    _, total = registry_counts(tree["grid1"], ON)

    assert (total.households, total.residents, total.living_alone) == (1, 1, 1)


def test_elderly_means_60_or_over_on_the_day_counted(make):
    tree = make.tree()
    make.resident(make.household(tree["grid1"]), birth_date=date(1966, 11, 20), lives_alone=True)
    _, before = registry_counts(tree["grid1"], date(2026, 11, 19))
    _, after = registry_counts(tree["grid1"], date(2026, 11, 20))
    assert (before.elderly, before.living_alone) == (0, 0)
    assert (after.elderly, after.living_alone) == (1, 1)


@pytest.mark.usefixtures("test_day")
def test_the_registry_overview_and_the_coverage_report_count_residents_alike(make):
    tree = make.tree()
    h1 = make.household(tree["grid1"])
    make.resident(h1, birth_date=date(1940, 1, 1), lives_alone=True)
    make.resident(h1, birth_date=date(1945, 1, 1), disability_category=1, disability_grade=1)
    h2 = make.household(tree["grid3"])
    make.resident(h2, birth_date=date(1955, 1, 1), empty_nest=True)
    make.resident(h2, birth_date=date(1990, 1, 1), disability_category=6, disability_grade=3)

    _, counted = registry_counts(tree["district"], TEST_DAY)
    reported = coverage(tree["district"], month(TEST_DAY)).total

    assert (
        (reported.living_alone, reported.empty_nest, reported.disabled)
        == (
            counted.living_alone,
            counted.empty_nest,
            counted.disabled,
        )
        == (1, 1, 2)
    )
    assert reported.disabled_by_category == {"1": 1, "6": 1}
    assert reported.disabled_by_grade == {"1": 1, "3": 1}
    assert {c: n for c, n in counted.disabled_by_category.items() if n} == {1: 1, 6: 1}


def test_reports_start_at_the_highest_area_a_caller_may_see(make):
    tree = make.tree()
    civil = make.user("civil_affairs", areas=[tree["street2"], tree["grid1"]])
    assert default_area(actor_for(civil).scope).id == tree["street2"].id
    assert default_area(NOWHERE) is None
