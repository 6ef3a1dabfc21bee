from datetime import date

import pytest

from gridcare.registry.models import ResidentStatus
from gridcare.reports.services import registry_counts

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
