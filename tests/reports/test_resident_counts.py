"""Registry counts per grid: the one counting both the overview and the coverage report use."""

from datetime import date

from gridcare.registry.models import Household, Resident, ResidentStatus
from gridcare.reports.resident_counts import ResidentCounts, resident_counts

ON = date(2026, 11, 15)


def test_counts_are_per_grid_and_only_the_elderly_count_as_living_alone(make):
    tree = make.tree()
    make.resident(make.household(tree["grid1"]), birth_date=date(1940, 1, 1), lives_alone=True)
    make.resident(make.household(tree["grid1"]), birth_date=date(1980, 1, 1), lives_alone=True)
    make.resident(
        make.household(tree["grid2"]),
        birth_date=date(1950, 1, 1),
        empty_nest=True,
        disability_category=2,
        disability_grade=4,
    )
    grids = [tree["grid1"].id, tree["grid2"].id]

    counts = resident_counts(Household.grid_id.in_(grids), ON)

    assert set(counts) == set(grids)
    one, two = counts[tree["grid1"].id], counts[tree["grid2"].id]
    assert (one.residents, one.elderly, one.living_alone) == (2, 1, 1)
    assert (two.empty_nest, two.disabled) == (1, 1)
    assert two.disabled_by_category[2] == 1 and two.disabled_by_grade[4] == 1
    assert sum(two.disabled_by_category.values()) == 1


def test_only_residents_meeting_every_condition_are_counted(make):
    tree = make.tree()
    home = make.household(tree["grid1"])
    make.resident(home, birth_date=date(1940, 1, 1))
    make.resident(home, birth_date=date(1941, 1, 1), status=ResidentStatus.moved_out)
    in_grid = Household.grid_id == tree["grid1"].id

    everyone = resident_counts(in_grid, ON)[tree["grid1"].id]
    current = resident_counts(in_grid, ON, Resident.status == ResidentStatus.active)

    assert everyone.residents == 2
    assert current[tree["grid1"].id].residents == 1


def test_a_grid_with_no_residents_has_no_row(make):
    tree = make.tree()
    make.household(tree["grid1"])
    assert resident_counts(Household.grid_id == tree["grid1"].id, ON) == {}


def test_counts_add_up_field_by_field():
    a = ResidentCounts(residents=2, elderly=1, disabled=1)
    a.disabled_by_category[4] = 1
    b = ResidentCounts(residents=3, living_alone=1, disabled=1)
    b.disabled_by_category[4] = 1
    a.add(b)
    assert (a.residents, a.elderly, a.living_alone, a.disabled) == (5, 1, 1, 2)
    assert a.disabled_by_category[4] == 2
