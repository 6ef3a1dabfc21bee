"""The registry's rules: the checks every way into the registry applies (forms, imports,
door plates), and the errors they raise.

Each check takes plain values and raises a `RegistryError` naming the field the message
belongs to, or a `RegistryPermissionError`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor
from gridcare.areas.models import Area, AreaKind
from gridcare.errors import FieldError
from gridcare.extensions import db
from gridcare.phones import PHONE_MESSAGE, PHONE_PATTERN
from gridcare.registry import id_numbers
from gridcare.registry.models import (
    DISABILITY_CATEGORIES,
    DISABILITY_GRADES,
    Household,
    Resident,
)

MAX_CONTACTS = 3


class RegistryError(FieldError):
    """A change the registry refuses; `field` names the form field the message belongs to."""


class DuplicateIdNumber(RegistryError):
    """The ID number is already registered; `existing_id` is set only if the caller may see it."""

    def __init__(self, existing_id: int | None):
        if existing_id is None:
            message = _l("This ID number is already registered in another area.")
        else:
            message = _l("This ID number is already registered to a resident.")
        super().__init__("id_number", message)
        self.existing_id = existing_id


class RegistryPermissionError(PermissionError):
    """The actor's role or scope does not allow this change."""


@dataclass(frozen=True)
class ContactDetails:
    name: str
    relation: str = ""
    phone: str = ""


def require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise RegistryPermissionError(permission.value)


def require_in_scope(actor: Actor, household: Household) -> None:
    if not actor.scope.covers(household.grid.path):
        raise RegistryPermissionError("scope")


def grid_in_scope(actor: Actor, grid_id: int | None) -> Area:
    grid = None
    if grid_id is not None:
        stmt = select(Area).where(
            Area.id == grid_id, Area.kind == AreaKind.grid, actor.scope.filter(Area.path)
        )
        grid = db.session.scalar(stmt)
    if grid is None:
        raise RegistryError("grid_id", _l("Choose one of the grids in your areas."))
    return grid


def check_coordinates(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        field = "lon" if lon is None else "lat"
        raise RegistryError(field, _l("Give both latitude and longitude, or neither."))
    if lat is not None and not -90 <= lat <= 90:
        raise RegistryError("lat", _l("Latitude lies between -90 and 90."))
    if lon is not None and not -180 <= lon <= 180:
        raise RegistryError("lon", _l("Longitude lies between -180 and 180."))


def clean_phone(phone: str | None, field: str, required: bool = False) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if not phone:
        if required:
            raise RegistryError(field, _l("Give a phone number."))
        return ""
    if not PHONE_PATTERN.match(phone):
        raise RegistryError(field, PHONE_MESSAGE)
    return phone


def clean_contacts(contacts: Iterable[ContactDetails | Sequence[str]]) -> list[ContactDetails]:
    cleaned = []
    for i, contact in enumerate(contacts):
        if not isinstance(contact, ContactDetails):
            contact = ContactDetails(*contact)
        name, relation = contact.name.strip(), contact.relation.strip()
        if not (name or relation or contact.phone.strip()):
            continue  # an empty row of the form
        if not name:
            raise RegistryError(f"contacts.{i}.name", _l("Give the contact's name."))
        phone = clean_phone(contact.phone, f"contacts.{i}.phone", required=True)
        cleaned.append(ContactDetails(name, relation, phone))
    if len(cleaned) > MAX_CONTACTS:
        raise RegistryError("contacts", _l("At most %(n)d emergency contacts.", n=MAX_CONTACTS))
    return cleaned


def check_disability(
    category: int | None, grade: int | None, certificate: str | None, id_number: str
) -> str | None:
    """The normalised certificate number, after checking it against ID, category and grade."""
    if category is not None and category not in DISABILITY_CATEGORIES:
        raise RegistryError("disability_category", _l("Choose a category from 1 to 7."))
    if grade is not None and grade not in DISABILITY_GRADES:
        raise RegistryError("disability_grade", _l("Choose a grade from 1 to 4."))
    if category is not None and grade is None:
        raise RegistryError("disability_grade", _l("A disability category needs its grade."))
    if grade is not None and category is None:
        raise RegistryError("disability_category", _l("A disability grade needs its category."))
    if not certificate:
        return None
    if category is None:
        raise RegistryError(
            "disability_certificate",
            _l("Choose the disability category and grade that the certificate shows."),
        )
    try:
        return id_numbers.check_certificate(certificate, id_number, category, grade)
    except id_numbers.IdNumberError as exc:
        raise RegistryError("disability_certificate", exc.message) from exc


def parse_id_number(raw: str) -> id_numbers.IdNumber:
    try:
        return id_numbers.parse(raw or "")
    except id_numbers.IdNumberError as exc:
        raise RegistryError("id_number", exc.message) from exc


def refuse_duplicate(actor: Actor, number_hash: str, own_id: int | None = None) -> None:
    stmt = select(Resident.id).where(Resident.id_number_hash == number_hash)
    if own_id is not None:
        stmt = stmt.where(Resident.id != own_id)
    existing = db.session.scalar(stmt)
    if existing is None:
        return
    visible = db.session.scalar(
        select(Resident.id).where(
            Resident.id == existing, actor.scope.filter(Resident.scope_path())
        )
    )
    raise DuplicateIdNumber(visible)
