"""The XLSX template a user downloads to fill in, and the rules an import follows as the
import page and the template explain them."""

import io

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gridcare.registry.imports.columns import (
    CATEGORY_NAMES,
    COLUMNS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
)

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
