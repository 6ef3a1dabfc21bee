"""What an import found and did: each row's outcome and problems, and the whole file's
report; or the reason the file could not be read at all."""

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from gridcare.errors import FieldError
from gridcare.registry.imports.columns import FIELD_COLUMNS


class ImportFileError(FieldError):
    """The file as a whole cannot be read as the template; nothing was checked or written."""

    def __init__(self, message, field: str = "file"):
        super().__init__(field, message)


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
