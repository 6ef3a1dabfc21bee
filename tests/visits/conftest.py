from datetime import date

import pytest
from sqlalchemy import select

from gridcare.extensions import db
from gridcare.visits.models import Visit, VisitStatus


@pytest.fixture
def community(make):
    """Community 1 (grids 1 and 2) with its officer; grid 1 has a worker, grid 2 none.

    Households: `alone` (grid 1, 88 and living alone: level 1), `nest` (grid 2, empty
    nest at 76: level 2), `disabled` (grid 1, disabled at 46: level 2), and `elsewhere`
    in grid 3 of the other community, which has its own worker.
    """
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]], full_name="李网格")
    far_worker = make.user("grid_worker", areas=[tree["grid3"]], full_name="赵远方")
    officer = make.user("officer", areas=[tree["community1"]], full_name="王干部")
    alone = make.household(tree["grid1"], address="新华路1号")
    make.resident(alone, birth_date=date(1938, 3, 1), lives_alone=True)
    nest = make.household(tree["grid2"], address="新华路2号")
    make.resident(nest, birth_date=date(1950, 6, 1), empty_nest=True)
    disabled = make.household(tree["grid1"], address="新华路3号")
    make.resident(disabled, birth_date=date(1980, 6, 1), disability_category=4, disability_grade=3)
    elsewhere = make.household(tree["grid3"], address="五一路9号")
    make.resident(elsewhere, birth_date=date(1940, 1, 1), lives_alone=True)
    return {
        "tree": tree,
        "worker": worker,
        "far_worker": far_worker,
        "officer": officer,
        "alone": alone,
        "nest": nest,
        "disabled": disabled,
        "elsewhere": elsewhere,
    }


def open_tasks(household, kind=None) -> list[Visit]:
    """The household's planned visits, soonest first."""
    stmt = select(Visit).where(
        Visit.household_id == household.id, Visit.status == VisitStatus.planned
    )
    if kind:
        stmt = stmt.where(Visit.kind == kind)
    return list(db.session.scalars(stmt.order_by(Visit.due_date, Visit.id)))
