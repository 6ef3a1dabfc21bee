"""Bulk import of households and residents from a spreadsheet (XLSX, or CSV in UTF-8 or GBK).

`import_residents` reads the file, checks every row against the registry, and either
reports what it would do (a dry run) or does all of it in one transaction. Any problem
blocks the whole import, so a file goes in completely or not at all. Households are
matched by grid and address, residents by the keyed hash of their ID number; importing
the same file twice changes nothing the second time. Empty cells keep what is stored.

The steps are modules, in order: columns (the template's contract), reading, planning,
applying; template builds the file users fill in. Re-exported here.
"""

from gridcare.registry.imports.applying import import_residents
from gridcare.registry.imports.columns import (
    CATEGORY_NAMES,
    COLUMN_BY_HEADER,
    COLUMN_BY_KEY,
    COLUMNS,
    EXPORT_ONLY_HEADERS,
    FIELD_COLUMNS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    OLD_EXPORT_ONLY_HEADERS,
    Column,
)
from gridcare.registry.imports.reading import Sheet, read_sheet
from gridcare.registry.imports.report import ImportFileError, ImportReport, Problem, RowOutcome
from gridcare.registry.imports.template import (
    DATA_SHEET,
    HELP_SHEET,
    TEMPLATE_FILENAME,
    import_rules,
    import_template,
)

__all__ = [
    "CATEGORY_NAMES",
    "COLUMNS",
    "COLUMN_BY_HEADER",
    "COLUMN_BY_KEY",
    "DATA_SHEET",
    "EXPORT_ONLY_HEADERS",
    "FIELD_COLUMNS",
    "HELP_SHEET",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "OLD_EXPORT_ONLY_HEADERS",
    "TEMPLATE_FILENAME",
    "Column",
    "ImportFileError",
    "ImportReport",
    "Problem",
    "RowOutcome",
    "Sheet",
    "import_residents",
    "import_rules",
    "import_template",
    "read_sheet",
]
