"""Residents: registering one, correcting the record, recording a move or a death, and
revealing the full ID number."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry.models import EmergencyContact, Household, Resident, ResidentStatus
from gridcare.registry.rules import (
    ContactDetails,
    RegistryError,
    RegistryPermissionError,
    check_disability,
    clean_contacts,
    clean_phone,
    parse_id_number,
    refuse_duplicate,
    require,
    require_in_scope,
)
from gridcare.registry.services.care_levels import rederive_care_level

# update_resident: fields a worker may correct; everything else needs edit_registry.
CONTACT_FIELDS = frozenset({"phone", "health_notes", "contacts"})
_KEEP: Any = object()


def _commit_resident(actor: Actor, resident: Resident) -> None:
    """Commit; a concurrent registration of the same number becomes a duplicate error."""
    number_hash = resident.id_number_hash
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        refuse_duplicate(actor, number_hash, own_id=resident.id)
        raise


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
    require(actor, Permission.edit_registry)
    require_in_scope(actor, household)
    if not household.active:
        raise RegistryError("name", _l("This household is closed. Reopen it first."))
    name = (name or "").strip()
    if not name:
        raise RegistryError("name", _l("Give the resident's name."))
    number = parse_id_number(id_number)
    number_hash = vault().keyed_hash(number.value)
    refuse_duplicate(actor, number_hash)
    phone = clean_phone(phone, "phone")
    certificate = check_disability(
        disability_category, disability_grade, (disability_certificate or "").strip(), number.value
    )
    contact_rows = clean_contacts(contacts)
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
    if rederive_care_level(household, today()):
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
        require(actor, Permission.correct_contacts)
        if set(given) - CONTACT_FIELDS:
            raise RegistryPermissionError(Permission.edit_registry.value)
    require_in_scope(actor, resident.household)
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
        number = parse_id_number(given["id_number"])
        if number.value != current_number:
            number_hash = vault().keyed_hash(number.value)
            refuse_duplicate(actor, number_hash, own_id=resident.id)
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
        new_phone = clean_phone(given["phone"], "phone")
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
        certificate = check_disability(category, grade, new_certificate, number_value)
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
        rows = clean_contacts(given["contacts"])
        current = [ContactDetails(c.name, c.relation, c.phone) for c in resident.contacts]
        if rows != current:
            resident.contacts = [
                EmergencyContact(name=c.name, relation=c.relation, phone=c.phone) for c in rows
            ]
            changed.append("contacts")

    if changed:
        actor.audit("update", "resident", resident.id, changed)
    household = resident.household
    if rederive_care_level(household, today()):
        actor.audit("update", "household", household.id, ["care_level"])
    _commit_resident(actor, resident)
    return resident


def _end_residence(actor: Actor, resident: Resident, status: ResidentStatus, on: date) -> Resident:
    require(actor, Permission.edit_registry)
    require_in_scope(actor, resident.household)
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
    if rederive_care_level(household, today()):
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
    require(actor, Permission.reveal_id_number)
    require_in_scope(actor, resident.household)
    number = vault().decrypt(resident.id_number_encrypted)
    actor.audit("reveal_id_number", "resident", resident.id, ["id_number"])
    db.session.commit()
    return number
