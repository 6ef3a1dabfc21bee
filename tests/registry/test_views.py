import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gridcare.audit.models import AuditEvent
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry.models import (
    EmergencyContact,
    Gender,
    Household,
    Resident,
    ResidentStatus,
)
from tests.factories import loaded

OLD = date(1940, 5, 1)


@pytest.fixture(autouse=True)
def _english(client):
    """Pages are checked in English; without this they would follow the zh_CN default."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def resident_form(make, **fields) -> dict:
    values = {
        "name": "王桂兰",
        "id_number": make.id_number(OLD, male=False),
        "phone": "",
        "disability_category": "",
        "disability_grade": "",
        "disability_certificate": "",
        "health_notes": "",
    }
    for i in range(3):
        values.update(
            {f"contacts-{i}-name": "", f"contacts-{i}-relation": "", f"contacts-{i}-phone": ""}
        )
    values.update(fields)
    return values


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def reveals() -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == "reveal_id_number")
    return list(db.session.scalars(stmt))


def page(response) -> str:
    return response.get_data(as_text=True)


# Scope: outside the caller's areas everything is a 404.


def test_worker_cannot_open_household_outside_grid(client, login, worker, elsewhere):
    login(worker)
    resident = loaded(elsewhere, "residents").residents[0]

    assert client.get(f"/registry/households/{elsewhere.id}").status_code == 404
    assert client.get(f"/registry/households/{elsewhere.id}/edit").status_code == 404
    assert client.post(f"/registry/residents/{resident.id}/reveal").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/registry/households/{h}/residents/new"),
        ("post", "/registry/households/{h}/care-level"),
        ("post", "/registry/households/{h}/close"),
        ("post", "/registry/households/{h}/reopen"),
        ("get", "/registry/residents/{r}"),
        ("post", "/registry/residents/{r}/edit"),
        ("post", "/registry/residents/{r}/contacts"),
        ("post", "/registry/residents/{r}/move-out"),
        ("post", "/registry/residents/{r}/deceased"),
    ],
)
def test_every_route_is_a_404_outside_the_officers_community(
    client, login, officer, elsewhere, method, path
):
    login(officer)
    url = path.format(h=elsewhere.id, r=loaded(elsewhere, "residents").residents[0].id)

    assert getattr(client, method)(url).status_code == 404
    assert loaded(elsewhere, "residents").residents[0].status == ResidentStatus.active


def test_an_unknown_household_is_a_404(client, login, officer):
    login(officer)

    assert client.get("/registry/households/999999").status_code == 404


def test_the_list_never_shows_households_outside_scope(client, login, worker, home, elsewhere):
    login(worker)

    body = page(client.get("/registry/households"))

    assert "明珠路1号" in body
    assert "朝阳路9号" not in body


def test_the_list_requires_login(client):
    response = client.get("/registry/households")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# Roles: who sees and may use which actions.


def test_worker_gets_403_on_edit_routes_in_their_own_grid(client, login, worker, home):
    login(worker)
    resident = loaded(home, "residents").residents[0]

    assert client.get(f"/registry/households/{home.id}/edit").status_code == 403
    assert client.get(f"/registry/households/{home.id}/residents/new").status_code == 403
    assert client.get(f"/registry/residents/{resident.id}/edit").status_code == 403
    assert client.post(f"/registry/residents/{resident.id}/move-out").status_code == 403
    assert client.get("/registry/households/new").status_code == 403


def test_a_worker_may_not_see_a_full_id_number(client, login, worker, home):
    login(worker)

    response = client.post(
        f"/registry/residents/{loaded(home, 'residents').residents[0].id}/reveal"
    )

    assert response.status_code == 403
    assert reveals() == []


def test_worker_sees_correct_contact_details_but_no_edit_actions(client, login, worker, home):
    login(worker)

    body = page(client.get(f"/registry/households/{home.id}"))

    assert "Correct contact details" in body
    assert "Edit household" not in body
    assert "Add resident" not in body
    assert "Show full number" not in body


def test_officer_sees_every_action(client, login, officer, home):
    login(officer)

    body = page(client.get(f"/registry/households/{home.id}"))

    for action in ("Edit household", "Add resident", "Set care level", "Moved out", "Deceased"):
        assert action in body
    assert "Show full number" in body


def test_civil_affairs_reads_lists_and_details_without_edit_buttons(
    client, login, make, tree, home
):
    login(make.user("civil_affairs", areas=[tree["district"]]))

    listing = page(client.get("/registry/households"))
    detail = page(client.get(f"/registry/households/{home.id}"))

    assert "明珠路1号" in listing
    assert "New household" not in listing
    assert "刘德胜" in detail
    for action in ("Edit household", "Add resident", "Moved out", "Correct contact details"):
        assert action not in detail
    assert client.get(f"/registry/households/{home.id}/edit").status_code == 403


# The household page.


def test_the_household_page_shows_residents_with_masked_id_numbers(
    test_day, client, login, officer, home
):
    login(officer)
    resident = loaded(home, "residents").residents[0]
    number = vault().decrypt(resident.id_number_encrypted)

    body = page(client.get(f"/registry/households/{home.id}"))

    assert f"{number[:6]}**********{number[-2:]}" in body
    assert number not in body
    assert "刘德胜" in body and "刘明" in body and "13800138000" in body
    assert "Lives alone" in body
    assert "Level 1" in body
    assert "86 years old" in body  # born 1 May 1940


def test_revealing_shows_the_number_once_and_records_it(client, login, officer, home):
    login(officer)
    resident = loaded(home, "residents").residents[0]
    number = vault().decrypt(resident.id_number_encrypted)

    response = client.post(f"/registry/residents/{resident.id}/reveal")

    assert response.status_code == 200
    assert number in page(response)
    assert response.headers["Cache-Control"] == "no-store"
    [event] = reveals()
    assert (event.entity, event.entity_id, event.user_id) == ("resident", resident.id, officer.id)
    assert number not in page(client.get(f"/registry/households/{home.id}"))


def test_former_residents_stay_on_the_household_page(client, login, officer, make, home):
    make.resident(home, name="刘桂香", status=ResidentStatus.deceased, status_date=date(2025, 3, 1))
    login(officer)

    body = page(client.get(f"/registry/households/{home.id}"))

    assert "刘桂香" in body
    assert "Deceased" in body


# The list and its filters.


def test_the_list_filters_by_flag_level_area_and_search(client, login, officer, make, tree, home):
    nest = make.household(tree["grid2"], address="明珠路2号")
    make.resident(nest, name="陈美华", birth_date=date(1955, 1, 1), empty_nest=True)
    login(officer)

    def listed(query: str) -> str:
        return page(client.get(f"/registry/households?{query}"))

    assert "明珠路2号" in listed("flag=empty_nest") and "明珠路1号" not in listed("flag=empty_nest")
    assert "明珠路1号" in listed("care_level=1") and "明珠路2号" not in listed("care_level=1")
    by_grid = listed(f"area_id={tree['grid2'].id}")
    assert "明珠路2号" in by_grid and "明珠路1号" not in by_grid
    assert "明珠路2号" in listed("q=陈美") and "明珠路1号" not in listed("q=陈美")
    assert "No household matches" in listed("q=nobody")


def test_an_area_outside_scope_in_the_query_string_is_ignored(
    client, login, worker, tree, home, elsewhere
):
    login(worker)

    body = page(client.get(f"/registry/households?area_id={tree['grid3'].id}"))

    assert "朝阳路9号" not in body
    assert "明珠路1号" in body


def test_id_number_lookup_is_posted_audited_and_opens_the_household(
    client, login, officer, make, home
):
    number = make.id_number(date(1950, 1, 1))
    other = make.household(home.grid, address="明珠路7号")
    resident = make.resident(other, id_number=number)
    login(officer)

    found = client.post("/registry/households/lookup", data={"id_number": number})

    assert found.headers["Location"].endswith(
        f"/registry/households/{other.id}#resident-{resident.id}"
    )
    lookups = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "lookup_id_number")
    ).all()
    assert [(e.entity_id, e.fields) for e in lookups] == [(resident.id, "id_number")]


def test_an_id_number_typed_into_the_search_is_refused_and_never_echoed(
    client, login, officer, make, home
):
    number = make.id_number(date(1950, 1, 1))
    make.resident(home, id_number=number)
    login(officer)

    body = page(client.get(f"/registry/households?q={number}", headers={"Accept-Language": "en"}))

    assert "Look up ID numbers with the ID number box" in body
    assert number not in body


@pytest.mark.parametrize("spelling", ["spaced", "full_width"])
def test_an_id_number_typed_with_spaces_or_full_width_is_refused_too(
    client, login, officer, make, home, spelling
):
    number = make.id_number(date(1954, 5, 12))
    make.resident(home, id_number=number)
    typed = (
        f"{number[:6]} {number[6:14]} {number[14:]}"
        if spelling == "spaced"
        else number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    )
    login(officer)

    body = page(
        client.get(
            "/registry/households", query_string={"q": typed}, headers={"Accept-Language": "en"}
        )
    )

    assert "Look up ID numbers with the ID number box" in body
    assert number not in body and typed not in body


def test_the_list_pages(client, login, officer, make, tree):
    for n in range(52):
        make.household(tree["grid1"], address=f"长街{n:02d}号")
    login(officer)

    first = page(client.get("/registry/households"))
    second = page(client.get("/registry/households?page=2"))

    assert "长街00号" in first and "长街49号" in first and "长街50号" not in first
    assert "长街50号" in second and "长街51号" in second
    assert "Next" in first and "Previous" in second


# Households: create and edit.


def test_officer_registers_a_household(client, login, officer, tree):
    login(officer)

    response = client.post(
        "/registry/households/new",
        data={
            "grid_id": tree["grid2"].id,
            "address": "新华路8号",
            "building": "3",
            "lat": "39.77",
            "lon": "98.29",
        },
    )

    household = db.session.scalar(select(Household).where(Household.address == "新华路8号"))
    assert household is not None
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/registry/households/{household.id}/residents/new"
    )
    assert (household.grid_id, household.lat) == (tree["grid2"].id, 39.77)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "household"))
    assert "address" in event.field_names and "新华路" not in event.fields


def test_posting_a_grid_outside_scope_is_refused(client, login, officer, tree):
    login(officer)

    response = client.post(
        "/registry/households/new", data={"grid_id": tree["grid3"].id, "address": "朝阳路1号"}
    )

    assert response.status_code == 200
    assert "Choose one of the grids in your areas." in page(response)
    assert count(Household) == 0


def test_moving_a_household_to_a_grid_outside_scope_is_refused(client, login, officer, tree, home):
    login(officer)

    response = client.post(
        f"/registry/households/{home.id}/edit",
        data={"grid_id": tree["grid3"].id, "address": home.address},
    )

    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Household, home.id).grid_id == tree["grid1"].id


def test_officer_corrects_a_household_address(client, login, officer, tree, home):
    login(officer)

    response = client.post(
        f"/registry/households/{home.id}/edit",
        data={"grid_id": tree["grid1"].id, "address": "明珠路1号", "room": "302"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Household, home.id).room == "302"


def test_the_grid_select_offers_only_grids_in_scope(client, login, worker, make, tree):
    officer = make.user("officer", areas=[tree["community1"]])
    login(officer)

    body = page(client.get("/registry/households/new"))

    assert tree["grid1"].name in body and tree["grid2"].name in body
    assert tree["grid3"].name not in body


# Residents: add and edit.


def test_officer_adds_a_resident_and_the_id_number_fills_birth_date_and_gender(
    client, login, officer, make, home
):
    login(officer)
    number = make.id_number(date(1944, 8, 9), male=True)

    response = client.post(
        f"/registry/households/{home.id}/residents/new",
        data=resident_form(
            make,
            name="刘建华",
            id_number=number,
            phone="13912345678",
            empty_nest="y",
            **{
                "contacts-0-name": "刘强",
                "contacts-0-relation": "儿子",
                "contacts-0-phone": "13700137000",
            },
        ),
    )

    assert response.status_code == 302
    resident = db.session.scalar(select(Resident).where(Resident.name == "刘建华"))
    assert (resident.birth_date, resident.gender) == (date(1944, 8, 9), Gender.male)
    assert resident.empty_nest and not resident.lives_alone
    assert [c.name for c in loaded(resident, "contacts").contacts] == ["刘强"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "resident"))
    assert "id_number" in event.field_names
    assert number not in event.fields and "刘建华" not in event.fields


def test_a_wrong_check_digit_is_refused_with_its_message(client, login, officer, make, home):
    login(officer)
    good = make.id_number(OLD)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")

    response = client.post(
        f"/registry/households/{home.id}/residents/new", data=resident_form(make, id_number=wrong)
    )

    assert response.status_code == 200
    assert "The check digit is wrong" in page(response)
    assert count(Resident) == 1


def test_a_duplicate_id_number_links_to_the_existing_resident(client, login, officer, make, home):
    login(officer)
    existing = loaded(home, "residents").residents[0]
    number = vault().decrypt(existing.id_number_encrypted)

    response = client.post(
        f"/registry/households/{home.id}/residents/new", data=resident_form(make, id_number=number)
    )

    body = page(response)
    assert "already registered" in body
    assert f'href="/registry/residents/{existing.id}"' in body
    assert count(Resident) == 1
    follow = client.get(f"/registry/residents/{existing.id}")
    assert follow.headers["Location"].endswith(
        f"/registry/households/{home.id}#resident-{existing.id}"
    )


def test_a_duplicate_outside_scope_gives_no_link(client, login, officer, make, home, elsewhere):
    login(officer)
    number = vault().decrypt(loaded(elsewhere, "residents").residents[0].id_number_encrypted)

    response = client.post(
        f"/registry/households/{home.id}/residents/new", data=resident_form(make, id_number=number)
    )

    body = page(response)
    assert "already registered in another area" in body
    assert "/registry/residents/" not in body
    assert "周玉兰" not in body


def test_a_certificate_that_does_not_match_is_refused(client, login, officer, make, home):
    login(officer)
    number = make.id_number(OLD)

    response = client.post(
        f"/registry/households/{home.id}/residents/new",
        data=resident_form(
            make,
            id_number=number,
            disability_category="4",
            disability_grade="2",
            disability_certificate=number + "41",
        ),
    )

    assert "The last two digits must be the category and grade: 42" in page(response)
    assert count(Resident) == 1


def test_a_category_without_a_grade_is_refused(client, login, officer, make, home):
    login(officer)

    response = client.post(
        f"/registry/households/{home.id}/residents/new",
        data=resident_form(make, disability_category="4"),
    )

    assert "Choose both the category and the grade, or neither." in page(response)
    assert count(Resident) == 1


@pytest.mark.parametrize("field", ["phone", "contacts-1-phone"])
def test_a_bad_phone_is_refused(client, login, officer, make, home, field):
    login(officer)
    data = resident_form(make, **{field: "1234567"})
    data["contacts-1-name"] = "邻居王"

    response = client.post(f"/registry/households/{home.id}/residents/new", data=data)

    assert "A mobile number has 11 digits" in page(response)
    assert count(Resident) == 1


def test_the_edit_form_never_contains_the_id_number(client, login, officer, home):
    login(officer)
    resident = loaded(home, "residents").residents[0]
    number = vault().decrypt(resident.id_number_encrypted)

    body = page(client.get(f"/registry/residents/{resident.id}/edit"))

    assert "刘德胜" in body
    assert number not in body


def test_an_officer_edit_rederives_the_care_level(client, login, officer, make, home):
    login(officer)
    resident = loaded(home, "residents").residents[0]

    response = client.post(
        f"/registry/residents/{resident.id}/edit",
        data=resident_form(
            make,
            name="刘德胜",
            id_number="",
            **{
                "contacts-0-name": "刘明",
                "contacts-0-relation": "儿子",
                "contacts-0-phone": "13800138000",
            },
        ),
    )

    assert response.status_code == 302
    db.session.expire_all()
    household = db.session.get(Household, home.id)
    assert not loaded(household, "residents").residents[0].lives_alone
    assert household.care_level == 3


def test_a_worker_corrects_contact_details(client, login, worker, home):
    login(worker)
    resident = loaded(home, "residents").residents[0]

    response = client.post(
        f"/registry/residents/{resident.id}/contacts",
        data={
            "phone": "13912345678",
            "health_notes": "行动不便",
            "contacts-0-name": "刘明",
            "contacts-0-relation": "儿子",
            "contacts-0-phone": "13600136000",
            "name": "改名",
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    resident = db.session.get(Resident, resident.id)
    assert (resident.phone, resident.health_notes, resident.name) == (
        "13912345678",
        "行动不便",
        "刘德胜",
    )
    assert [c.phone for c in loaded(resident, "contacts").contacts] == ["13600136000"]


# Moving out, death, care-level override.


def test_moving_out_needs_a_date_not_in_the_future(client, login, officer, home):
    login(officer)
    resident = loaded(home, "residents").residents[0]
    url = f"/registry/residents/{resident.id}/move-out"

    missing = client.post(url, data={"on": ""})
    future = client.post(url, data={"on": (today() + timedelta(days=2)).isoformat()})

    assert "Give the date." in page(missing)
    assert "The date cannot be in the future." in page(future)
    assert resident.status == ResidentStatus.active


def test_moving_out_keeps_the_resident_and_rederives_the_level(client, login, officer, home):
    login(officer)
    resident = loaded(home, "residents").residents[0]
    on = today() - timedelta(days=1)

    response = client.post(
        f"/registry/residents/{resident.id}/move-out", data={"on": on.isoformat()}
    )

    assert response.status_code == 302
    db.session.expire_all()
    resident = db.session.get(Resident, resident.id)
    assert (resident.status, resident.status_date) == (ResidentStatus.moved_out, on)
    assert loaded(resident, "household").household.care_level is None
    body = page(client.get(f"/registry/households/{home.id}"))
    assert "刘德胜" in body and "Moved out" in body


def test_recording_a_death(client, login, officer, home):
    login(officer)
    resident = loaded(home, "residents").residents[0]

    response = client.post(f"/registry/residents/{resident.id}/deceased", data={"on": "2026-01-02"})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Resident, resident.id).status == ResidentStatus.deceased


def test_a_care_level_override_needs_a_reason(client, login, officer, home):
    login(officer)
    url = f"/registry/households/{home.id}/care-level"

    refused = client.post(url, data={"level": "2", "reason": ""})
    accepted = client.post(url, data={"level": "2", "reason": "Son moved in for the winter"})

    assert "Say why this household needs a different level." in page(refused)
    assert accepted.status_code == 302
    db.session.expire_all()
    household = db.session.get(Household, home.id)
    assert (household.care_level, household.care_level_override) == (2, 2)
    assert "Son moved in for the winter" in page(client.get(f"/registry/households/{home.id}"))


def test_closing_a_household_with_residents_is_refused(client, login, officer, home):
    login(officer)

    response = client.post(f"/registry/households/{home.id}/close", follow_redirects=True)

    assert "Record every resident as moved out or deceased" in page(response)
    db.session.expire_all()
    assert db.session.get(Household, home.id).active


# Labels as a Chinese reader sees them.

ZH = {"Accept-Language": "zh-CN,zh"}


def test_a_residents_name_is_labelled_xingming_not_mingcheng(client, login, officer, home):
    login(officer)
    html = client.get(f"/registry/households/{home.id}/residents/new", headers=ZH).get_data(
        as_text=True
    )
    assert re.search(r'<label for="name">\s*姓名\s*</label>', html)
    assert "名称" not in html


def test_the_import_help_says_zhaohu_dengji_and_never_repeats_a_label(client, login, officer):
    login(officer)
    html = client.get("/registry/import", headers=ZH).get_data(as_text=True)
    assert "护理等级" not in html and "照护等级" in html
    rows = re.findall(
        r'<tr><td lang="zh-CN">(.*?)</td><td>.*?</td><td>(.*?)</td></tr>',
        html[html.index("import-columns") :],
    )
    assert len(rows) > 10
    for header, what in rows:
        assert not what.startswith(header), (header, what)


# Hostile input: a message or a 404, never a server error.

NO_SUCH_ID = ["2147483648", "9223372036854775808", "1" + "0" * 30]


@pytest.mark.parametrize("number", NO_SUCH_ID)
def test_an_id_no_record_can_have_is_a_404(client, login, officer, number):
    login(officer)
    assert client.get(f"/registry/households/{number}").status_code == 404
    assert client.get(f"/registry/residents/{number}/edit").status_code == 404
    assert client.post(f"/registry/households/{number}/close").status_code == 404


@pytest.mark.parametrize("number", NO_SUCH_ID)
def test_a_page_number_past_any_list_shows_no_households(client, login, officer, home, number):
    login(officer)
    response = client.get("/registry/households", query_string={"page": number})
    assert response.status_code == 200
    assert "明珠路1号" not in page(response)


def test_blank_filters_are_no_filters(client, login, officer, home):
    login(officer)
    response = client.get("/registry/households", query_string={"flag": " ", "care_level": " "})
    assert response.status_code == 200
    assert "明珠路1号" in page(response)


def test_a_nul_in_the_search_is_a_bad_request(client, login, officer, home):
    login(officer)
    assert client.get("/registry/households?q=%E6%98%8E%00").status_code == 400


def test_a_nul_in_an_address_is_refused_next_to_the_field(client, login, officer, tree):
    login(officer)
    response = client.post(
        "/registry/households/new",
        data={"grid_id": str(tree["grid1"].id), "address": "明珠路\x002号"},
    )
    assert response.status_code == 200
    assert "cannot be stored (NUL)" in page(response)
    assert count(Household) == 0


def test_control_characters_are_dropped_from_stored_text(client, login, officer, home):
    resident = db.session.scalar(select(Resident).where(Resident.household_id == home.id))
    login(officer)
    response = client.post(
        f"/registry/residents/{resident.id}/contacts",
        data={
            "contacts-0-name": "刘\x0b明",
            "contacts-0-relation": "儿\x1b子",
            "contacts-0-phone": "13800138000",
            "health_notes": "高血压\x0b\x0c\n糖尿病\t二型",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Resident, resident.id).health_notes == "高血压\n糖尿病\t二型"
    contacts = db.session.execute(
        select(EmergencyContact.name, EmergencyContact.relation).where(
            EmergencyContact.resident_id == resident.id
        )
    )
    assert list(contacts) == [("刘明", "儿子")]


def test_contact_details_from_the_phones_outbox_answer_json(client, login, worker, home):
    login(worker)
    resident = loaded(home, "residents").residents[0]
    url = f"/registry/residents/{resident.id}/contacts"
    outbox = {"Accept": "application/json", "Accept-Language": "en"}
    data = {
        "phone": "13912345678",
        "contacts-0-name": "刘明",
        "contacts-0-relation": "儿子",
        "contacts-0-phone": "13600136000",
    }

    first = client.post(url, data=data, headers=outbox)
    again = client.post(url, data=data, headers=outbox)  # resent: the same details
    refused = client.post(url, data=data | {"phone": "12345"}, headers=outbox)

    assert first.json == again.json == {"id": resident.id, "state": "saved"}
    assert refused.status_code == 422 and refused.json["field"] == "phone"
    db.session.expire_all()
    assert db.session.get(Resident, resident.id).phone == "13912345678"
