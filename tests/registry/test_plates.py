from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from gridcare.accounts.services import actor_for
from gridcare.audit.models import AuditEvent
from gridcare.extensions import db
from gridcare.registry.plates import household_for_door_token, qr_svg, rotate_door_token
from gridcare.registry.services import RegistryPermissionError

EN = {"Accept-Language": "en"}
INVALID = "This door plate is no longer valid"


@pytest.fixture
def worker(make, tree):
    return make.user("grid_worker", areas=[tree["grid1"]], full_name="李网格", phone="13912345678")


def page(response) -> str:
    return response.get_data(as_text=True)


def main(response) -> str:
    """The page's own content, without the menu (whose forms carry this page's address)."""
    body = page(response)
    return body[body.index("<main") : body.index("</main>")]


# The printable sheet.


def test_the_plates_of_a_grid_carry_a_qr_code_of_each_households_short_address(
    client, login, officer, worker, home, make, tree
):
    neighbour = make.household(tree["grid1"], address="明珠路2号")
    make.household(tree["grid1"], address="明珠路3号", active=False)
    make.household(tree["grid2"], address="和诚路5号")
    login(officer)

    body = page(client.get(f"/registry/plates?grid_id={tree['grid1'].id}", headers=EN))

    for household in (home, neighbour):
        url = f"http://localhost/h/{household.door_token}"
        assert url in body
        assert str(qr_svg(url)) in body
    assert body.count('<article class="plate">') == 2  # closed and other grids left out
    assert "明珠路1号 3-301" in body
    assert "李网格" in body and "13912345678" in body
    assert "Call your grid worker: 13912345678" in body


def test_the_qr_code_is_inline_svg_holding_the_url(app):
    svg = str(qr_svg("http://localhost/h/abc"))

    assert svg.startswith("<svg") and 'class="plate-qr"' in svg
    assert "<?xml" not in svg


def test_one_households_plate_can_be_printed_from_its_page(client, login, officer, home):
    login(officer)

    household_page = page(client.get(f"/registry/households/{home.id}", headers=EN))
    plate = page(client.get(f"/registry/households/{home.id}/plate", headers=EN))

    assert f"/registry/households/{home.id}/plate" in household_page
    assert plate.count('<article class="plate">') == 1
    assert f"http://localhost/h/{home.door_token}" in plate


def test_a_grid_outside_the_users_areas_gives_no_plates(client, login, worker, make, tree):
    elsewhere = make.household(tree["grid3"], address="朝阳路9号")
    login(worker)

    body = page(client.get(f"/registry/plates?grid_id={tree['grid3'].id}", headers=EN))

    assert elsewhere.door_token not in body
    assert "Choose one of the grids in your areas." in body
    assert client.get(f"/registry/households/{elsewhere.id}/plate").status_code == 404


def test_plates_print_six_to_an_a4_page(app):
    css = (Path(app.static_folder) / "css" / "app.css").read_text()

    assert "@page { size: A4" in css
    assert ".plate:nth-child(6n) { break-after: page" in css


# Scanning.


def test_scanning_opens_the_household_with_log_a_visit_one_tap_away(client, login, worker, home):
    login(worker)

    response = client.get(f"/h/{home.door_token}", headers=EN)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/visits/household/{home.id}"
    landing = page(client.get(response.headers["Location"], headers=EN))
    assert f"/visits/household/{home.id}/log?kind=home_visit" in landing
    assert "Log a visit" in landing


def test_an_anonymous_scan_logs_in_first_then_lands_on_the_household(client, worker, home):
    response = client.get(f"/h/{home.door_token}", headers=EN)

    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert urlsplit(login_url).path == "/login"
    assert f"next=/h/{home.door_token}" in login_url.replace("%2F", "/")
    after_login = client.post(
        login_url,
        data={"username": worker.username, "password": "correct horse battery"},
        headers=EN,
        follow_redirects=True,
    )
    assert after_login.request.path == f"/visits/household/{home.id}"
    assert "Log a visit" in page(after_login)


def test_an_unknown_token_gives_the_plain_invalid_page(client, login, worker):
    login(worker)

    response = client.get("/h/not-a-token", headers=EN)

    assert response.status_code == 404
    assert INVALID in page(response)


def test_a_user_outside_the_households_area_sees_the_same_plain_page(
    client, login, make, tree, home
):
    login(make.user("grid_worker", areas=[tree["grid3"]]))

    outside = client.get(f"/h/{home.door_token}", headers=EN)
    unknown = client.get("/h/not-a-token", headers=EN)

    assert outside.status_code == unknown.status_code == 404
    assert main(outside) == main(unknown)
    assert INVALID in main(outside)
    assert "明珠路1号" not in page(outside) and "刘德胜" not in page(outside)


def test_a_closed_households_plate_is_no_longer_valid(client, login, worker, make, tree):
    closed = make.household(tree["grid1"], address="明珠路3号", active=False)
    login(worker)

    response = client.get(f"/h/{closed.door_token}", headers=EN)

    assert response.status_code == 404 and INVALID in page(response)


# Replacing a plate's code.


def test_an_officer_replaces_a_lost_plates_code_and_the_old_plate_stops_working(
    client, login, officer, home, new_events
):
    old_token = home.door_token
    login(officer)

    response = client.post(f"/registry/households/{home.id}/door-token", headers=EN)

    assert response.status_code == 302
    db.session.refresh(home)
    assert home.door_token != old_token
    old = client.get(f"/h/{old_token}", headers=EN)
    assert old.status_code == 404 and INVALID in page(old)
    assert client.get(f"/h/{home.door_token}").status_code == 302
    [event] = new_events("rotate_door_token")
    assert (event.entity, event.entity_id, event.field_names) == (
        "household",
        home.id,
        ["door_token"],
    )
    assert old_token not in event.fields


def test_a_grid_worker_cannot_replace_a_plates_code(client, login, worker, home):
    old_token = home.door_token
    login(worker)

    assert client.post(f"/registry/households/{home.id}/door-token").status_code == 403
    db.session.refresh(home)
    assert home.door_token == old_token


def test_rotating_outside_scope_is_refused_by_the_service(make, tree):
    elsewhere = make.household(tree["grid3"], address="朝阳路9号")
    officer = make.user("officer", areas=[tree["community1"]])

    with pytest.raises(RegistryPermissionError):
        rotate_door_token(actor_for(officer), elsewhere)
    rotations = select(AuditEvent).where(AuditEvent.action == "rotate_door_token")
    assert db.session.scalar(rotations) is None


def test_token_lookup_respects_scope(make, tree, home, officer):
    inside = actor_for(officer).scope
    outside = actor_for(make.user("officer", areas=[tree["community2"]])).scope

    assert household_for_door_token(inside, home.door_token) == home
    assert household_for_door_token(outside, home.door_token) is None
    assert household_for_door_token(inside, "x" * 200) is None
