from datetime import date

from gridcare.accounts.services import actor_for
from gridcare.clock import today
from gridcare.hazards import services as hazards
from gridcare.hazards.models import HazardCategory, Severity
from gridcare.households.page import household_page
from tests.factories import loaded


def test_the_page_gathers_current_residents_first_and_the_households_hazards(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    home = make.household(tree["grid1"])
    moved = make.resident(home, name="王建国", status="moved_out", status_date=date(2020, 1, 1))
    current = make.resident(home, name="李秀兰", lives_alone=True)
    hazard = hazards.raise_hazard(
        actor_for(worker),
        home,
        category=HazardCategory.fall,
        severity=Severity.minor,
        description="浴室地滑",
        today=today(),
    )

    page = household_page(actor_for(worker).scope, loaded(home, "residents"), today())

    assert [card.resident for card in page.residents] == [current, moved]
    assert page.hazards == [hazard]


def test_the_page_shows_no_hazards_to_someone_whose_areas_do_not_cover_them(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    home = make.household(tree["grid1"])
    make.resident(home)
    hazards.raise_hazard(
        actor_for(worker),
        home,
        category=HazardCategory.gas,
        severity=Severity.minor,
        description="软管老化",
        today=today(),
    )
    outsider = make.user("grid_worker", areas=[tree["grid3"]])

    assert (
        household_page(actor_for(outsider).scope, loaded(home, "residents"), today()).hazards == []
    )
