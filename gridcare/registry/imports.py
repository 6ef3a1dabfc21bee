"""Bulk import of households and residents from a spreadsheet (XLSX, or CSV in UTF-8 or GBK).

`import_residents` reads the file, checks every row against the registry, and either
reports what it would do (a dry run) or does all of it in one transaction. Any problem
blocks the whole import, so a file goes in completely or not at all. Households are
matched by grid and address, residents by the keyed hash of their ID number; importing
the same file twice changes nothing the second time. Empty cells keep what is stored.
"""

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, selectinload

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor
from gridcare.areas.models import Area, AreaKind
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry import id_numbers, sheets
from gridcare.registry import services as registry
from gridcare.registry.models import (
    DISABILITY_CATEGORIES,
    EmergencyContact,
    Household,
    Resident,
    ResidentStatus,
    new_door_token,
)

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
# Rows per IN (...) query: well under every database's parameter limit.
CHUNK = 500


@dataclass(frozen=True)
class Column:
    """One column of the import template; `header` is the contract, in Chinese."""

    header: str
    key: str
    label: Any
    hint: Any = ""
    required: bool = False
    max_length: int | None = None
    # Long digit strings: kept as text in the template so Excel does not round them.
    text: bool = False


COLUMNS = (
    Column(
        "网格编码",
        "grid_code",
        _l("Grid code"),
        _l("As shown on the Areas page."),
        required=True,
    ),
    Column(
        "地址",
        "address",
        _l("Street address"),
        _l("Street and number, e.g. 新华路12号."),
        required=True,
        max_length=200,
    ),
    Column("楼栋", "building", _l("Building"), max_length=20),
    Column("单元", "unit", _l("Unit"), max_length=20),
    Column("房号", "room", _l("Room"), max_length=20),
    Column("姓名", "name", _l("Full name"), required=True, max_length=50),
    Column(
        "身份证号",
        "id_number",
        _l("ID number"),
        _l("18 characters; birth date and gender are read from it."),
        required=True,
        text=True,
    ),
    Column("联系电话", "phone", _l("Phone"), _l("A mobile number, 11 digits."), text=True),
    Column("独居", "lives_alone", _l("Lives alone"), _l("是 or 否.")),
    Column("空巢", "empty_nest", _l("Empty nest"), _l("是 or 否.")),
    Column(
        "残疾类别",
        "disability_category",
        _l("Disability category"),
        _l("1 视力, 2 听力, 3 言语, 4 肢体, 5 智力, 6 精神, 7 多重: the number or the name."),
    ),
    Column("残疾等级", "disability_grade", _l("Disability grade"), _l("1 (most severe) to 4.")),
    Column(
        "残疾证号",
        "disability_certificate",
        _l("Disability certificate number"),
        _l("20 characters: the ID number, then the category and grade digits."),
        text=True,
    ),
    Column("紧急联系人", "contact_name", _l("Emergency contact"), max_length=50),
    Column(
        "联系人关系",
        "contact_relation",
        _l("Relation"),
        _l("e.g. 儿子, 女儿, 邻居."),
        max_length=30,
    ),
    Column(
        "联系人电话",
        "contact_phone",
        _l("Contact phone"),
        _l("A mobile number, 11 digits."),
        text=True,
    ),
    Column("健康备注", "health_notes", _l("Health notes"), max_length=2000),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_BY_HEADER = {c.header: c for c in COLUMNS}
# Written by the export for reading; derived from the ID number or the registry, so an
# export with full ID numbers can be imported again and these columns are left alone.
EXPORT_ONLY_HEADERS = ("网格名称", "性别", "出生日期", "照护等级")
# Exports made before the word was settled said 护理等级; their files still import.
OLD_EXPORT_ONLY_HEADERS = ("护理等级",)

# Resident fields, as audit events and reports name them, and the column each comes from.
FIELD_COLUMNS = {
    "household_id": "地址",
    "name": "姓名",
    "phone": "联系电话",
    "lives_alone": "独居",
    "empty_nest": "空巢",
    "disability_category": "残疾类别",
    "disability_grade": "残疾等级",
    "disability_certificate": "残疾证号",
    "contacts": "紧急联系人",
    "health_notes": "健康备注",
}
# Where a registry check's field lands in the sheet.
_ERROR_COLUMNS = {
    "id_number": "id_number",
    "phone": "phone",
    "disability_category": "disability_category",
    "disability_grade": "disability_grade",
    "disability_certificate": "disability_certificate",
    "contacts": "contact_name",
    "contacts.0.name": "contact_name",
    "contacts.0.phone": "contact_phone",
}

YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
NO = frozenset({"否", "n", "no", "false", "0", "×", "无", "不是"})
CATEGORY_NAMES = {"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}
GRADE_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4}
_GRADE = re.compile(r"^([1-4一二三四])级?$")
_SPACES = re.compile(r"\s+")


class ImportFileError(ValueError):
    """The file as a whole cannot be read as the template; nothing was checked or written."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """Something wrong in one cell (or, without a column, in the whole row)."""

    row: int
    header: str
    letter: str
    message: Any

    def __str__(self) -> str:
        if self.header:
            where = _(
                "row %(row)d, %(header)s (column %(letter)s)",
                row=self.row,
                header=self.header,
                letter=self.letter,
            )
        else:
            where = _("row %(row)d", row=self.row)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class RowOutcome:
    """What one row would do (or did): household "new" or "existing"; resident "create",
    "update" or "unchanged"; both empty when the row has problems."""

    row: int
    name: str
    address: str
    household: str = ""
    resident: str = ""
    fields: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def changed_columns(self) -> list[str]:
        return [FIELD_COLUMNS[f] for f in self.fields]


@dataclass(frozen=True)
class ImportReport:
    rows: tuple[RowOutcome, ...]
    households_created: int
    residents_created: int
    residents_updated: int
    applied: bool

    @property
    def problems(self) -> list[Problem]:
        return [p for row in self.rows for p in row.problems]

    @property
    def created(self) -> int:
        return self.households_created + self.residents_created

    @property
    def updated(self) -> int:
        return self.residents_updated

    @property
    def unchanged(self) -> int:
        return sum(1 for row in self.rows if row.resident == "unchanged")

    @property
    def changes(self) -> list[RowOutcome]:
        """The rows that create or change something, in file order."""
        return [r for r in self.rows if r.household == "new" or r.resident in ("create", "update")]


# ---------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """The file's rows as plain values: `rows` holds (row number, {column key: value})."""

    keys: dict[str, int]  # column key -> 0-based position
    rows: list[tuple[int, dict[str, Any]]]


def read_sheet(content: bytes) -> Sheet:
    """Read an uploaded XLSX or CSV in the template's columns; refuse it with a reason."""
    try:
        rows = sheets.read_rows(content, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS)
    except sheets.SheetError as exc:
        raise ImportFileError(exc.message) from exc
    return _sheet_from_rows(rows)


def _header(value: Any) -> str:
    return _SPACES.sub("", str(value)).rstrip("*＊") if value is not None else ""


def _sheet_from_rows(rows: Iterable[tuple[int, list[Any]]]) -> Sheet:
    rows = iter(rows)
    first = next(rows, None)
    headers = [_header(v) for v in first[1]] if first else []
    keys: dict[str, int] = {}
    unknown, unnamed = [], []
    for position, header in enumerate(headers):
        letter = get_column_letter(position + 1)
        if not header:
            unnamed.append(position)
        elif header in EXPORT_ONLY_HEADERS or header in OLD_EXPORT_ONLY_HEADERS:
            continue
        elif header not in COLUMN_BY_HEADER:
            unknown.append(f"{header} ({letter})")
        elif COLUMN_BY_HEADER[header].key in keys:
            raise ImportFileError(_l("The column %(header)s appears twice.", header=header))
        else:
            keys[COLUMN_BY_HEADER[header].key] = position
    missing = [c.header for c in COLUMNS if c.required and c.key not in keys]
    if not keys:
        raise ImportFileError(
            _l(
                "The first row holds none of the template's column headers. "
                "Download the template and keep its first row as it is."
            )
        )
    if missing or unknown:
        raise ImportFileError(
            _l(
                "The first row must hold the template's column headers. "
                "Missing: %(missing)s. Not recognised: %(unknown)s.",
                missing=", ".join(missing) or "–",
                unknown=", ".join(unknown) or "–",
            )
        )
    data = []
    for number, values in rows:
        if not any(_filled(v) for v in values):
            continue  # blank rows (Excel keeps formatted ones) are skipped
        for position in unnamed:
            if position < len(values) and _filled(values[position]):
                raise ImportFileError(
                    _l(
                        "Cell %(cell)s has a value but its column has no header.",
                        cell=f"{get_column_letter(position + 1)}{number}",
                    )
                )
        extra = next((i for i in range(len(headers), len(values)) if _filled(values[i])), None)
        if extra is not None:
            raise ImportFileError(
                _l(
                    "Cell %(cell)s has a value but its column has no header.",
                    cell=f"{get_column_letter(extra + 1)}{number}",
                )
            )
        data.append(
            (
                number,
                {key: values[pos] if pos < len(values) else None for key, pos in keys.items()},
            )
        )
    if not data:
        raise ImportFileError(_l("The file has headers but no rows to import."))
    return Sheet(keys=keys, rows=data)


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


# ---------------------------------------------------------------------------------------
# Checking rows
# ---------------------------------------------------------------------------------------


@dataclass
class _Row:
    """One row's values, cleaned; None means the cell was empty (keep what is stored)."""

    number: int
    keys: dict[str, int]
    problems: list[Problem] = field(default_factory=list)
    grid_code: str = ""
    address: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    name: str = ""
    id_number: id_numbers.IdNumber | None = None
    id_hash: str = ""
    phone: str | None = None
    lives_alone: bool | None = None
    empty_nest: bool | None = None
    disability_category: int | None = None
    disability_grade: int | None = None
    disability_certificate: str | None = None
    contact: registry.ContactDetails | None = None
    health_notes: str | None = None
    grid: Area | None = None

    def problem(self, key: str, message) -> None:
        column = COLUMN_BY_KEY[key]
        letter = get_column_letter(self.keys[key] + 1) if key in self.keys else ""
        self.problems.append(Problem(self.number, column.header, letter, message))

    def registry_problem(self, exc: registry.RegistryError) -> None:
        self.problem(_ERROR_COLUMNS.get(exc.field, "name"), exc.message)

    @property
    def household_key(self) -> tuple:
        return (self.grid.id, self.address, self.building, self.unit, self.room)

    @property
    def full_address(self) -> str:
        door = "-".join(part for part in (self.building, self.unit, self.room) if part)
        return f"{self.address} {door}".strip()

    @property
    def has_disability_cells(self) -> bool:
        return self.disability_category is not None or self.disability_grade is not None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return _SPACES.sub(" ", str(value).replace("\u3000", " ")).strip()


def _flag(row: _Row, key: str, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    row.problem(key, _l("Write 是 or 否."))
    return None


def _category(row: _Row, value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    text = text.removesuffix("残疾")
    number = CATEGORY_NAMES.get(text) or (int(text) if text.isdigit() else None)
    if number not in DISABILITY_CATEGORIES:
        row.problem(
            "disability_category",
            _l(
                "Write a category from 1 to 7, or its name "
                "(视力, 听力, 言语, 肢体, 智力, 精神, 多重)."
            ),
        )
        return None
    return number


def _grade(row: _Row, value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    match = _GRADE.match(text)
    if not match:
        row.problem("disability_grade", _l("Write a grade from 1 to 4."))
        return None
    digit = match.group(1)
    return GRADE_WORDS.get(digit) or int(digit)


def _digits(row: _Row, key: str, value: Any) -> str:
    """A long number such as an ID: refused when Excel has already rounded it."""
    if isinstance(value, float) and (not value.is_integer() or value >= 1e15):
        row.problem(
            key,
            _l(
                "Excel stored this number as a number and dropped its last digits. "
                "Format the column as Text and type the number again."
            ),
        )
        return ""
    return _text(value)


def _read_row(number: int, keys: dict[str, int], cells: dict[str, Any]) -> _Row:
    row = _Row(number=number, keys=keys)
    for column in COLUMNS:
        if column.max_length and len(_text(cells.get(column.key))) > column.max_length:
            row.problem(column.key, _l("At most %(n)d characters.", n=column.max_length))
    row.grid_code = _text(cells.get("grid_code"))
    row.address = _text(cells.get("address"))
    row.building = _text(cells.get("building"))
    row.unit = _text(cells.get("unit"))
    row.room = _text(cells.get("room"))
    row.name = _text(cells.get("name"))
    for key in ("grid_code", "address", "name"):
        if not getattr(row, key):
            row.problem(key, _l("This cell is required."))

    if not _filled(cells.get("id_number")):
        row.problem("id_number", _l("This cell is required."))
    elif raw_id := _digits(row, "id_number", cells["id_number"]):
        try:
            row.id_number = registry._parse_id_number(raw_id)
            row.id_hash = vault().keyed_hash(row.id_number.value)
        except registry.RegistryError as exc:
            row.registry_problem(exc)

    if "phone" in keys and _filled(cells.get("phone")):
        try:
            row.phone = registry._clean_phone(_text(cells["phone"]), "phone")
        except registry.RegistryError as exc:
            row.registry_problem(exc)
    for key in ("lives_alone", "empty_nest"):
        setattr(row, key, _flag(row, key, cells.get(key)))
    row.disability_category = _category(row, cells.get("disability_category"))
    row.disability_grade = _grade(row, cells.get("disability_grade"))
    certificate = _digits(row, "disability_certificate", cells.get("disability_certificate"))
    row.disability_certificate = certificate or None
    contact = [_text(cells.get(k)) for k in ("contact_name", "contact_relation", "contact_phone")]
    if any(contact):
        try:
            row.contact = registry._clean_contacts([contact])[0]
        except registry.RegistryError as exc:
            row.registry_problem(exc)
    notes = _text(cells.get("health_notes"))
    row.health_notes = notes or None
    return row


# ---------------------------------------------------------------------------------------
# Planning against the registry
# ---------------------------------------------------------------------------------------


@dataclass
class _Update:
    resident: Resident
    values: dict[str, Any]  # resident attribute -> new value (household by key)
    fields: list[str]
    contact: registry.ContactDetails | None = None
    contact_to_replace: EmergencyContact | None = None


@dataclass
class _Plan:
    outcomes: list[RowOutcome] = field(default_factory=list)
    new_households: dict[tuple, None] = field(default_factory=dict)  # ordered set of keys
    existing_households: dict[tuple, int] = field(default_factory=dict)
    creates: list[_Row] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
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


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _grids_by_code(actor: Actor, codes: set[str]) -> dict[str, Area]:
    """The grids in the actor's areas among `codes`; other codes are simply absent."""
    found = {}
    for chunk in _chunks(sorted(codes)):
        stmt = select(Area).where(
            Area.code.in_(chunk), Area.kind == AreaKind.grid, actor.scope.filter(Area.path)
        )
        found.update({area.code: area for area in db.session.scalars(stmt)})
    return found


def _residents_by_hash(hashes: list[str]) -> dict[str, tuple[Resident, str]]:
    """Registered residents with these keyed hashes, anywhere, with their grid's path."""
    found = {}
    for chunk in _chunks(hashes):
        stmt = (
            select(Resident, Area.path)
            .join(Household, Household.id == Resident.household_id)
            .join(Area, Area.id == Household.grid_id)
            .where(Resident.id_number_hash.in_(chunk))
            .options(lazyload(Resident.household))
        )
        found.update({r.id_number_hash: (r, path) for r, path in db.session.execute(stmt)})
    return found


def _households_by_key(grid_ids: set[int]) -> dict[tuple, tuple[int, bool]]:
    """Each address in these grids -> (household id, active); an open household wins."""
    found: dict[tuple, tuple[int, bool]] = {}
    for chunk in _chunks(sorted(grid_ids)):
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
            key = (grid_id, _text(address), _text(building), _text(unit), _text(room))
            found.setdefault(key, (hid, active))
    return found


def _plan(actor: Actor, sheet: Sheet) -> _Plan:
    rows = [_read_row(number, sheet.keys, cells) for number, cells in sheet.rows]
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
    plan = _Plan()
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


def _plan_household(plan: _Plan, row: _Row, households: dict[tuple, tuple[int, bool]]) -> str:
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


def _plan_create(plan: _Plan, row: _Row) -> str:
    try:
        row.disability_certificate = registry._check_disability(
            row.disability_category,
            row.disability_grade,
            row.disability_certificate,
            row.id_number.value,
        )
    except registry.RegistryError as exc:
        row.registry_problem(exc)
    if not row.problems:
        plan.creates.append(row)
    return "create"


def _plan_update(
    actor: Actor, plan: _Plan, row: _Row, resident: Resident, grid_path: str
) -> tuple[str, list[str]]:
    if not actor.scope.covers(grid_path):
        row.registry_problem(registry.DuplicateIdNumber(None))
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
    update = _Update(resident, values, [])
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


def _plan_disability(row: _Row, resident: Resident, values: dict[str, Any]) -> None:
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
        if stored[18:] != f"{category}{grade}":
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
        certificate = registry._check_disability(category, grade, certificate, row.id_number.value)
    except registry.RegistryError as exc:
        row.registry_problem(exc)
        return
    if category != resident.disability_category:
        values["disability_category"] = category
    if grade != resident.disability_grade:
        values["disability_grade"] = grade
    if certificate != stored:
        values["disability_certificate"] = certificate


def _plan_contact(row: _Row, resident: Resident, update: _Update) -> None:
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
    if same_name is None and len(resident.contacts) >= registry.MAX_CONTACTS:
        row.problem(
            "contact_name",
            _l(
                "This resident already has %(n)d emergency contacts. "
                "Remove one on the resident's page first.",
                n=registry.MAX_CONTACTS,
            ),
        )
        return
    update.contact = row.contact
    update.contact_to_replace = same_name


# ---------------------------------------------------------------------------------------
# Applying
# ---------------------------------------------------------------------------------------

_HOUSEHOLD_FIELDS = ["grid_id", "address", "building", "unit", "room"]


def import_residents(actor: Actor, content: bytes, *, dry_run: bool = True) -> ImportReport:
    """Check a spreadsheet of households and residents and, unless `dry_run`, import it.

    All or nothing: any problem in any row blocks the import and nothing is written.
    Raises ImportFileError when the file itself cannot be read as the template.
    """
    if not actor.can(Permission.edit_registry):
        raise registry.RegistryPermissionError(Permission.edit_registry.value)
    sheet = read_sheet(content)
    plan = _plan(actor, sheet)
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


def _apply(actor: Actor, plan: _Plan) -> None:
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
    for chunk in _chunks(sorted(touched)):
        stmt = (
            select(Household)
            .where(Household.id.in_(chunk))
            .options(
                selectinload(Household.residents).options(
                    lazyload(Resident.household), lazyload(Resident.contacts)
                )
            )
            .execution_options(populate_existing=True)
        )
        for household in registry.rederive_care_levels(db.session.scalars(stmt), on):
            actor.audit("update", "household", household.id, ["care_level"])


def _imported_fields(plan: _Plan) -> list[str]:
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


def _insert_residents(actor: Actor, rows: list[_Row], household_ids: dict[tuple, int]) -> set[int]:
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


def _created_fields(row: _Row) -> list[str]:
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


def _update_resident(update: _Update, household_ids: dict[tuple, int]) -> int:
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


# ---------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------

DATA_SHEET = "居民登记"
HELP_SHEET = "填写说明"
TEMPLATE_FILENAME = "gridcare-import-template.xlsx"


def import_template() -> bytes:
    """The XLSX template: the header row (required columns marked), and a sheet of help."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append([c.header for c in COLUMNS])
    sheet.freeze_panes = "A2"
    required = PatternFill("solid", fgColor="FDE9D9")
    for position, column in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = required
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = 22 if column.text else 12
        if column.text:
            sheet.column_dimensions[letter].number_format = "@"
    _add_choices(sheet, "lives_alone", '"是,否"')
    _add_choices(sheet, "empty_nest", '"是,否"')
    _add_choices(sheet, "disability_category", '"' + ",".join(CATEGORY_NAMES) + '"')
    _add_choices(sheet, "disability_grade", '"1,2,3,4"')

    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.append([_("Column"), _("Required"), _("What to write")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        help_sheet.append(
            [column.header, _("yes") if column.required else "", f"{column.label}. {column.hint}"]
        )
    help_sheet.append([])
    for line in import_rules():
        help_sheet.append([str(line)])
    help_sheet.column_dimensions["A"].width = 14
    help_sheet.column_dimensions["C"].width = 80
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _add_choices(sheet, key: str, formula: str) -> None:
    position = next(i for i, c in enumerate(COLUMNS, 1) if c.key == key)
    letter = get_column_letter(position)
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.add(f"{letter}2:{letter}{MAX_IMPORT_ROWS + 1}")
    sheet.add_data_validation(validation)


def import_rules() -> list:
    """How an import treats the file, as the import page and the template explain it."""
    return [
        _l("One row per resident. The first row holds the column headers exactly as in the template."),  # noqa: E501
        _l("Residents of the same home repeat its grid code and address; rows with the same grid, address, building, unit and room make one household."),  # noqa: E501
        _l("A resident already registered (same ID number) is updated, never added twice. Empty cells keep what is stored."),  # noqa: E501
        _l("Any problem in any row blocks the whole import: nothing is written until the file is correct."),  # noqa: E501
        _l("Importing the same file again changes nothing."),
        _l("No formulas and no merged cells. Files up to %(mb)d MB and %(n)d rows; CSV in UTF-8 or GBK.", mb=MAX_IMPORT_BYTES // (1024 * 1024), n=MAX_IMPORT_ROWS),  # noqa: E501
    ]  # fmt: skip
