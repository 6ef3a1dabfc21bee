"""The area tree, staff and homes most registry tests start from."""

from datetime import date

import pytest

OLD = date(1940, 5, 1)


@pytest.fixture
def tree(make):
    return make.tree()


@pytest.fixture
def officer(make, tree):
    """An officer over community1 (grid1 and grid2)."""
    return make.user("officer", areas=[tree["community1"]])


@pytest.fixture
def worker(make, tree):
    """A grid worker over grid1."""
    return make.user("grid_worker", areas=[tree["grid1"]])


@pytest.fixture
def home(make, tree):
    """A household in grid1 with one elderly man living alone, who has a phone and a son."""
    household = make.household(tree["grid1"], address="明珠路1号", building="3", room="301")
    make.resident(
        household,
        name="刘德胜",
        birth_date=OLD,
        male=True,
        lives_alone=True,
        phone="13800138000",
        contacts=[("刘明", "儿子", "13900139000")],
    )
    return household


@pytest.fixture
def elsewhere(make, tree):
    """A household in grid3, outside community1 and grid1."""
    household = make.household(tree["grid3"], address="朝阳路9号")
    make.resident(household, name="周玉兰", birth_date=OLD)
    return household
