import pytest
from flask_babel import force_locale

from gridcare.registry import rules
from gridcare.registry.rules import ContactDetails, RegistryError


@pytest.fixture(autouse=True)
def _english(app):
    with force_locale("en"):
        yield


def test_a_phone_typed_with_spaces_and_dashes_is_kept_as_digits():
    assert rules.clean_phone(" 138-0013 8000 ", "phone") == "13800138000"


def test_a_landline_number_is_refused_on_the_field_it_was_typed_in():
    with pytest.raises(RegistryError) as raised:
        rules.clean_phone("0937-6221234", "contacts.1.phone")
    assert raised.value.field == "contacts.1.phone"
    assert "11 digits" in str(raised.value.message)


def test_a_fourth_emergency_contact_is_refused():
    contacts = [ContactDetails(f"联系人{i}", "子女", "13900139000") for i in range(4)]
    with pytest.raises(RegistryError) as raised:
        rules.clean_contacts(contacts)
    assert raised.value.field == "contacts"


def test_a_grade_outside_one_to_four_is_refused(make):
    with pytest.raises(RegistryError) as raised:
        rules.check_disability(4, 5, None, make.id_number())
    assert raised.value.field == "disability_grade"


def test_an_id_number_with_a_wrong_check_digit_is_refused_on_the_id_field(make):
    good = make.id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(RegistryError) as raised:
        rules.parse_id_number(wrong)
    assert raised.value.field == "id_number"
