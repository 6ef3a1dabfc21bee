"""Per-grid counting: each figure counted once per grid, as of the period's end."""

from datetime import date

import pytest

from gridcare.extensions import db
from gridcare.registry.models import ResidentStatus
from gridcare.reports.coverage import grid_figures
from gridcare.reports.periods import month, parse
from tests.conftest import TEST_DAY

pytestmark = pytest.mark.usefixtures("test_day")
NOVEMBER = month(TEST_DAY)


def test_only_grids_under_the_area_are_counted(make):
    tree = make.tree()
    for grid in ("grid1", "grid3"):
        make.resident(make.household(tree[grid]), birth_date=date(1940, 1, 1), lives_alone=True)
    per_grid = grid_figures(tree["community1"], NOVEMBER)
    assert set(per_grid) == {tree["grid1"].id}
    assert per_grid[tree["grid1"].id].target == 1


def test_a_resident_who_left_after_the_period_still_counts_in_it(make):
    tree = make.tree()
    home = make.household(tree["grid1"])
    resident = make.resident(home, birth_date=date(1940, 1, 1), lives_alone=True)
    resident.status, resident.status_date = ResidentStatus.moved_out, date(2026, 12, 5)
    db.session.commit()

    november = grid_figures(tree["grid1"], NOVEMBER)[tree["grid1"].id]
    december = grid_figures(tree["grid1"], parse("2026-12")).get(tree["grid1"].id)

    assert (november.target, november.living_alone) == (1, 1)
    assert december is None or (december.target, december.living_alone) == (0, 0)


def test_a_resident_registered_after_the_period_is_not_counted_in_it(make):
    tree = make.tree()
    make.resident(make.household(tree["grid1"]), birth_date=date(1940, 1, 1), lives_alone=True)
    october = grid_figures(tree["grid1"], parse("2026-10"))
    assert all(f.target == 0 and f.living_alone == 0 for f in october.values())


def test_disability_breakdowns_name_only_the_categories_and_grades_present(make):
    tree = make.tree()
    make.resident(
        make.household(tree["grid1"]),
        birth_date=date(1980, 1, 1),
        disability_category=5,
        disability_grade=2,
    )
    figures = grid_figures(tree["grid1"], NOVEMBER)[tree["grid1"].id]
    assert (figures.disabled_by_category, figures.disabled_by_grade) == ({"5": 1}, {"2": 1})
