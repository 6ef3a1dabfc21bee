"""Pages that list rows load what they show in a fixed number of queries, not one per row:
the models load nothing on access, so each page's query says what it needs."""

from datetime import date

import pytest

from tests.factories import Factory

EN = {"Accept-Language": "en"}
OLD = date(1938, 3, 1)


@pytest.fixture
def grid(make: Factory):
    tree = make.tree()
    return {
        "tree": tree,
        "worker": make.user("grid_worker", areas=[tree["grid1"]]),
        "officer": make.user("officer", areas=[tree["community1"]]),
    }


def add_homes(make: Factory, grid, n: int) -> None:
    """`n` level-1 homes in grid 1, each with an old man living alone (so with visits due)
    and a second resident with an emergency contact."""
    for _ in range(n):
        household = make.household(grid["tree"]["grid1"])
        make.resident(household, name="刘德胜", birth_date=OLD, male=True, lives_alone=True)
        make.resident(household, name="刘明", contacts=[("刘强", "son", "13800138000")])


def queries_for(client, count_queries, url: str) -> int:
    with count_queries() as counted:
        response = client.get(url, headers=EN)
    assert response.status_code == 200, url
    return counted.n


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("officer", "/registry/households?page_size=100"),
        ("worker", "/visits/today"),
        ("officer", "/visits/workload"),
    ],
)
def test_a_list_page_runs_as_many_queries_for_50_homes_as_for_5(
    client, login, make, grid, count_queries, who, url
):
    login(grid[who])
    add_homes(make, grid, 5)
    with_5 = queries_for(client, count_queries, url)
    add_homes(make, grid, 45)
    with_50 = queries_for(client, count_queries, url)
    assert with_50 == with_5


def test_the_household_page_runs_as_many_queries_for_8_residents_as_for_1(
    client, login, make, grid, count_queries
):
    login(grid["officer"])
    household = make.household(grid["tree"]["grid1"])
    make.resident(household, birth_date=OLD, contacts=[("刘强", "son", "13800138000")])
    url = f"/registry/households/{household.id}"
    with_1 = queries_for(client, count_queries, url)
    for _ in range(7):
        make.resident(household, contacts=[("刘强", "son", "13800138000")])
    with_8 = queries_for(client, count_queries, url)
    assert with_8 == with_1


@pytest.mark.parametrize("url", ["/visits/workload", "/hazards/queue"])
def test_pages_naming_households_by_address_read_no_residents_contacts_or_parent_areas(
    client, login, make, grid, url
):
    from datetime import timedelta

    from sqlalchemy import event, select

    from gridcare.accounts.services import actor_for
    from gridcare.extensions import db
    from gridcare.hazards import services as hazards
    from gridcare.hazards.models import HazardCategory, Severity
    from gridcare.registry.models import Household
    from gridcare.visits import services as visits
    from gridcare.visits.models import Visit

    add_homes(make, grid, 3)
    visits.generate_visits(date.today())
    for visit in db.session.scalars(select(Visit)):
        visit.due_date = date.today() - timedelta(days=3)
    db.session.commit()
    for household in db.session.scalars(select(Household)):
        hazards.raise_hazard(
            actor_for(grid["worker"]),
            household,
            category=list(HazardCategory)[0],
            severity=Severity.major,
            description="电线老化",
            today=date.today(),
        )
    login(grid["officer"])
    statements: list[str] = []

    def keep(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        html = client.get(url, headers=EN).get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert html.count("新华路") >= 3  # the addresses are on the page
    read = "\n".join(statements)
    assert "FROM resident" not in read and "JOIN resident" not in read
    assert "emergency_contact" not in read
    assert "area_1" not in read  # no area joined to its parent (login, scope, rows)
    assert "care_level_override_reason" not in read  # only the address columns
