from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, inspect, select, text

from gridcare.accounts.services import actor_for
from gridcare.audit.models import AuditEvent
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.registry import services
from gridcare.registry.models import (
    EmergencyContact,
    Gender,
    Household,
    Resident,
    ResidentStatus,
)
from gridcare.registry.services import (
    DuplicateIdNumber,
    RegistryError,
    RegistryPermissionError,
)

OLD = date(1940, 5, 1)  # 86 in 2026: far from every age boundary


@pytest.fixture(autouse=True)
def _english(app):
    """Messages are checked in English; outside a request they follow the zh_CN default."""
    with force_locale("en"):
        yield


@pytest.fixture
def officer(make, tree):
    return actor_for(make.user("officer", areas=[tree["community1"]]), "10.0.0.1")


@pytest.fixture
def worker(make, tree):
    return actor_for(make.user("grid_worker", areas=[tree["grid1"]]), "10.0.0.2")


@pytest.fixture
def household(make, tree):
    return make.household(tree["grid1"], address="新华路12号")


def resident_count() -> int:
    return db.session.scalar(select(func.count(Resident.id)))


def audit_rows(entity: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    return list(db.session.scalars(stmt))


def every_stored_value() -> str:
    """Every value of every row of every table, as one string."""
    chunks = []
    existing = set(inspect(db.session.connection()).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name not in existing:
            continue
        for row in db.session.execute(select(table)):
            chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def add(actor, household, make, **fields):
    values = {"name": "王桂兰", "id_number": make.id_number(OLD, male=False)}
    values.update(fields)
    return services.add_resident(actor, household, **values)


# Households.


def test_officer_registers_a_household_in_a_grid_of_their_community(officer, tree):
    household = services.create_household(
        officer, tree["grid2"].id, " 新华路8号 ", "3", "2", "401", 39.77, 98.29
    )

    assert household.grid_id == tree["grid2"].id
    assert household.full_address == "新华路8号 3-2-401"
    assert household.care_level is None
    [event] = audit_rows("household")
    assert (event.action, event.entity_id) == ("create", household.id)
    assert "address" in event.field_names
    assert "新华路" not in event.fields


def test_a_grid_outside_the_officers_areas_is_refused(officer, tree):
    with pytest.raises(RegistryError) as raised:
        services.create_household(officer, tree["grid3"].id, "五一路1号")

    assert raised.value.field == "grid_id"
    assert db.session.scalar(select(func.count(Household.id))) == 0


def test_a_household_cannot_hang_off_a_community_instead_of_a_grid(officer, tree):
    with pytest.raises(RegistryError) as raised:
        services.create_household(officer, tree["community1"].id, "新华路1号")

    assert raised.value.field == "grid_id"


def test_a_worker_cannot_register_households(worker, tree):
    with pytest.raises(RegistryPermissionError):
        services.create_household(worker, tree["grid1"].id, "新华路1号")


def test_half_a_coordinate_pair_is_refused(officer, tree):
    with pytest.raises(RegistryError) as raised:
        services.create_household(officer, tree["grid1"].id, "新华路1号", lat=39.7)

    assert raised.value.field == "lon"


def test_updating_a_household_audits_only_the_changed_field_names(officer, household, tree):
    services.update_household(
        officer, household, grid_id=tree["grid2"].id, address=household.address, room="101"
    )

    assert household.grid_id == tree["grid2"].id
    [event] = audit_rows("household")
    assert event.field_names == ["grid_id", "room"]


def test_a_household_with_residents_cannot_be_closed(officer, household, make):
    make.resident(household)

    with pytest.raises(RegistryError):
        services.deactivate_household(officer, household)

    assert household.active


def test_a_household_is_closed_once_everyone_moved_out_and_can_be_reopened(
    officer, household, make
):
    resident = make.resident(household)
    services.move_out(officer, resident, today())

    services.deactivate_household(officer, household)
    assert not household.active

    services.reactivate_household(officer, household)
    assert household.active


# Adding residents.


def test_birth_date_and_gender_are_read_from_the_id_number(officer, household, make):
    number = make.id_number(date(1943, 2, 14), male=True)

    resident = add(officer, household, make, id_number=number)

    assert resident.birth_date == date(1943, 2, 14)
    assert resident.gender == Gender.male
    assert resident.status == ResidentStatus.active


def test_the_id_number_is_stored_only_encrypted(officer, household, make):
    number = make.id_number(OLD)
    certificate = number + "42"

    resident = add(
        officer,
        household,
        make,
        id_number=number,
        disability_category=4,
        disability_grade=2,
        disability_certificate=certificate,
    )

    row = db.session.execute(
        text("SELECT * FROM resident WHERE id = :id"), {"id": resident.id}
    ).one()
    assert number not in " ".join(str(value) for value in row)
    assert number not in every_stored_value()
    assert certificate not in every_stored_value()
    assert services.reveal_id_number(officer, resident) == number


def test_a_wrong_check_digit_is_refused_and_nothing_is_stored(officer, household, make):
    good = make.id_number(OLD)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")

    with pytest.raises(RegistryError) as raised:
        add(officer, household, make, id_number=wrong)

    assert raised.value.field == "id_number"
    assert "check digit is wrong" in str(raised.value.message)
    assert resident_count() == 0
    assert audit_rows() == []


def test_a_duplicate_id_number_names_the_existing_resident_in_scope(officer, household, make):
    existing = make.resident(household)
    number = services.reveal_id_number(officer, existing)

    with pytest.raises(DuplicateIdNumber) as raised:
        add(officer, make.household(household.grid), make, id_number=number)

    assert raised.value.field == "id_number"
    assert raised.value.existing_id == existing.id
    assert resident_count() == 1


def test_the_same_number_in_full_width_digits_is_a_duplicate(officer, household, make):
    number = make.id_number(OLD)
    make.resident(household, id_number=number)

    with pytest.raises(DuplicateIdNumber):
        add(officer, make.household(household.grid), make, id_number=number.translate(FULL_WIDTH))

    assert resident_count() == 1


def test_a_duplicate_outside_scope_is_refused_without_saying_who(officer, tree, household, make):
    elsewhere = make.resident(make.household(tree["grid3"]), name="李建国")
    admin = actor_for(make.user("officer", areas=[tree["district"]]))
    number = services.reveal_id_number(admin, elsewhere)

    with pytest.raises(DuplicateIdNumber) as raised:
        add(officer, household, make, id_number=number)

    assert raised.value.existing_id is None
    assert "another area" in str(raised.value.message)
    assert "李建国" not in str(raised.value.message)


def test_a_certificate_that_does_not_match_the_id_number_is_refused(officer, household, make):
    other = make.id_number(OLD)

    with pytest.raises(RegistryError) as raised:
        add(
            officer,
            household,
            make,
            disability_category=4,
            disability_grade=2,
            disability_certificate=other + "42",
        )

    assert raised.value.field == "disability_certificate"
    assert resident_count() == 0


def test_a_certificate_with_another_grade_is_refused(officer, household, make):
    number = make.id_number(OLD)

    with pytest.raises(RegistryError) as raised:
        add(
            officer,
            household,
            make,
            id_number=number,
            disability_category=4,
            disability_grade=2,
            disability_certificate=number + "43",
        )

    assert raised.value.field == "disability_certificate"


@pytest.mark.parametrize(
    ("category", "grade", "field"),
    [
        (4, None, "disability_grade"),
        (None, 2, "disability_category"),
        (8, 2, "disability_category"),
        (4, 5, "disability_grade"),
    ],
)
def test_disability_needs_a_valid_category_and_grade_together(
    officer, household, make, category, grade, field
):
    with pytest.raises(RegistryError) as raised:
        add(officer, household, make, disability_category=category, disability_grade=grade)

    assert raised.value.field == field


@pytest.mark.parametrize("phone", ["12345678901", "1381234567", "23812345678", "138-1234-567a"])
def test_a_malformed_phone_is_refused(officer, household, make, phone):
    with pytest.raises(RegistryError) as raised:
        add(officer, household, make, phone=phone)

    assert raised.value.field == "phone"
    assert resident_count() == 0


def test_an_emergency_contact_with_a_bad_phone_is_refused(officer, household, make):
    with pytest.raises(RegistryError) as raised:
        add(
            officer,
            household,
            make,
            contacts=[("王强", "儿子", "13800138000"), ("王芳", "女儿", "0937-1234")],
        )

    assert raised.value.field == "contacts.1.phone"
    assert resident_count() == 0


def test_contacts_are_stored_and_empty_rows_ignored(officer, household, make):
    resident = add(
        officer,
        household,
        make,
        phone="13912345678",
        contacts=[("王强", "儿子", "13800138000"), ("", "", ""), ("王芳", "", "13700137000")],
    )

    assert [(c.name, c.relation, c.phone) for c in resident.contacts] == [
        ("王强", "儿子", "13800138000"),
        ("王芳", "", "13700137000"),
    ]


def test_creating_a_resident_audits_field_names_never_values(officer, household, make):
    number = make.id_number(OLD)

    resident = add(
        officer,
        household,
        make,
        name="赵淑珍",
        id_number=number,
        phone="13912345678",
        contacts=[("王强", "儿子", "13800138000")],
    )

    [event] = audit_rows("resident")
    assert (event.action, event.entity_id, event.user_id) == (
        "create",
        resident.id,
        officer.user_id,
    )
    assert {"name", "id_number", "phone", "contacts"} <= set(event.field_names)
    for row in audit_rows():
        stored = f"{row.action} {row.entity} {row.fields} {row.client_addr}"
        for secret in (number, "赵淑珍", "13912345678", "王强", "13800138000"):
            assert secret not in stored


def test_adding_a_resident_derives_the_household_care_level(officer, household, make):
    add(officer, household, make, id_number=make.id_number(OLD), lives_alone=True)

    assert household.care_level == 1


def test_a_closed_household_takes_no_new_residents(officer, household, make):
    services.deactivate_household(officer, household)

    with pytest.raises(RegistryError):
        add(officer, household, make)


# Care levels re-derived.


def test_moving_out_keeps_the_record_and_rederives_the_level(officer, household, make):
    alone = make.resident(household, birth_date=OLD, lives_alone=True)
    assert household.care_level == 1
    moved_on = today() - timedelta(days=3)

    services.move_out(officer, alone, moved_on)

    db.session.expire_all()
    resident = db.session.get(Resident, alone.id)
    assert (resident.status, resident.status_date) == (ResidentStatus.moved_out, moved_on)
    assert resident.household.care_level is None
    assert audit_rows("resident")[-1].field_names == ["status", "status_date"]


def test_a_death_rederives_the_level_from_who_remains(officer, household, make):
    alone = make.resident(household, birth_date=OLD, lives_alone=True)
    make.resident(household, birth_date=date(1962, 3, 1))  # 60+ with no flag: level 3
    assert household.care_level == 1

    services.record_death(officer, alone, date(2026, 1, 2))

    assert alone.status == ResidentStatus.deceased
    assert alone.status_date == date(2026, 1, 2)
    assert household.care_level == 3
    assert db.session.get(Resident, alone.id) is not None


def test_a_future_move_out_date_is_refused(officer, household, make):
    resident = make.resident(household)

    with pytest.raises(RegistryError) as raised:
        services.move_out(officer, resident, today() + timedelta(days=1))

    assert raised.value.field == "on"
    assert resident.status == ResidentStatus.active


def test_a_resident_cannot_die_twice(officer, household, make):
    resident = make.resident(household)
    services.record_death(officer, resident, date(2026, 1, 2))

    with pytest.raises(RegistryError):
        services.move_out(officer, resident, date(2026, 1, 3))


def test_turning_80_while_living_alone_moves_the_household_to_level_1(officer, household, make):
    number = make.id_number(date(1946, 11, 15))
    add(officer, household, make, id_number=number, lives_alone=True)

    services.refresh_care_levels(date(2026, 11, 14))
    assert household.care_level == 2

    changed = services.refresh_care_levels(date(2026, 11, 15))
    assert changed == 1
    assert household.care_level == 1
    assert services.refresh_care_levels(date(2026, 11, 15)) == 0


def test_an_override_needs_a_reason(officer, household, make):
    make.resident(household, birth_date=date(1990, 1, 1))

    with pytest.raises(RegistryError) as raised:
        services.set_care_level_override(officer, household, 1, "  ")

    assert raised.value.field == "reason"
    assert household.care_level_override is None


def test_an_override_sets_the_level_and_clearing_it_restores_the_derived_one(
    officer, household, make
):
    make.resident(household, birth_date=date(1958, 1, 1))  # 68, no flags: level 3

    services.set_care_level_override(officer, household, 1, "Hoards gas cylinders")
    assert (household.care_level, household.care_level_override) == (1, 1)
    assert household.care_level_override_reason == "Hoards gas cylinders"
    event = audit_rows("household")[-1]
    assert "Hoards" not in event.fields
    assert "care_level_override_reason" in event.field_names

    services.set_care_level_override(officer, household, None, "")
    assert (household.care_level, household.care_level_override) == (3, None)
    assert household.care_level_override_reason == ""


# Updating residents.


def test_a_worker_corrects_phone_contacts_and_notes(worker, household, make):
    resident = make.resident(household, contacts=[("王强", "儿子", "13800138000")])

    services.update_resident(
        worker,
        resident,
        phone="13912345678",
        health_notes="高血压",
        contacts=[("王强", "儿子", "13600136000")],
    )

    assert resident.phone == "13912345678"
    assert [c.phone for c in resident.contacts] == ["13600136000"]
    assert db.session.scalar(select(func.count(EmergencyContact.id))) == 1
    assert audit_rows("resident")[-1].field_names == ["contacts", "health_notes", "phone"]


def test_a_worker_cannot_change_anything_but_contact_details(worker, household, make):
    resident = make.resident(household, name="张秀英")

    with pytest.raises(RegistryPermissionError):
        services.update_resident(worker, resident, name="张三", phone="13912345678")

    db.session.expire_all()
    resident = db.session.get(Resident, resident.id)
    assert (resident.name, resident.phone) == ("张秀英", "")


def test_an_officer_change_of_flags_rederives_the_level(officer, household, make):
    resident = make.resident(household, birth_date=OLD)
    assert household.care_level == 3

    services.update_resident(officer, resident, lives_alone=True)

    assert household.care_level == 1
    assert audit_rows("resident")[-1].field_names == ["lives_alone"]


def test_an_empty_id_number_keeps_the_stored_one(officer, household, make):
    resident = make.resident(household)
    before = resident.id_number_hash

    services.update_resident(officer, resident, id_number="", name="张秀兰")

    assert resident.id_number_hash == before
    assert audit_rows("resident")[-1].field_names == ["name"]


def test_correcting_the_id_number_updates_birth_date_and_gender(officer, household, make):
    resident = make.resident(household, birth_date=OLD, male=False)
    number = make.id_number(date(1941, 6, 1), male=True)

    services.update_resident(officer, resident, id_number=number)

    assert (resident.birth_date, resident.gender) == (date(1941, 6, 1), Gender.male)
    assert services.resident_by_id_number(officer.scope, number) == resident
    assert {"id_number", "birth_date", "gender"} <= set(audit_rows("resident")[-1].field_names)


def test_a_kept_certificate_must_still_match_a_new_grade(officer, household, make):
    number = make.id_number(OLD)
    resident = add(
        officer,
        household,
        make,
        id_number=number,
        disability_category=4,
        disability_grade=2,
        disability_certificate=number + "42",
    )

    with pytest.raises(RegistryError) as raised:
        services.update_resident(officer, resident, disability_grade=3, disability_certificate="")
    assert raised.value.field == "disability_certificate"

    services.update_resident(
        officer, resident, disability_grade=3, disability_certificate=number + "43"
    )
    assert resident.disability_grade == 3


def test_a_duplicate_id_number_is_refused_on_correction(officer, household, make):
    first = make.resident(household)
    second = make.resident(household)
    number = services.reveal_id_number(officer, first)

    with pytest.raises(DuplicateIdNumber) as raised:
        services.update_resident(officer, second, id_number=number)

    assert raised.value.existing_id == first.id


# Revealing and finding ID numbers.


def test_revealing_an_id_number_is_audited(officer, household, make):
    number = make.id_number(OLD)
    resident = make.resident(household, id_number=number)

    assert services.reveal_id_number(officer, resident) == number

    [event] = audit_rows()
    assert (event.action, event.entity, event.entity_id) == (
        "reveal_id_number",
        "resident",
        resident.id,
    )
    assert event.user_id == officer.user_id
    assert event.client_addr == "10.0.0.1"
    assert number not in event.fields


@pytest.mark.parametrize("role", ["grid_worker", "admin"])
def test_roles_without_the_permission_cannot_reveal(make, tree, household, role):
    actor = actor_for(make.user(role, areas=[tree["grid1"]]))
    resident = make.resident(household)

    with pytest.raises(RegistryPermissionError):
        services.reveal_id_number(actor, resident)

    assert audit_rows() == []


def test_civil_affairs_may_reveal_in_their_district(make, tree, household):
    actor = actor_for(make.user("civil_affairs", areas=[tree["district"]]))
    resident = make.resident(household)

    assert len(services.reveal_id_number(actor, resident)) == 18


def test_a_resident_is_found_by_id_number_only_in_scope(officer, make, tree, household):
    number = make.id_number(OLD)
    resident = make.resident(household, id_number=number)
    outsider = make.id_number(OLD)
    make.resident(make.household(tree["grid3"]), id_number=outsider)

    assert services.resident_by_id_number(officer.scope, number.lower()) == resident
    assert services.resident_by_id_number(officer.scope, outsider) is None


# The household list.


@pytest.fixture
def street(make, tree):
    """Households across two communities, with the people the filters look for."""
    h = {
        "alone": make.household(tree["grid1"], address="明珠路1号"),
        "nest": make.household(tree["grid2"], address="明珠路2号"),
        "disabled": make.household(tree["grid1"], address="明珠路3号"),
        "moved": make.household(tree["grid1"], address="明珠路4号"),
        "far": make.household(tree["grid3"], address="朝阳路1号"),
    }
    make.resident(h["alone"], name="刘德胜", birth_date=OLD, lives_alone=True, phone="13911112222")
    make.resident(
        h["nest"],
        name="陈美华",
        birth_date=date(1955, 1, 1),
        empty_nest=True,
        contacts=[("陈明", "儿子", "13733334444")],
    )
    make.resident(
        h["disabled"],
        name="孙立",
        birth_date=date(1985, 1, 1),
        disability_category=1,
        disability_grade=3,
    )
    make.resident(
        h["moved"],
        birth_date=OLD,
        lives_alone=True,
        status=ResidentStatus.moved_out,
        status_date=date(2025, 1, 1),
    )
    make.resident(h["far"], name="刘德胜", birth_date=OLD, lives_alone=True)
    return h


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def listed(actor, **filters) -> set[str]:
    return {h.address for h in services.list_households(actor.scope, **filters).items}


def test_the_list_shows_only_households_in_scope(officer, worker, street):
    assert listed(officer) == {"明珠路1号", "明珠路2号", "明珠路3号", "明珠路4号"}
    assert listed(worker) == {"明珠路1号", "明珠路3号", "明珠路4号"}


def test_filter_by_area_stays_inside_scope(officer, worker, tree, street):
    assert listed(officer, area_id=tree["grid2"].id) == {"明珠路2号"}
    assert listed(worker, area_id=tree["community1"].id) == {"明珠路1号", "明珠路3号", "明珠路4号"}
    assert listed(officer, area_id=tree["grid3"].id) == set()


def test_filter_by_care_level(officer, street):
    assert listed(officer, care_level=1) == {"明珠路1号"}
    assert listed(officer, care_level=2) == {"明珠路2号", "明珠路3号"}


@pytest.mark.parametrize(
    ("flag", "expected"),
    [("lives_alone", {"明珠路1号"}), ("empty_nest", {"明珠路2号"}), ("disabled", {"明珠路3号"})],
)
def test_flags_count_only_current_residents(officer, street, flag, expected):
    assert listed(officer, flag=flag) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("刘德", {"明珠路1号"}),
        ("路2", {"明珠路2号"}),
        ("13911112222", {"明珠路1号"}),
        ("2222", {"明珠路1号"}),
        ("13733334444", {"明珠路2号"}),
        ("%", set()),
    ],
)
def test_search_by_name_address_or_phone_never_leaves_scope(officer, street, q, expected):
    assert listed(officer, q=q) == expected


def test_an_id_number_in_the_search_finds_nothing_since_lookups_are_audited(
    officer, make, street, new_events
):
    number = make.id_number(OLD)
    make.resident(street["nest"], id_number=number)

    assert listed(officer, q=number) == set()
    assert listed(officer, q=f"{number[:6]} {number[6:14]} {number[14:]}") == set()
    assert listed(officer, q=number.translate(FULL_WIDTH)) == set()
    assert new_events("lookup_id_number") == []


def test_the_audited_lookup_reads_full_width_digits(officer, make, street, new_events):
    number = make.id_number(OLD)
    resident = make.resident(street["nest"], id_number=number)

    found = services.find_by_id_number(officer, number.translate(FULL_WIDTH))

    assert found.id == resident.id
    assert [e.entity_id for e in new_events("lookup_id_number")] == [resident.id]


def test_closed_households_are_listed_only_on_request(officer, street):
    street["moved"].active = False
    db.session.commit()

    assert "明珠路4号" not in listed(officer)
    assert "明珠路4号" in listed(officer, include_inactive=True)


def test_the_list_pages_in_address_order(officer, street):
    first = services.list_households(officer.scope, page_size=3)
    second = services.list_households(officer.scope, page=2, page_size=3)

    assert [h.address for h in first.items] == ["明珠路1号", "明珠路2号", "明珠路3号"]
    assert first.has_next
    assert [h.address for h in second.items] == ["明珠路4号"]
    assert not second.has_next


def test_a_page_costs_the_same_number_of_queries_however_many_households(officer, make, tree):
    def queries_for_listing() -> int:
        db.session.expunge_all()
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = services.list_households(officer.scope)
            for h in page.items:
                _ = (h.grid.name, [(r.name, r.lives_alone) for r in h.active_residents])
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    for _ in range(2):
        make.resident(make.household(tree["grid1"]), birth_date=OLD)
    few = queries_for_listing()
    for _ in range(30):
        household = make.household(tree["grid2"])
        make.resident(household, birth_date=OLD)
        make.resident(household, birth_date=date(1950, 1, 1))
    many = queries_for_listing()

    assert few == many <= 3
