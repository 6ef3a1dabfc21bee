"""Reading the uploaded file into plain rows, and checking each row's cells on their own
(before anything is compared with the registry)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl.utils import get_column_letter

from gridcare.areas.models import Area
from gridcare.privacy import vault
from gridcare.registry import id_numbers, rules, sheets
from gridcare.registry.imports.columns import (
    CATEGORY_NAMES,
    COLUMN_BY_HEADER,
    COLUMN_BY_KEY,
    COLUMNS,
    ERROR_COLUMNS,
    EXPORT_ONLY_HEADERS,
    GRADE_WORDS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    NO,
    OLD_EXPORT_ONLY_HEADERS,
    YES,
)
from gridcare.registry.imports.report import ImportFileError, Problem
from gridcare.registry.models import DISABILITY_CATEGORIES

_GRADE = re.compile(r"^([1-4一二三四])级?$")
_SPACES = re.compile(r"\s+")


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


@dataclass
class Row:
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
    contact: rules.ContactDetails | None = None
    health_notes: str | None = None
    grid: Area | None = None

    def problem(self, key: str, message) -> None:
        column = COLUMN_BY_KEY[key]
        letter = get_column_letter(self.keys[key] + 1) if key in self.keys else ""
        self.problems.append(Problem(self.number, column.header, letter, message))

    def registry_problem(self, exc: rules.RegistryError) -> None:
        self.problem(ERROR_COLUMNS.get(exc.field, "name"), exc.message)

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


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return _SPACES.sub(" ", str(value).replace("\u3000", " ")).strip()


def _flag(row: Row, key: str, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    row.problem(key, _l("Write 是 or 否."))
    return None


def _category(row: Row, value: Any) -> int | None:
    text = cell_text(value)
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


def _grade(row: Row, value: Any) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    match = _GRADE.match(text)
    if not match:
        row.problem("disability_grade", _l("Write a grade from 1 to 4."))
        return None
    digit = match.group(1)
    return GRADE_WORDS.get(digit) or int(digit)


def _digits(row: Row, key: str, value: Any) -> str:
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
    return cell_text(value)


def read_row(number: int, keys: dict[str, int], cells: dict[str, Any]) -> Row:
    row = Row(number=number, keys=keys)
    for column in COLUMNS:
        if column.max_length and len(cell_text(cells.get(column.key))) > column.max_length:
            row.problem(column.key, _l("At most %(n)d characters.", n=column.max_length))
    row.grid_code = cell_text(cells.get("grid_code"))
    row.address = cell_text(cells.get("address"))
    row.building = cell_text(cells.get("building"))
    row.unit = cell_text(cells.get("unit"))
    row.room = cell_text(cells.get("room"))
    row.name = cell_text(cells.get("name"))
    for key in ("grid_code", "address", "name"):
        if not getattr(row, key):
            row.problem(key, _l("This cell is required."))

    if not _filled(cells.get("id_number")):
        row.problem("id_number", _l("This cell is required."))
    elif raw_id := _digits(row, "id_number", cells["id_number"]):
        try:
            row.id_number = rules.parse_id_number(raw_id)
            row.id_hash = vault().keyed_hash(row.id_number.value)
        except rules.RegistryError as exc:
            row.registry_problem(exc)

    if "phone" in keys and _filled(cells.get("phone")):
        try:
            row.phone = rules.clean_phone(cell_text(cells["phone"]), "phone")
        except rules.RegistryError as exc:
            row.registry_problem(exc)
    for key in ("lives_alone", "empty_nest"):
        setattr(row, key, _flag(row, key, cells.get(key)))
    row.disability_category = _category(row, cells.get("disability_category"))
    row.disability_grade = _grade(row, cells.get("disability_grade"))
    certificate = _digits(row, "disability_certificate", cells.get("disability_certificate"))
    row.disability_certificate = certificate or None
    contact = [
        cell_text(cells.get(k)) for k in ("contact_name", "contact_relation", "contact_phone")
    ]
    if any(contact):
        try:
            row.contact = rules.clean_contacts([contact])[0]
        except rules.RegistryError as exc:
            row.registry_problem(exc)
    notes = cell_text(cells.get("health_notes"))
    row.health_notes = notes or None
    return row
