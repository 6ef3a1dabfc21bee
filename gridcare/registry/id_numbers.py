"""Resident ID numbers (GB 11643-1999) and disability certificate numbers."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from gridcare.errors import FieldError
from gridcare.registry.models import Gender

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
ID_LENGTH = 18
# ASCII only: Python's \d also matches full-width and other scripts' digits.
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
# Looks like an ID number (15 digits for the old cards), once normalised.
_ID_LIKE = re.compile(r"^[0-9]{15,17}[0-9X]?$")


class IdNumberError(FieldError):
    """A number that cannot be right; `message` says what to check, in the user's language."""

    def __init__(self, message, field: str = "id_number"):
        super().__init__(field, message)


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    gender: Gender

    @property
    def masked(self) -> str:
        return mask(self.value)


def normalise(raw: str) -> str:
    """ASCII digits and X, without spaces: Chinese input methods type full-width ６２０２…,
    and the same person must not be registered twice under two spellings."""
    folded = unicodedata.normalize("NFKC", raw)  # full width to ASCII, Ｘ to X
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() else char
        for char in folded
        if not char.isspace()
    ).upper()


def looks_like_id_number(text: str) -> bool:
    """Whether a search box holds an ID number, however it was spaced or typed."""
    return bool(_ID_LIKE.match(normalise(text)))


def check_digit(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse(raw: str) -> IdNumber:
    """Validate an 18-character ID number and read its birth date and gender."""
    value = normalise(raw)
    if not _SHAPE.match(value):
        raise IdNumberError(_l("An ID number has 17 digits followed by a digit or X."))
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise IdNumberError(_l("The birth date inside this ID number does not exist.")) from exc
    if birth.year < 1880 or birth > date.today():
        raise IdNumberError(_l("The birth date inside this ID number is not plausible."))
    expected = check_digit(value[:17])
    if value[17] != expected:
        raise IdNumberError(
            _l(
                "The check digit is wrong: this number would end in %(expected)s. "
                "Please compare it with the ID card.",
                expected=expected,
            )
        )
    gender = Gender.male if int(value[16]) % 2 else Gender.female
    return IdNumber(value=value, birth_date=birth, gender=gender)


def mask(value: str) -> str:
    """Show the region code and the last two characters only: 620201**********1X."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 8) + value[-2:]


def certificate_number(id_number: str, category: int, grade: int) -> str:
    """A disability certificate number is the ID number, then the category and grade digits."""
    return f"{normalise(id_number)}{category}{grade}"


def check_certificate(certificate: str, id_number: str, category: int, grade: int) -> str:
    """The certificate number, normalised, once it matches the ID number, category and grade."""
    value = normalise(certificate)
    expected = certificate_number(id_number, category, grade)
    if len(value) != ID_LENGTH + 2:
        raise IdNumberError(_l("A disability certificate number has 20 characters."))
    if value[:ID_LENGTH] != expected[:ID_LENGTH]:
        raise IdNumberError(_l("The certificate number must start with the resident's ID number."))
    if value != expected:
        raise IdNumberError(
            _l(
                "The last two digits must be the category and grade: %(digits)s.",
                digits=f"{category}{grade}",
            )
        )
    return value


def make(region: str, birth_date: date, sequence: int) -> str:
    """Build a valid ID number; `sequence`'s last digit is odd for men, even for women."""
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)
