"""Applying a planned import in one transaction: bulk inserts for new households and
residents, row by row for changes, then the care levels of every household touched."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry import rules
from gridcare.registry.imports.planning import Plan, Update, chunks, make_plan
from gridcare.registry.imports.reading import Row, read_sheet
from gridcare.registry.imports.report import ImportFileError, ImportReport
from gridcare.registry.models import (
    EmergencyContact,
    Household,
    Resident,
    ResidentStatus,
    new_door_token,
)
from gridcare.registry.services.care_levels import rederive_care_levels

_HOUSEHOLD_FIELDS = ["grid_id", "address", "building", "unit", "room"]


def import_residents(actor: Actor, content: bytes, *, dry_run: bool = True) -> ImportReport:
    """Check a spreadsheet of households and residents and, unless `dry_run`, import it.

    All or nothing: any problem in any row blocks the import and nothing is written.
    Raises ImportFileError when the file itself cannot be read as the template.
    """
    if not actor.can(Permission.edit_registry):
        raise rules.RegistryPermissionError(Permission.edit_registry.value)
    sheet = read_sheet(content)
    plan = make_plan(actor, sheet)
    if dry_run or plan.has_problems:
        return plan.report(applied=False)
    try:
        _apply(actor, plan)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ImportFileError(
            _l("Someone changed the same records meanwhile. Nothing was imported: try again.")
        ) from exc
    return plan.report(applied=True)


def _apply(actor: Actor, plan: Plan) -> None:
    on = today()
    household_ids = dict(plan.existing_households)
    household_ids.update(_insert_households(actor, list(plan.new_households)))
    created = _insert_residents(actor, plan.creates, household_ids)
    touched = set(created) | plan.moved_from
    for update in plan.updates:
        touched.add(_update_resident(update, household_ids))
        actor.audit("update", "resident", update.resident.id, update.fields)
    actor.audit("import", "resident", None, _imported_fields(plan))
    db.session.flush()
    for chunk in chunks(sorted(touched)):
        stmt = (
            select(Household)
            .where(Household.id.in_(chunk))
            .options(selectinload(Household.residents))
            .execution_options(populate_existing=True)
        )
        for household in rederive_care_levels(db.session.scalars(stmt), on):
            actor.audit("update", "household", household.id, ["care_level"])


def _imported_fields(plan: Plan) -> list[str]:
    fields = set()
    if plan.new_households:
        fields.update(_HOUSEHOLD_FIELDS)
    if plan.creates:
        fields.update(["name", "id_number"])
    for update in plan.updates:
        fields.update(update.fields)
    return sorted(fields)


def _insert_households(actor: Actor, keys: list[tuple]) -> dict[tuple, int]:
    if not keys:
        return {}
    rows = [
        {
            "grid_id": grid_id,
            "address": address,
            "building": building,
            "unit": unit,
            "room": room,
            "door_token": new_door_token(),
        }
        for grid_id, address, building, unit, room in keys
    ]
    # Matched back by their unique new tokens: SQLite cannot batch an INSERT whose
    # RETURNING must follow the order of the rows, and row by row is far slower.
    returned = db.session.execute(
        insert(Household).returning(Household.id, Household.door_token), rows
    )
    id_by_token = {token: hid for hid, token in returned}
    ids = {key: id_by_token[row["door_token"]] for key, row in zip(keys, rows, strict=True)}
    for household_id in ids.values():
        actor.audit("create", "household", household_id, _HOUSEHOLD_FIELDS)
    return ids


def _insert_residents(actor: Actor, rows: list[Row], household_ids: dict[tuple, int]) -> set[int]:
    """Bulk-insert new residents and their contacts; the households they went into."""
    if not rows:
        return set()
    secrets = vault()
    values = [
        {
            "household_id": household_ids[row.household_key],
            "name": row.name,
            "gender": row.id_number.gender,
            "birth_date": row.id_number.birth_date,
            "id_number_encrypted": secrets.encrypt(row.id_number.value),
            "id_number_hash": row.id_hash,
            "phone": row.phone or "",
            "lives_alone": bool(row.lives_alone),
            "empty_nest": bool(row.empty_nest),
            "disability_category": row.disability_category,
            "disability_grade": row.disability_grade,
            "disability_certificate_encrypted": (
                secrets.encrypt(row.disability_certificate) if row.disability_certificate else None
            ),
            "health_notes": row.health_notes or "",
            "status": ResidentStatus.active,
        }
        for row in rows
    ]
    returned = db.session.execute(
        insert(Resident).returning(Resident.id, Resident.id_number_hash), values
    )
    id_by_hash = {number_hash: rid for rid, number_hash in returned}
    ids = [id_by_hash[row.id_hash] for row in rows]
    contacts = [
        {
            "resident_id": rid,
            "name": row.contact.name,
            "relation": row.contact.relation,
            "phone": row.contact.phone,
        }
        for rid, row in zip(ids, rows, strict=True)
        if row.contact
    ]
    if contacts:
        db.session.execute(insert(EmergencyContact), contacts)
    for rid, row in zip(ids, rows, strict=True):
        actor.audit("create", "resident", rid, _created_fields(row))
    return {v["household_id"] for v in values}


def _created_fields(row: Row) -> list[str]:
    fields = ["name", "id_number", "gender", "birth_date", "phone", "lives_alone", "empty_nest"]
    if row.disability_category is not None:
        fields += ["disability_category", "disability_grade"]
    if row.disability_certificate:
        fields.append("disability_certificate")
    if row.health_notes:
        fields.append("health_notes")
    if row.contact:
        fields.append("contacts")
    return fields


def _update_resident(update: Update, household_ids: dict[tuple, int]) -> int:
    """Write one planned change; the id of the household the resident now lives in."""
    resident = update.resident
    for attr, value in update.values.items():
        if attr == "household_key":
            resident.household_id = household_ids[value]
        elif attr == "disability_certificate":
            resident.disability_certificate_encrypted = vault().encrypt(value) if value else None
        else:
            setattr(resident, attr, value)
    if update.contact_to_replace is not None:
        update.contact_to_replace.relation = update.contact.relation
        update.contact_to_replace.phone = update.contact.phone
    elif update.contact is not None:
        resident.contacts.append(
            EmergencyContact(
                name=update.contact.name,
                relation=update.contact.relation,
                phone=update.contact.phone,
            )
        )
    return resident.household_id
