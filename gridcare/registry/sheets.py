"""Spreadsheet uploads: reading an XLSX, or a CSV in UTF-8 or GBK, into plain rows.
(Exports are written by `gridcare.spreadsheets`.)

Uploads are read in memory and never stored. Whatever cannot be read faithfully is
refused with a reason a user can act on: formulas, merged cells, an unknown text
encoding, a file that is not a spreadsheet at all.
"""

import csv
import io
import re
import warnings
import zipfile
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from gridcare.errors import FieldError

# An XLSX is a zip: a small upload can unpack to gigabytes.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Excel's own limit (column XFD); column letters end at 18,278 (ZZZ).
MAX_COLUMNS = 16_384

NOT_A_SPREADSHEET = _l(
    "This file is not a spreadsheet. Upload the .xlsx template or a CSV file saved from it."
)
WRONG_ENCODING = _l(
    "The file's text is neither UTF-8 nor GBK. In Excel choose “CSV UTF-8” when saving, "
    "or upload the .xlsx file."
)


class SheetError(FieldError):
    """The file cannot be read as a spreadsheet; `message` says why, for the user."""

    def __init__(self, message, field: str = "file"):
        super().__init__(field, message)


Row = tuple[int, list[Any]]  # (row number as the spreadsheet shows it, cell values)


def read_rows(content: bytes, max_bytes: int, max_rows: int) -> list[Row]:
    """The rows of an XLSX (its first sheet) or a CSV file, as plain values."""
    if not content:
        raise SheetError(_l("The file is empty."))
    if len(content) > max_bytes:
        raise SheetError(
            _l(
                "The file is larger than %(mb)d MB. Split it into smaller files.",
                mb=max_bytes // (1024 * 1024),
            )
        )
    if content.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(content, max_rows)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError(
            _l("This is an old Excel (.xls) file. Save it as .xlsx or as CSV and upload that.")
        )
    else:
        rows = _csv_rows(_decode(content), max_rows)
    return rows


def _too_many_rows(max_rows: int) -> SheetError:
    return SheetError(
        _l("The file has more than %(n)d rows. Split it into smaller files.", n=max_rows)
    )


def _too_many_columns() -> SheetError:
    return SheetError(
        _l(
            "The file has more than %(n)d columns, more than a spreadsheet can hold. "
            "Use the template's columns.",
            n=MAX_COLUMNS,
        )
    )


def _formula(cell: str) -> SheetError:
    return SheetError(
        _l(
            "Cell %(cell)s holds a formula. Replace formulas with their values "
            "(copy, then paste as values) and upload again.",
            cell=cell,
        )
    )


def _xlsx_rows(content: bytes, max_rows: int) -> list[Row]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise SheetError(_l("The workbook is too large once unpacked. Split it."))
            _count_rows(archive, max_rows)
    except (zipfile.BadZipFile, EOFError, NotImplementedError) as exc:
        raise SheetError(NOT_A_SPREADSHEET) from exc
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (styles, extensions).
            warnings.simplefilter("ignore")
            # Read-only streams the rows: a whole 380,000-row workbook took longer to load
            # than a worker may run, before its size could even be checked.
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a zip that is not a workbook
        raise SheetError(NOT_A_SPREADSHEET) from exc
    try:
        return _stream_rows(workbook, max_rows)
    finally:
        workbook.close()


def _stream_rows(workbook, max_rows: int) -> list[Row]:
    sheet = workbook.worksheets[0]
    # The size the sheet declares, when it does, refuses a big file before any row is read.
    if (sheet.max_row or 0) > max_rows + 1:
        raise _too_many_rows(max_rows)
    if (sheet.max_column or 0) > MAX_COLUMNS:
        raise _too_many_columns()
    merged = _scan_sheet(workbook, sheet, max_rows)
    if merged:
        raise SheetError(
            _l(
                "Cells %(range)s are merged. Unmerge all cells and fill in every row.",
                range=merged[0],
            )
        )
    # Rows as they are, not padded to a declared width that may be wrong.
    sheet.reset_dimensions()
    rows = []
    try:
        for number, cells in enumerate(sheet.iter_rows(min_row=1, min_col=1), 1):
            values = []
            for cell in cells:
                if cell.data_type == "f":
                    raise _formula(cell.coordinate)
                values.append(cell.value)
            rows.append((number, values))
            if len(rows) > max_rows + 1:  # the scan's count, kept here as a second guard
                raise _too_many_rows(max_rows)
    except SheetError:
        raise
    except Exception as exc:  # a sheet whose XML openpyxl cannot parse
        raise SheetError(NOT_A_SPREADSHEET) from exc
    return rows


# <row r="7" …> (r may be left out: then it follows the previous row) and
# <mergeCell ref="A2:A3"/>, with or without a namespace prefix.
_ROW = re.compile(rb"<(?:\w+:)?row(?=[\s/>])([^>]*)>")
_ROW_NUMBER = re.compile(rb"\sr=\"([0-9]+)\"")
_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")
_CHUNK = 1024 * 1024


def _count_rows(archive: zipfile.ZipFile, max_rows: int) -> None:
    """Refuse a workbook with a part holding too many <row> elements, before openpyxl opens
    it: a read-only load parses every sheet that does not declare its size through once,
    seconds for a small file of empty rows. Only sheets hold <row> elements, whatever
    their part is named."""
    for info in archive.infolist():
        seen, tail = 0, b""
        with archive.open(info) as source:
            while chunk := source.read(_CHUNK):
                text = tail + chunk
                cut = text.rfind(b"<")  # a tag cut in two is read whole with the next chunk
                text, tail = text[:cut], text[cut:]
                seen += sum(1 for _ in _ROW.finditer(text))
                if seen > max_rows + 1:
                    raise _too_many_rows(max_rows)


def _scan_sheet(workbook, sheet, max_rows: int) -> list[str]:
    """Refuse the sheet as soon as its XML shows too many rows; else its merged ranges,
    top left first. A byte scan in chunks: parsing cells is a hundred times slower, and a
    read-only sheet does not list merged cells."""
    last_row, seen, merged, tail = 0, 0, set(), b""
    # openpyxl keeps the archive and the sheet's path private; no public way exists.
    with workbook._archive.open(sheet._worksheet_path) as source:
        while chunk := source.read(_CHUNK):
            text = tail + chunk
            cut = text.rfind(b"<")  # a tag cut in two is read whole with the next chunk
            text, tail = text[:cut], text[cut:]
            for match in _ROW.finditer(text):
                number = _ROW_NUMBER.search(match.group(1))
                last_row = int(number.group(1)) if number else last_row + 1
                # Row numbers may repeat or go back: each <row> is read, so each counts.
                seen += 1
                if last_row > max_rows + 1 or seen > max_rows + 1:
                    raise _too_many_rows(max_rows)
            merged.update(m.group(1).decode() for m in _MERGE_CELL.finditer(text))
    merged.update(m.group(1).decode() for m in _MERGE_CELL.finditer(tail))
    return sorted(merged, key=lambda ref: range_boundaries(ref)[1::-1])


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SheetError(WRONG_ENCODING)  # UTF-16, as Excel's "Unicode text"
    if b"\x00" in content[:4096]:
        raise SheetError(NOT_A_SPREADSHEET)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 reads every GBK file, as Excel on Chinese Windows saves them.
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SheetError(WRONG_ENCODING) from exc


def _csv_rows(text: str, max_rows: int) -> list[Row]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if number > max_rows + 1:
                raise _too_many_rows(max_rows)
            if len(values) > MAX_COLUMNS:
                raise _too_many_columns()
            for position, value in enumerate(values):
                # Excel would run it when the file is opened; refused as in a workbook.
                if value.lstrip().startswith("="):
                    raise _formula(f"{get_column_letter(position + 1)}{number}")
            rows.append((number, values))
    except csv.Error as exc:
        raise SheetError(NOT_A_SPREADSHEET) from exc
    return rows
