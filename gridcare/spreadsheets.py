"""The one writer of exported spreadsheets: CSV (UTF-8 with a BOM, so Excel reads the
Chinese) and XLSX, for every export of the app.

Stored text is written as text whoever typed it: a cell that Excel would run as a formula
(`=HYPERLINK(…)` as an area name or a health note) stays inert, and control characters,
which XLSX cannot hold at all, are cleaned. It sits below every domain, so that the
registry and the reports share it.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell starting with one of these is a formula to Excel, even in a CSV file.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Vertical tab and form feed are line breaks pasted from Word or Excel for Mac.
_LINE_BREAKS = re.compile(r"[\x0b\x0c]")
# What XML 1.0, and so XLSX, cannot hold; tab, newline and carriage return are fine.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Excel's limit for a sheet's name.
_SHEET_NAME_LENGTH = 31


@dataclass(frozen=True)
class Table:
    """One sheet of a workbook, or one section of a CSV file."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    caption: str | None = None  # a line above the header, such as the area and period
    widths: Sequence[int] = ()
    frozen_columns: int = 0  # columns kept in view when scrolling sideways


def clean_text(value: Any) -> Any:
    """A string without the control characters a workbook cannot hold; others unchanged."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", value))


def csv_bytes(*tables: Table) -> bytes:
    """The tables as CSV, a blank line between them; a cell Excel would run is quoted."""
    out = io.StringIO()
    writer = csv.writer(out)
    for position, table in enumerate(tables):
        if position:
            writer.writerow([])
        if table.caption is not None:
            writer.writerow([_csv_cell(table.caption)])
        writer.writerow([_csv_cell(h) for h in table.header])
        for row in table.rows:
            writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    value = clean_text(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def xlsx_bytes(*tables: Table) -> bytes:
    """The tables as a workbook, one sheet each, header in bold; every string is text."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(clean_text(table.title)[:_SHEET_NAME_LENGTH])
        for position, width in enumerate(table.widths, 1):
            sheet.column_dimensions[get_column_letter(position)].width = width
        # A write-only sheet takes its views before its first row.
        first_row = 3 if table.caption is not None else 2
        sheet.freeze_panes = f"{get_column_letter(table.frozen_columns + 1)}{first_row}"
        if table.caption is not None:
            sheet.append([_xlsx_cell(sheet, table.caption)])
        sheet.append([_xlsx_cell(sheet, h, bold) for h in table.header])
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value: Any, font: Font | None = None) -> Any:
    value = clean_text(value)
    if font is None and not (isinstance(value, str) and value.startswith("=")):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if font is not None:
        cell.font = font
    return cell
