"""The resident registry: households, residents and their emergency contacts.

Every write checks the actor's permission and scope, writes an audit event naming the
changed fields (never their values) and commits once, at its end. ID numbers and
certificate numbers are stored only encrypted, with a keyed hash for lookups.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, exists, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, lazyload, raiseload, selectinload

from gridcare.accounts.models import Permission
from gridcare.accounts.services import SYSTEM, Actor
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import Scope
from gridcare.clock import age_on, today
from gridcare.errors import FieldError
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry import id_numbers
from gridcare.registry.care_levels import household_care_level, resident_care_level
from gridcare.registry.flags import household_has
from gridcare.registry.models import (
    CARE_LEVELS,
    DISABILITY_CATEGORIES,
    DISABILITY_GRADES,
    EmergencyContact,
    Household,
    Resident,
    ResidentStatus,
)

# Sent inside the transaction when a household's care level changes, it moves to another
# grid, or it closes or reopens, with the household's id and the day; the visits domain
# follows with its schedules and open tasks.
# The sender is a tuple of household ids: one for a form, many for an import.
households_changed = Namespace().signal("households-changed")

PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
PHONE_MESSAGE = _l("A mobile number has 11 digits and starts with 13–19.")
MAX_CONTACTS = 3
# Digits typed into the search box are matched against phones from this length on, so
# a house number such as "12" does not pull in every phone that contains it.
MIN_PHONE_SEARCH = 4

# update_resident: fields a worker may correct; everything else needs edit_registry.
CONTACT_FIELDS = frozenset({"phone", "health_notes", "contacts"})
_KEEP: Any = object()


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


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    page_size: int
    has_next: bool


@dataclass(frozen=True)
class ResidentCard:
    """One resident as a household page shows them: age, care level and masked ID."""

    resident: Resident
    age: int
    care_level: int | None
    masked_id: str


# Reading.


def _search(q: str) -> ColumnElement[bool]:
    if id_numbers.looks_like_id_number(q):
        # Finding a person by ID number is an audited lookup (find_by_id_number), never
        # a list filter: the search form refuses it with a message pointing there.
        return false()
    conditions = [
        Household.address.icontains(q, autoescape=True),
        exists().where(
            Resident.household_id == Household.id, Resident.name.icontains(q, autoescape=True)
        ),
    ]
    if q.isdigit() and len(q) >= MIN_PHONE_SEARCH:
        conditions += [
            exists().where(
                Resident.household_id == Household.id,
                Resident.phone.contains(q, autoescape=True),
            ),
            exists()
            .where(
                Resident.household_id == Household.id,
                EmergencyContact.resident_id == Resident.id,
                EmergencyContact.phone.contains(q, autoescape=True),
            )
            .correlate(Household),
        ]
    return or_(*conditions)


def list_households(
    scope: Scope,
    *,
    area_id: int | None = None,
    care_level: int | None = None,
    flag: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> Page:
    """One page of the households in scope, filtered, by address.

    Two queries whatever the page size: households with their grid, then their residents.
    Contacts are not loaded, and raise if a list template reaches for them.
    """
    page = max(page, 1)
    stmt = households_query(
        scope,
        area_id=area_id,
        care_level=care_level,
        flag=flag,
        q=q,
        include_inactive=include_inactive,
    ).options(
        contains_eager(Household.grid),
        selectinload(Household.residents).options(
            lazyload(Resident.household), raiseload(Resident.contacts)
        ),
    )
    rows = list(db.session.scalars(stmt.limit(page_size + 1).offset((page - 1) * page_size)))
    return Page(rows[:page_size], page, page_size, len(rows) > page_size)


def households_query(
    scope: Scope,
    *,
    area_id: int | None = None,
    care_level: int | None = None,
    flag: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
) -> Select:
    """The households in scope that match the list's filters, by address, joined to the grid
    (`Area`); the list and the export add their own loading options."""
    stmt = select(Household).join(Area, Area.id == Household.grid_id).where(scope.filter(Area.path))
    if area_id is not None:
        area_path = select(Area.path).where(Area.id == area_id).scalar_subquery()
        stmt = stmt.where(Area.path.startswith(area_path))
    if care_level is not None:
        stmt = stmt.where(Household.care_level == care_level)
    if flag is not None:
        stmt = stmt.where(household_has(flag))  # an unknown flag raises ValueError
    if q and q.strip():
        stmt = stmt.where(_search(q.strip()))
    if not include_inactive:
        stmt = stmt.where(Household.active.is_(True))
    return stmt.order_by(
        Household.address, Household.building, Household.unit, Household.room, Household.id
    )


def household_residents(household: Household, on: date) -> list[ResidentCard]:
    """The household's residents, current ones first, each with age, level and masked ID."""
    residents = sorted(household.residents, key=lambda r: (r.status != ResidentStatus.active, r.id))
    return [
        ResidentCard(
            resident=r,
            # The dead stay the age they reached.
            age=age_on(r.birth_date, _age_date(r, on)),
            care_level=resident_care_level(r, on),
            masked_id=id_numbers.mask(vault().decrypt(r.id_number_encrypted)),
        )
        for r in residents
    ]


def _age_date(resident: Resident, on: date) -> date:
    if resident.status == ResidentStatus.deceased and resident.status_date:
        return resident.status_date
    return on


def find_by_id_number(actor: Actor, number: str) -> Resident | None:
    """The resident in the caller's areas with this ID number; every lookup is audited."""
    resident = resident_by_id_number(actor.scope, number)
    actor.audit("lookup_id_number", "resident", resident.id if resident else None, ["id_number"])
    db.session.commit()
    return resident


def resident_by_id_number(scope: Scope, number: str) -> Resident | None:
    """The resident in scope with this ID number, found through its keyed hash."""
    stmt = select(Resident).where(
        Resident.id_number_hash == vault().keyed_hash(id_numbers.normalise(number)),
        scope.filter(Resident.scope_path()),
    )
    return db.session.scalar(stmt)


# Shared checks.


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise RegistryPermissionError(permission.value)


def _require_in_scope(actor: Actor, household: Household) -> None:
    if not actor.scope.covers(household.grid.path):
        raise RegistryPermissionError("scope")


def _grid_in_scope(actor: Actor, grid_id: int | None) -> Area:
    grid = None
    if grid_id is not None:
        stmt = select(Area).where(
            Area.id == grid_id, Area.kind == AreaKind.grid, actor.scope.filter(Area.path)
        )
        grid = db.session.scalar(stmt)
    if grid is None:
        raise RegistryError("grid_id", _l("Choose one of the grids in your areas."))
    return grid


def _check_coordinates(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        field = "lon" if lon is None else "lat"
        raise RegistryError(field, _l("Give both latitude and longitude, or neither."))
    if lat is not None and not -90 <= lat <= 90:
        raise RegistryError("lat", _l("Latitude lies between -90 and 90."))
    if lon is not None and not -180 <= lon <= 180:
        raise RegistryError("lon", _l("Longitude lies between -180 and 180."))


def _clean_phone(phone: str | None, field: str, required: bool = False) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if not phone:
        if required:
            raise RegistryError(field, _l("Give a phone number."))
        return ""
    if not PHONE_PATTERN.match(phone):
        raise RegistryError(field, PHONE_MESSAGE)
    return phone


def _clean_contacts(contacts: Iterable[ContactDetails | Sequence[str]]) -> list[ContactDetails]:
    cleaned = []
    for i, contact in enumerate(contacts):
        if not isinstance(contact, ContactDetails):
            contact = ContactDetails(*contact)
        name, relation = contact.name.strip(), contact.relation.strip()
        if not (name or relation or contact.phone.strip()):
            continue  # an empty row of the form
        if not name:
            raise RegistryError(f"contacts.{i}.name", _l("Give the contact's name."))
        phone = _clean_phone(contact.phone, f"contacts.{i}.phone", required=True)
        cleaned.append(ContactDetails(name, relation, phone))
    if len(cleaned) > MAX_CONTACTS:
        raise RegistryError("contacts", _l("At most %(n)d emergency contacts.", n=MAX_CONTACTS))
    return cleaned


def _check_disability(
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


def _parse_id_number(raw: str) -> id_numbers.IdNumber:
    try:
        return id_numbers.parse(raw or "")
    except id_numbers.IdNumberError as exc:
        raise RegistryError("id_number", exc.message) from exc


def _refuse_duplicate(actor: Actor, number_hash: str, own_id: int | None = None) -> None:
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


def _commit_resident(actor: Actor, resident: Resident) -> None:
    """Commit; a concurrent registration of the same number becomes a duplicate error."""
    number_hash = resident.id_number_hash
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        _refuse_duplicate(actor, number_hash, own_id=resident.id)
        raise


def _rederive_care_level(household: Household, on: date) -> bool:
    return bool(rederive_care_levels([household], on))


def rederive_care_levels(households: Iterable[Household], on: date) -> list[Household]:
    """Re-derive each household's level (residents loaded); those whose level changed.

    One flush for all of them, then the visits domain follows each changed household.
    Does not commit.
    """
    changed = []
    for household in households:
        level = household_care_level(household.residents, household.care_level_override, on)
        if household.care_level != level:
            household.care_level = level
            changed.append(household)
    if changed:
        db.session.flush()
        households_changed.send(tuple(h.id for h in changed), on=on)
    return changed


# Households.


def create_household(
    actor: Actor,
    grid_id: int | None,
    address: str,
    building: str = "",
    unit: str = "",
    room: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> Household:
    """Register a home in a grid of the actor's areas."""
    _require(actor, Permission.edit_registry)
    grid = _grid_in_scope(actor, grid_id)
    address = (address or "").strip()
    if not address:
        raise RegistryError("address", _l("Give the street address."))
    _check_coordinates(lat, lon)
    household = Household(
        grid=grid,
        address=address,
        building=(building or "").strip(),
        unit=(unit or "").strip(),
        room=(room or "").strip(),
        lat=lat,
        lon=lon,
    )
    db.session.add(household)
    db.session.flush()
    actor.audit(
        "create",
        "household",
        household.id,
        ["grid_id", "address", "building", "unit", "room", "lat", "lon"],
    )
    db.session.commit()
    return household


def update_household(
    actor: Actor,
    household: Household,
    *,
    grid_id: int | None,
    address: str,
    building: str = "",
    unit: str = "",
    room: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> Household:
    """Correct a household's grid, address or coordinates."""
    _require(actor, Permission.edit_registry)
    _require_in_scope(actor, household)
    grid = _grid_in_scope(actor, grid_id)
    address = (address or "").strip()
    if not address:
        raise RegistryError("address", _l("Give the street address."))
    _check_coordinates(lat, lon)
    changed = []
    if household.grid_id != grid.id:
        household.grid = grid
        changed.append("grid_id")
    values = {
        "address": address,
        "building": (building or "").strip(),
        "unit": (unit or "").strip(),
        "room": (room or "").strip(),
        "lat": lat,
        "lon": lon,
    }
    for field, value in values.items():
        if getattr(household, field) != value:
            setattr(household, field, value)
            changed.append(field)
    if changed:
        actor.audit("update", "household", household.id, changed)
    if "grid_id" in changed:
        db.session.flush()
        households_changed.send((household.id,), on=today())
    db.session.commit()
    return household


def deactivate_household(actor: Actor, household: Household) -> Household:
    """Take a household off the books; only once nobody lives there any more."""
    _require(actor, Permission.edit_registry)
    _require_in_scope(actor, household)
    if household.active_residents:
        raise RegistryError(
            "active",
            _l("Record every resident as moved out or deceased before closing the household."),
        )
    if household.active:
        household.active = False
        actor.audit("deactivate", "household", household.id, ["active"])
        db.session.flush()
        households_changed.send((household.id,), on=today())
    db.session.commit()
    return household


def reactivate_household(actor: Actor, household: Household) -> Household:
    """Put a closed household back on the books, e.g. after a mistaken closure."""
    _require(actor, Permission.edit_registry)
    _require_in_scope(actor, household)
    if not household.active:
        household.active = True
        actor.audit("reactivate", "household", household.id, ["active"])
        db.session.flush()
        households_changed.send((household.id,), on=today())
    db.session.commit()
    return household


def set_care_level_override(
    actor: Actor, household: Household, level: int | None, reason: str = ""
) -> Household:
    """Flag a household at a level whatever its residents, with a reason; None clears it."""
    _require(actor, Permission.edit_registry)
    _require_in_scope(actor, household)
    reason = (reason or "").strip()
    if level is not None:
        if level not in CARE_LEVELS:
            raise RegistryError("level", _l("Choose level 1, 2 or 3."))
        if not reason:
            raise RegistryError("reason", _l("Say why this household needs a different level."))
    else:
        reason = ""
    changed = []
    if household.care_level_override != level:
        household.care_level_override = level
        changed.append("care_level_override")
    if household.care_level_override_reason != reason:
        household.care_level_override_reason = reason
        changed.append("care_level_override_reason")
    if _rederive_care_level(household, today()):
        changed.append("care_level")
    if changed:
        actor.audit("update", "household", household.id, changed)
    db.session.commit()
    return household


def refresh_care_levels(on: date, actor: Actor = SYSTEM, batch_size: int = 500) -> int:
    """Re-derive every active household's level on `on` (birthdays move people up); the count."""
    changed_count = 0
    last_id = 0
    while True:
        batch = list(
            db.session.scalars(
                select(Household)
                .where(Household.active.is_(True), Household.id > last_id)
                .order_by(Household.id)
                .limit(batch_size)
                .options(
                    selectinload(Household.residents).options(
                        lazyload(Resident.household), lazyload(Resident.contacts)
                    )
                )
            )
        )
        if not batch:
            break
        for household in batch:
            if _rederive_care_level(household, on):
                actor.audit("update", "household", household.id, ["care_level"])
                changed_count += 1
        last_id = batch[-1].id
        db.session.flush()
    db.session.commit()
    return changed_count


# Residents.


def add_resident(
    actor: Actor,
    household: Household,
    *,
    name: str,
    id_number: str,
    phone: str = "",
    lives_alone: bool = False,
    empty_nest: bool = False,
    disability_category: int | None = None,
    disability_grade: int | None = None,
    disability_certificate: str | None = None,
    health_notes: str = "",
    contacts: Iterable[ContactDetails | Sequence[str]] = (),
) -> Resident:
    """Register a resident; birth date and gender come from the ID number, which is encrypted."""
    _require(actor, Permission.edit_registry)
    _require_in_scope(actor, household)
    if not household.active:
        raise RegistryError("name", _l("This household is closed. Reopen it first."))
    name = (name or "").strip()
    if not name:
        raise RegistryError("name", _l("Give the resident's name."))
    number = _parse_id_number(id_number)
    number_hash = vault().keyed_hash(number.value)
    _refuse_duplicate(actor, number_hash)
    phone = _clean_phone(phone, "phone")
    certificate = _check_disability(
        disability_category, disability_grade, (disability_certificate or "").strip(), number.value
    )
    contact_rows = _clean_contacts(contacts)
    resident = Resident(
        household=household,
        name=name,
        gender=number.gender,
        birth_date=number.birth_date,
        id_number_encrypted=vault().encrypt(number.value),
        id_number_hash=number_hash,
        phone=phone,
        lives_alone=bool(lives_alone),
        empty_nest=bool(empty_nest),
        disability_category=disability_category,
        disability_grade=disability_grade,
        disability_certificate_encrypted=vault().encrypt(certificate) if certificate else None,
        health_notes=(health_notes or "").strip(),
        status=ResidentStatus.active,
        contacts=[
            EmergencyContact(name=c.name, relation=c.relation, phone=c.phone) for c in contact_rows
        ],
    )
    db.session.add(resident)
    db.session.flush()
    fields = ["name", "id_number", "gender", "birth_date", "phone", "lives_alone", "empty_nest"]
    if disability_category is not None:
        fields += ["disability_category", "disability_grade"]
    if certificate:
        fields.append("disability_certificate")
    if resident.health_notes:
        fields.append("health_notes")
    if contact_rows:
        fields.append("contacts")
    actor.audit("create", "resident", resident.id, fields)
    if _rederive_care_level(household, today()):
        actor.audit("update", "household", household.id, ["care_level"])
    _commit_resident(actor, resident)
    return resident


def update_resident(
    actor: Actor,
    resident: Resident,
    *,
    name: str = _KEEP,
    id_number: str = _KEEP,
    phone: str = _KEEP,
    lives_alone: bool = _KEEP,
    empty_nest: bool = _KEEP,
    disability_category: int | None = _KEEP,
    disability_grade: int | None = _KEEP,
    disability_certificate: str | None = _KEEP,
    health_notes: str = _KEEP,
    contacts: Iterable[ContactDetails | Sequence[str]] = _KEEP,
) -> Resident:
    """Correct a resident's record; arguments left out stay as they are.

    Officers may change everything. Workers (`correct_contacts` only) may change the
    phone, health notes and emergency contacts. An empty `id_number` or
    `disability_certificate` keeps the stored one, which the form never shows in clear.
    """
    given = {
        key: value
        for key, value in {
            "name": name,
            "id_number": id_number,
            "phone": phone,
            "lives_alone": lives_alone,
            "empty_nest": empty_nest,
            "disability_category": disability_category,
            "disability_grade": disability_grade,
            "disability_certificate": disability_certificate,
            "health_notes": health_notes,
            "contacts": contacts,
        }.items()
        if value is not _KEEP
    }
    if not actor.can(Permission.edit_registry):
        _require(actor, Permission.correct_contacts)
        if set(given) - CONTACT_FIELDS:
            raise RegistryPermissionError(Permission.edit_registry.value)
    _require_in_scope(actor, resident.household)
    if resident.status != ResidentStatus.active:
        raise RegistryError("name", _l("Only a current resident's record can be changed."))

    changed: list[str] = []
    if "name" in given:
        new_name = (given["name"] or "").strip()
        if not new_name:
            raise RegistryError("name", _l("Give the resident's name."))
        if new_name != resident.name:
            resident.name = new_name
            changed.append("name")

    current_number = vault().decrypt(resident.id_number_encrypted)
    number_value = current_number
    if (given.get("id_number") or "").strip():
        number = _parse_id_number(given["id_number"])
        if number.value != current_number:
            number_hash = vault().keyed_hash(number.value)
            _refuse_duplicate(actor, number_hash, own_id=resident.id)
            resident.id_number_encrypted = vault().encrypt(number.value)
            resident.id_number_hash = number_hash
            changed.append("id_number")
            if resident.birth_date != number.birth_date:
                resident.birth_date = number.birth_date
                changed.append("birth_date")
            if resident.gender != number.gender:
                resident.gender = number.gender
                changed.append("gender")
        number_value = number.value

    if "phone" in given:
        new_phone = _clean_phone(given["phone"], "phone")
        if new_phone != resident.phone:
            resident.phone = new_phone
            changed.append("phone")

    for flag in ("lives_alone", "empty_nest"):
        if flag in given and bool(given[flag]) != getattr(resident, flag):
            setattr(resident, flag, bool(given[flag]))
            changed.append(flag)

    disability_given = {"disability_category", "disability_grade", "disability_certificate"}
    if disability_given & set(given) or "id_number" in changed:
        category = given.get("disability_category", resident.disability_category)
        grade = given.get("disability_grade", resident.disability_grade)
        new_certificate = (given.get("disability_certificate") or "").strip()
        stored = resident.disability_certificate_encrypted
        if not new_certificate and stored and category is not None:
            # The stored certificate is kept, so it must still fit the number and grade.
            new_certificate = vault().decrypt(stored)
        certificate = _check_disability(category, grade, new_certificate, number_value)
        if category != resident.disability_category:
            resident.disability_category = category
            changed.append("disability_category")
        if grade != resident.disability_grade:
            resident.disability_grade = grade
            changed.append("disability_grade")
        old_certificate = vault().decrypt(stored) if stored else None
        if certificate != old_certificate:
            resident.disability_certificate_encrypted = (
                vault().encrypt(certificate) if certificate else None
            )
            changed.append("disability_certificate")

    if "health_notes" in given:
        notes = (given["health_notes"] or "").strip()
        if notes != resident.health_notes:
            resident.health_notes = notes
            changed.append("health_notes")

    if "contacts" in given:
        rows = _clean_contacts(given["contacts"])
        current = [ContactDetails(c.name, c.relation, c.phone) for c in resident.contacts]
        if rows != current:
            resident.contacts = [
                EmergencyContact(name=c.name, relation=c.relation, phone=c.phone) for c in rows
            ]
            changed.append("contacts")

    if changed:
        actor.audit("update", "resident", resident.id, changed)
    household = resident.household
    if _rederive_care_level(household, today()):
        actor.audit("update", "household", household.id, ["care_level"])
    _commit_resident(actor, resident)
    return resident


def _end_residence(actor: Actor, resident: Resident, status: ResidentStatus, on: date) -> Resident:
    _require(actor, Permission.edit_registry)
    _require_in_scope(actor, resident.household)
    if resident.status != ResidentStatus.active:
        raise RegistryError("on", _l("This resident is no longer recorded as living here."))
    if on is None:
        raise RegistryError("on", _l("Give the date."))
    if on > today():
        raise RegistryError("on", _l("The date cannot be in the future."))
    if on < resident.birth_date:
        raise RegistryError("on", _l("The date cannot be before the resident's birth."))
    resident.status = status
    resident.status_date = on
    actor.audit(status.value, "resident", resident.id, ["status", "status_date"])
    household = resident.household
    if _rederive_care_level(household, today()):
        actor.audit("update", "household", household.id, ["care_level"])
    db.session.commit()
    return resident


def move_out(actor: Actor, resident: Resident, on: date) -> Resident:
    """Record that a resident moved away on `on`; the record and its history stay."""
    return _end_residence(actor, resident, ResidentStatus.moved_out, on)


def record_death(actor: Actor, resident: Resident, on: date) -> Resident:
    """Record that a resident died on `on`; the record and its history stay."""
    return _end_residence(actor, resident, ResidentStatus.deceased, on)


def reveal_id_number(actor: Actor, resident: Resident) -> str:
    """The resident's full ID number, for roles allowed to see it; every reveal is audited."""
    _require(actor, Permission.reveal_id_number)
    _require_in_scope(actor, resident.household)
    number = vault().decrypt(resident.id_number_encrypted)
    actor.audit("reveal_id_number", "resident", resident.id, ["id_number"])
    db.session.commit()
    return number
