"""Planning an import against the registry: which households and residents each row
would create or change, found in a few chunked queries, before anything is written."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gridcare.accounts.services import Actor
from gridcare.areas.models import Area, AreaKind
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry import id_numbers, rules
from gridcare.registry.imports.reading import Row, Sheet, cell_text, read_row
from gridcare.registry.imports.report import ImportReport, RowOutcome
from gridcare.registry.models import EmergencyContact, Household, Resident, ResidentStatus

# Rows per IN (...) query: well under every database's parameter limit.
CHUNK = 500


@dataclass
class Update:
    resident: Resident
    values: dict[str, Any]  # resident attribute -> new value (household by key)
    fields: list[str]
    contact: rules.ContactDetails | None = None
    contact_to_replace: EmergencyContact | None = None


@dataclass
class Plan:
    outcomes: list[RowOutcome] = field(default_factory=list)
    new_households: dict[tuple, None] = field(default_factory=dict)  # ordered set of keys
    existing_households: dict[tuple, int] = field(default_factory=dict)
    creates: list[Row] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    moved_from: set[int] = field(default_factory=set)

    @property
    def has_problems(self) -> bool:
        return any(o.problems for o in self.outcomes)

    def report(self, applied: bool) -> ImportReport:
        rows = tuple(self.outcomes)
        clean = [o for o in rows if not o.problems]
        new_keys = len(self.new_households)
        return ImportReport(
            rows=rows,
            households_created=new_keys,
            residents_created=sum(1 for o in clean if o.resident == "create"),
            residents_updated=sum(1 for o in clean if o.resident == "update"),
            applied=applied,
        )


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _grids_by_code(actor: Actor, codes: set[str]) -> dict[str, Area]:
    """The grids in the actor's areas among `codes`; other codes are simply absent."""
    found = {}
    for chunk in chunks(sorted(codes)):
        stmt = select(Area).where(
            Area.code.in_(chunk), Area.kind == AreaKind.grid, actor.scope.filter(Area.path)
        )
        found.update({area.code: area for area in db.session.scalars(stmt)})
    return found


def _residents_by_hash(hashes: list[str]) -> dict[str, tuple[Resident, str]]:
    """Registered residents with these keyed hashes, anywhere, with their grid's path."""
    found = {}
    for chunk in chunks(hashes):
        stmt = (
            select(Resident, Area.path)
            .join(Household, Household.id == Resident.household_id)
            .join(Area, Area.id == Household.grid_id)
            .where(Resident.id_number_hash.in_(chunk))
            .options(selectinload(Resident.contacts))
        )
        found.update({r.id_number_hash: (r, path) for r, path in db.session.execute(stmt)})
    return found


def _households_by_key(grid_ids: set[int]) -> dict[tuple, tuple[int, bool]]:
    """Each address in these grids -> (household id, active); an open household wins."""
    found: dict[tuple, tuple[int, bool]] = {}
    for chunk in chunks(sorted(grid_ids)):
        stmt = (
            select(
                Household.id,
                Household.grid_id,
                Household.address,
                Household.building,
                Household.unit,
                Household.room,
                Household.active,
            )
            .where(Household.grid_id.in_(chunk))
            .order_by(Household.active.desc(), Household.id)
        )
        for hid, grid_id, address, building, unit, room, active in db.session.execute(stmt):
            key = (
                grid_id,
                cell_text(address),
                cell_text(building),
                cell_text(unit),
                cell_text(room),
            )
            found.setdefault(key, (hid, active))
    return found


def make_plan(actor: Actor, sheet: Sheet) -> Plan:
    rows = [read_row(number, sheet.keys, cells) for number, cells in sheet.rows]
    grids = _grids_by_code(actor, {r.grid_code for r in rows if r.grid_code})
    first_row_of: dict[str, int] = {}
    for row in rows:
        if row.grid_code:
            row.grid = grids.get(row.grid_code)
            if row.grid is None:
                row.problem(
                    "grid_code",
                    _l("No grid with the code %(code)s in your areas.", code=row.grid_code),
                )
        if row.id_hash:
            first = first_row_of.setdefault(row.id_hash, row.number)
            if first != row.number:
                row.problem("id_number", _l("The same ID number is also on row %(n)d.", n=first))

    registered = _residents_by_hash([r.id_hash for r in rows if r.id_hash])
    households = _households_by_key({r.grid.id for r in rows if r.grid})
    plan = Plan()
    for row in rows:
        household = ""
        if row.grid and row.address:
            household = _plan_household(plan, row, households)
        resident, fields = "", []
        if row.id_number and household:
            found = registered.get(row.id_hash)
            if found is None:
                resident = _plan_create(plan, row)
            else:
                resident, fields = _plan_update(actor, plan, row, *found)
        if row.problems:
            household, resident, fields = "", "", []
        plan.outcomes.append(
            RowOutcome(
                row=row.number,
                name=row.name,
                address=row.full_address,
                household=household,
                resident=resident,
                fields=tuple(fields),
                problems=tuple(row.problems),
            )
        )
    # Households only rows with problems would have created are not counted.
    needed = {r.household_key for r in plan.creates} | {
        u.values["household_key"] for u in plan.updates if "household_key" in u.values
    }
    plan.new_households = {k: None for k in plan.new_households if k in needed}
    return plan


def _plan_household(plan: Plan, row: Row, households: dict[tuple, tuple[int, bool]]) -> str:
    key = row.household_key
    existing = households.get(key)
    if existing is None:
        plan.new_households.setdefault(key, None)
        return "new"
    household_id, active = existing
    if not active:
        row.problem("address", _l("The household at this address is closed. Reopen it first."))
        return ""
    plan.existing_households[key] = household_id
    return "existing"


def _plan_create(plan: Plan, row: Row) -> str:
    try:
        row.disability_certificate = rules.check_disability(
            row.disability_category,
            row.disability_grade,
            row.disability_certificate,
            row.id_number.value,
        )
    except rules.RegistryError as exc:
        row.registry_problem(exc)
    if not row.problems:
        plan.creates.append(row)
    return "create"


def _plan_update(
    actor: Actor, plan: Plan, row: Row, resident: Resident, grid_path: str
) -> tuple[str, list[str]]:
    if not actor.scope.covers(grid_path):
        row.registry_problem(rules.DuplicateIdNumber(None))
        return "", []
    if resident.status != ResidentStatus.active:
        row.problem(
            "id_number",
            _l(
                "This person is recorded as moved out or deceased. "
                "Their record cannot be changed by an import."
            ),
        )
        return "", []
    values: dict[str, Any] = {}
    key = row.household_key
    target = plan.existing_households.get(key)
    if target != resident.household_id:
        values["household_key"] = key
    if row.name != resident.name:
        values["name"] = row.name
    for attr in ("phone", "lives_alone", "empty_nest", "health_notes"):
        new = getattr(row, attr)
        if new is not None and new != getattr(resident, attr):
            values[attr] = new
    _plan_disability(row, resident, values)
    update = Update(resident, values, [])
    _plan_contact(row, resident, update)
    if row.problems:
        return "", []
    update.fields = sorted(
        {"household_id" if k == "household_key" else k for k in values}
        | ({"contacts"} if update.contact else set())
    )
    if not update.fields:
        return "unchanged", []
    plan.updates.append(update)
    if "household_key" in values:
        plan.moved_from.add(resident.household_id)
    return "update", update.fields


def _plan_disability(row: Row, resident: Resident, values: dict[str, Any]) -> None:
    if not row.has_disability_cells and row.disability_certificate is None:
        return
    if row.has_disability_cells:
        category, grade = row.disability_category, row.disability_grade
    else:
        category, grade = resident.disability_category, resident.disability_grade
    stored = resident.disability_certificate_encrypted
    stored = vault().decrypt(stored) if stored else None
    certificate = row.disability_certificate
    if certificate is None and stored and category is not None:
        if stored[id_numbers.ID_LENGTH :] != f"{category}{grade}":
            row.problem(
                "disability_certificate",
                _l(
                    "The certificate on file does not match the new category and grade: "
                    "give the new certificate number."
                ),
            )
            return
        certificate = stored
    try:
        certificate = rules.check_disability(category, grade, certificate, row.id_number.value)
    except rules.RegistryError as exc:
        row.registry_problem(exc)
        return
    if category != resident.disability_category:
        values["disability_category"] = category
    if grade != resident.disability_grade:
        values["disability_grade"] = grade
    if certificate != stored:
        values["disability_certificate"] = certificate


def _plan_contact(row: Row, resident: Resident, update: Update) -> None:
    if row.contact is None:
        return
    same_name = None
    for contact in resident.contacts:
        if (contact.name, contact.relation, contact.phone) == (
            row.contact.name,
            row.contact.relation,
            row.contact.phone,
        ):
            return
        if contact.name == row.contact.name and same_name is None:
            same_name = contact
    if same_name is None and len(resident.contacts) >= rules.MAX_CONTACTS:
        row.problem(
            "contact_name",
            _l(
                "This resident already has %(n)d emergency contacts. "
                "Remove one on the resident's page first.",
                n=rules.MAX_CONTACTS,
            ),
        )
        return
    update.contact = row.contact
    update.contact_to_replace = same_name
