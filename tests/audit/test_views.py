import re
from datetime import datetime

import pytest

from gridcare.accounts import services as accounts
from gridcare.accounts.models import Role
from gridcare.accounts.services import SYSTEM
from gridcare.areas import services as areas
from gridcare.areas.models import AreaKind
from gridcare.audit.services import events_for, recent_events, record
from gridcare.extensions import db
from tests.conftest import PASSWORD

SECRET_PASSWORD = "my secret passphrase"


@pytest.fixture
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_admin_audit_page_lists_who_did_what(english, make, login):
    admin = make.user(Role.admin, username="auditor")
    worker = make.user(Role.grid_worker, username="xiaoli")
    accounts.authenticate("xiaoli", "wrong password", "192.0.2.7")
    accounts.set_password(accounts.actor_for(admin, "192.0.2.1"), worker, SECRET_PASSWORD)
    login(admin)

    page = english.get("/audit/").get_data(as_text=True)
    assert "Failed login" in page and "192.0.2.7" in page
    assert "Changed" in page and "password" in page
    assert "auditor" in page  # who, by name
    assert "Logged in" in page  # the admin's own login just now


@pytest.mark.parametrize("role", [Role.grid_worker, Role.officer, Role.civil_affairs])
def test_only_admins_may_read_the_audit_trail(client, make, login, role):
    login(make.user(role))
    assert client.get("/audit/").status_code == 403


def test_audit_fields_never_hold_the_values_that_changed(make, new_events):
    tree = make.tree()
    user = accounts.create_user(
        SYSTEM,
        username="zhangwei",
        password=SECRET_PASSWORD,
        role=Role.grid_worker,
        area_ids=[tree["grid1"].id],
        full_name="张伟",
        phone="13700001111",
    )
    accounts.update_user(
        SYSTEM,
        user,
        role=Role.officer,
        area_ids=[tree["community1"].id],
        full_name="张大伟",
        phone="13700002222",
        active=True,
    )
    accounts.set_password(SYSTEM, user, SECRET_PASSWORD + "!")
    accounts.authenticate("zhangwei", PASSWORD)
    grid = areas.create_area(AreaKind.grid, "保密网格", "SECRET-G", tree["community1"])
    areas.rename_area(grid, "另一个名字", "SECRET-H")

    written = new_events()
    assert len(written) == 6
    values = [
        "zhangwei", SECRET_PASSWORD, "张伟", "张大伟", "13700001111", "13700002222",
        "grid_worker", "officer", str(tree["grid1"].id), "保密网格", "另一个名字", "SECRET",
    ]  # fmt: skip
    for event in written:
        for value in values:
            assert value not in event.fields, (event.action, event.fields)
        assert all(name.isidentifier() for name in event.field_names)


def test_events_for_a_record_come_newest_first(make):
    user = make.user()
    for action in ("create", "update", "reveal_id_number"):
        record(action, "user", user.id, user_id=None, client_addr=None, fields=["x"])
    assert [e.action for e in events_for("user", user.id)] == [
        "reveal_id_number",
        "update",
        "create",
    ]
    assert recent_events(limit=1)[0].action == "reveal_id_number"


def test_audit_page_pages_through_a_long_trail(english, make, login):
    user = make.user()
    for _ in range(105):
        record("update", "user", user.id, user_id=None, client_addr=None, fields=["phone"])
    login(make.user(Role.admin))
    first = english.get("/audit/").get_data(as_text=True)
    assert "Next" in first
    second = english.get("/audit/?page=2").get_data(as_text=True)
    assert "Previous" in second and "Next" not in second


def test_audit_page_names_actions_records_and_fields_in_words(english, make, login):
    user = make.user()
    for action, entity, fields in [
        ("approve", "hazard", ["status"]),
        ("report_fixed", "hazard", ["status"]),
        ("export", "coverage", ["period"]),
        ("import", "resident", ["id_number", "health_notes"]),
        ("rotate_door_token", "household", ["door_token"]),
        ("lookup_id_number", "resident", ["id_number"]),
    ]:
        record(action, entity, user.id, user_id=None, client_addr=None, fields=fields)
    record("update", "household", 1, user_id=None, client_addr=None, fields=["a_new_column"])
    login(make.user(Role.admin))
    page = english.get("/audit/").get_data(as_text=True)
    page = page[page.index("<table") :]  # the filters' option values are the raw words
    for raw in ("approve", "report_fixed", "rotate_door_token", "lookup_id_number", "door_token"):
        assert not re.search(rf"\b{raw}\b", page), raw
    for label in (
        "Hazard fix approved",
        "Reported fixed",
        "Exported",
        "Imported",
        "Door plate renewed",
        "Looked up by ID number",
        "Coverage report",
        "Door plate code",
        "Health notes",
    ):
        assert label in page
    assert "a_new_column" in page  # a field without a label is shown as stored


def test_audit_trail_filters_by_who_action_record_and_dates(english, make, login):
    admin = make.user(Role.admin, username="auditor")
    worker = make.user(Role.grid_worker, username="xiaoli")
    early = record("update", "household", 7, user_id=worker.id, client_addr="192.0.2.8")
    early.at = datetime(2026, 3, 1, 2)
    record("reveal_id_number", "resident", 8, user_id=worker.id, client_addr="192.0.2.9")
    record("update", "user", worker.id, user_id=admin.id, client_addr="192.0.2.10")
    db.session.commit()
    login(admin)

    def rows(query):
        page = english.get(f"/audit/?{query}").get_data(as_text=True)
        return re.findall(r"192\.0\.2\.(?:8|9|10)\b", page)

    assert sorted(rows("who=XiaoLi+")) == ["192.0.2.8", "192.0.2.9"]
    assert rows("action=reveal_id_number") == ["192.0.2.9"]
    assert rows("entity=user") == ["192.0.2.10"]
    assert rows("since=2026-02-01&until=2026-03-31") == ["192.0.2.8"]
    page = english.get("/audit/").get_data(as_text=True)
    assert '<select id="action"' in page and "Viewed ID number" in page


@pytest.mark.parametrize(
    "query",
    ["since=0001-01-01", "until=9999-12-31", "action=drop_table", "page=99999999999"],
)
def test_a_bad_audit_filter_is_a_message_not_an_error(english, make, login, query):
    login(make.user(Role.admin))
    response = english.get(f"/audit/?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "-3", "x"])
def test_a_page_number_past_the_log_shows_an_empty_page(english, make, login, number):
    login(make.user(Role.admin))
    response = english.get("/audit/", query_string={"page": number})
    assert response.status_code == 200
