from datetime import date

import pytest
from flask_babel import force_locale

from gridcare.registry import id_numbers
from gridcare.registry.id_numbers import IdNumberError
from gridcare.registry.models import Gender


@pytest.fixture(autouse=True)
def _english(app):
    """Messages are checked in English; outside a request they follow the zh_CN default."""
    with force_locale("en"):
        yield


# A published sample number (GB 11643 worked example) and one built by `make`.
SAMPLE = "11010519491231002X"


def test_a_valid_number_gives_birth_date_and_gender():
    number = id_numbers.parse(SAMPLE)

    assert number.birth_date == date(1949, 12, 31)
    assert number.gender == Gender.female
    assert number.value == SAMPLE


def test_an_odd_sequence_digit_means_male():
    value = id_numbers.make("620201", date(1940, 5, 1), 11)

    assert id_numbers.parse(value).gender == Gender.male


def test_spaces_and_lowercase_x_are_accepted():
    assert id_numbers.parse(" 110105 19491231 002x ").value == SAMPLE


def test_a_wrong_check_digit_is_named_with_the_expected_one():
    with pytest.raises(IdNumberError) as raised:
        id_numbers.parse("110105194912310021")

    message = str(raised.value.message)
    assert "check digit is wrong" in message
    assert "end in X" in message


@pytest.mark.parametrize(
    "raw", ["", "12345", "11010519491231002", "1101051949123100XX", "A1010519491231002X"]
)
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(IdNumberError, match="17 digits"):
        id_numbers.parse(raw)


def test_an_impossible_birth_date_is_refused():
    first17 = "62020119490231001"  # 31 February
    with pytest.raises(IdNumberError, match="does not exist"):
        id_numbers.parse(first17 + id_numbers.check_digit(first17))


def test_a_birth_date_in_the_future_is_refused():
    first17 = "62020130990101001"
    with pytest.raises(IdNumberError, match="not plausible"):
        id_numbers.parse(first17 + id_numbers.check_digit(first17))


def test_every_number_make_builds_parses_back():
    for sequence in range(0, 1000, 37):
        value = id_numbers.make("620201", date(1952, 2, 29), sequence)
        assert id_numbers.parse(value).birth_date == date(1952, 2, 29)


def test_mask_keeps_the_region_and_last_two_characters():
    assert id_numbers.mask("62020119400501001X") == "620201**********1X"
    assert id_numbers.mask("123") == "***"


def test_a_matching_certificate_is_accepted_and_normalised():
    assert id_numbers.check_certificate(SAMPLE.lower() + "42", SAMPLE, 4, 2) == SAMPLE + "42"


def test_a_certificate_with_another_id_number_is_refused():
    other = id_numbers.make("620201", date(1940, 5, 1), 3)
    with pytest.raises(IdNumberError, match="start with the resident's ID number"):
        id_numbers.check_certificate(other + "42", SAMPLE, 4, 2)


def test_a_certificate_with_the_wrong_category_or_grade_is_refused():
    with pytest.raises(IdNumberError, match="category and grade: 42"):
        id_numbers.check_certificate(SAMPLE + "41", SAMPLE, 4, 2)


def test_a_certificate_of_the_wrong_length_is_refused():
    with pytest.raises(IdNumberError, match="20 characters"):
        id_numbers.check_certificate(SAMPLE + "4", SAMPLE, 4, 2)


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    "typed",
    [
        SAMPLE.translate(FULL_WIDTH),  # as Chinese input methods type it
        SAMPLE[:-1].translate(ARABIC_INDIC) + "x",
        f"{SAMPLE[:6]}\u3000{SAMPLE[6:14]} {SAMPLE[14:]}",
    ],
)
def test_any_unicode_digits_are_read_as_the_same_ascii_number(typed):
    assert id_numbers.normalise(typed) == SAMPLE
    assert id_numbers.parse(typed).value == SAMPLE
