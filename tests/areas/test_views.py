from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from gridcare.accounts.models import Role
from gridcare.accounts.services import actor_for
from gridcare.areas.models import Area
from gridcare.areas.services import area_by_code
from gridcare.extensions import db
from tests.conftest import PASSWORD, new_client


@pytest.fixture
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def admin(make, login):
    user = make.user(Role.admin)
    login(user)
    return user


def reloaded(area: Area) -> Area:
    db.session.expire_all()
    return db.session.get(Area, area.id)


@pytest.mark.parametrize("role", [Role.grid_worker, Role.officer, Role.civil_affairs])
def test_only_admins_may_open_or_change_the_area_tree(client, make, login, role):
    tree = make.tree()
    login(make.user(role, [tree["district"]]))
    grid = tree["grid1"]
    assert client.get("/areas/").status_code == 403
    assert client.get("/areas/new").status_code == 403
    assert client.get(f"/areas/{grid.id}").status_code == 403
    response = client.post(
        "/areas/new",
        data={"kind": "grid", "name": "偷建", "code": "SNEAK", "parent_id": tree["community1"].id},
    )
    assert response.status_code == 403
    response = client.post(f"/areas/{grid.id}/move", data={"move-parent_id": tree["community2"].id})
    assert response.status_code == 403
    assert area_by_code("SNEAK") is None
    assert reloaded(grid).parent_id == tree["community1"].id


def test_area_pages_need_a_login(client):
    assert urlsplit(client.get("/areas/").headers["Location"]).path == "/login"


def test_admin_sees_the_whole_tree(client, make, admin):
    tree = make.tree()
    page = client.get("/areas/").get_data(as_text=True)
    for area in tree.values():
        assert area.name in page


def test_admin_builds_a_district_and_a_street_under_it(client, admin):
    response = client.post(
        "/areas/new", data={"kind": "district", "name": "长城区", "code": "620203", "parent_id": 0}
    )
    assert urlsplit(response.headers["Location"]).path == "/areas/"
    district = area_by_code("620203")
    assert district.parent_id is None and district.path == f"/{district.id}/"

    form = client.get(f"/areas/new?parent={district.id}").get_data(as_text=True)
    # Adding under an area preselects it and the kind below it.
    assert f'<option selected value="{district.id}">' in form
    assert '<option selected value="street">' in form
    client.post(
        "/areas/new",
        data={"kind": "street", "name": "峪泉镇", "code": "620203100", "parent_id": district.id},
    )
    street = area_by_code("620203100")
    assert street.path == f"{district.path}{street.id}/"


def test_a_grid_posted_under_a_street_is_refused_with_a_message(english, make, admin):
    tree = make.tree()
    response = english.post(
        "/areas/new",
        data={"kind": "grid", "name": "错位网格", "code": "WRONG", "parent_id": tree["street1"].id},
    )
    page = response.get_data(as_text=True)
    assert "This kind of area must sit under a Community." in page
    assert area_by_code("WRONG") is None


def test_a_duplicate_code_is_refused_next_to_the_code_field(english, make, admin):
    tree = make.tree()
    response = english.post(
        "/areas/new",
        data={
            "kind": "grid",
            "name": "重复网格",
            "code": tree["grid1"].code,
            "parent_id": tree["community1"].id,
        },
    )
    page = response.get_data(as_text=True)
    assert 'id="code-msg" role="alert">Another area already uses this code.' in page
    names = db.session.scalars(select(Area.name).where(Area.code == tree["grid1"].code))
    assert list(names) == ["明珠1网格"]


def test_admin_renames_an_area(client, make, admin):
    tree = make.tree()
    grid = tree["grid1"]
    client.post(f"/areas/{grid.id}", data={"name": "明珠一网格", "code": "MZ-01"})
    grid = reloaded(grid)
    assert (grid.name, grid.code) == ("明珠一网格", "MZ-01")


def test_a_district_offers_no_move(english, make, admin):
    tree = make.tree()
    make.area("district")
    page = english.get(f"/areas/{tree['district'].id}").get_data(as_text=True)
    assert "Everything under this area moves with it" not in page
    street_page = english.get(f"/areas/{tree['street1'].id}").get_data(as_text=True)
    assert "Everything under this area moves with it" in street_page


def test_moving_a_street_keeps_its_officers_able_to_see_its_grids(app, client, make, admin):
    tree = make.tree()
    street_officer = make.user(Role.officer, [tree["street1"]])
    grid_worker = make.user(Role.grid_worker, [tree["grid1"]])
    other_district = make.area("district", name="长城区")

    response = client.post(
        f"/areas/{tree['street1'].id}/move", data={"move-parent_id": other_district.id}
    )
    assert urlsplit(response.headers["Location"]).path == "/areas/"
    street, grid = reloaded(tree["street1"]), reloaded(tree["grid1"])
    assert street.path.startswith(other_district.path)
    assert grid.path.startswith(street.path)

    db.session.expire_all()
    assert actor_for(street_officer).scope.covers(grid.path)
    assert actor_for(grid_worker).scope.covers(grid.path)
    officer = new_client(app)
    officer.post("/login", data={"username": street_officer.username, "password": PASSWORD})
    assert officer.get(f"/reports/?area={grid.id}").status_code == 200
    # …and still not the other street's grids.
    assert officer.get(f"/reports/?area={tree['grid3'].id}").status_code == 404


def test_move_refuses_a_parent_of_the_wrong_kind(client, make, admin):
    tree = make.tree()
    response = client.post(
        f"/areas/{tree['grid1'].id}/move", data={"move-parent_id": tree["street2"].id}
    )
    assert response.status_code == 400
    assert reloaded(tree["grid1"]).parent_id == tree["community1"].id


def test_an_area_that_does_not_exist_is_a_404(client, admin):
    assert client.get("/areas/999999").status_code == 404


def test_the_tree_page_lists_grid_2_before_grid_10(client, make, admin):
    tree = make.tree()
    for n in range(3, 12):
        make.area("grid", tree["community1"], name=f"明珠{n}网格", code=f"MZ{n:02d}")
    tree["grid1"].code, tree["grid2"].code = "MZ01", "MZ02"
    db.session.commit()
    page = client.get("/areas/").get_data(as_text=True)
    positions = [page.index(f"明珠{n}网格") for n in range(1, 12)]
    assert positions == sorted(positions)
