from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from gridcare.accounts.services import actor_for
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.registry import services
from gridcare.registry.models import (
    EmergencyContact,
    Gender,
    Resident,
    ResidentStatus,
)
from gridcare.registry.services import (
    DuplicateIdNumber,
    RegistryError,
    RegistryPermissionError,
)
from tests.factories import loaded
from tests.registry.services.conftest import (
    FULL_WIDTH,
    OLD,
    add,
    audit_rows,
    every_stored_value,
    resident_count,
)

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
        add(officer, make.household(loaded(household, "grid").grid), make, id_number=number)

    assert raised.value.field == "id_number"
    assert raised.value.existing_id == existing.id
    assert resident_count() == 1


def test_the_same_number_in_full_width_digits_is_a_duplicate(officer, household, make):
    number = make.id_number(OLD)
    make.resident(household, id_number=number)

    with pytest.raises(DuplicateIdNumber):
        add(
            officer,
            make.household(loaded(household, "grid").grid),
            make,
            id_number=number.translate(FULL_WIDTH),
        )

    assert resident_count() == 1


def test_a_duplicate_outside_scope_is_refused_without_saying_who(officer, tree, household, make):
    elsewhere = make.resident(make.household(tree["grid3"]), name="李建国")
    admin = actor_for(make.user("officer", areas=[tree["district"]]))
    number = services.reveal_id_number(admin, loaded(elsewhere, "household"))

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

    assert [(c.name, c.relation, c.phone) for c in loaded(resident, "contacts").contacts] == [
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
    services.deactivate_household(officer, loaded(household, "residents"))

    with pytest.raises(RegistryError):
        add(officer, household, make)


def test_moving_out_keeps_the_record_and_rederives_the_level(officer, household, make):
    alone = make.resident(household, birth_date=OLD, lives_alone=True)
    assert household.care_level == 1
    moved_on = today() - timedelta(days=3)

    services.move_out(officer, alone, moved_on)

    db.session.expire_all()
    resident = db.session.get(Resident, alone.id)
    assert (resident.status, resident.status_date) == (ResidentStatus.moved_out, moved_on)
    assert loaded(resident, "household").household.care_level is None
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


# Updating residents.


def test_a_worker_corrects_phone_contacts_and_notes(worker, household, make):
    resident = make.resident(household, contacts=[("王强", "儿子", "13800138000")])

    services.update_resident(
        worker,
        loaded(resident, "contacts"),
        phone="13912345678",
        health_notes="高血压",
        contacts=[("王强", "儿子", "13600136000")],
    )

    assert resident.phone == "13912345678"
    assert [c.phone for c in loaded(resident, "contacts").contacts] == ["13600136000"]
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
