"""Scoped access in one place.

Every list, detail, export and API call limits its query with `Scope.filter` or loads
its record with `get_in_scope_or_404`. A record outside the caller's areas is a 404:
its existence is not confirmed.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from flask import abort
from sqlalchemy import ColumnElement, false, or_, select

from gridcare.converters import as_id
from gridcare.extensions import db


class Scoped(Protocol):
    """A model that can say which area path it lives under, as a SQL expression."""

    id: Any

    @classmethod
    def scope_path(cls) -> ColumnElement[str]: ...


@dataclass(frozen=True)
class Scope:
    """The area paths a caller may see; a record is in scope under any of them."""

    paths: tuple[str, ...]

    def filter(self, path: ColumnElement[str]) -> ColumnElement[bool]:
        if not self.paths:
            return false()
        if "/" in self.paths:
            return path.is_not(None)
        return or_(*(path.startswith(p) for p in self.paths))

    def covers(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)


EVERYWHERE = Scope(("/",))
NOWHERE = Scope(())


def get_in_scope_or_404(model: type[Scoped], ident: Any, scope: Scope, *options):
    """Load one record by id, or 404 when it does not exist or lies outside `scope`."""
    ident = as_id(ident)  # a number no id can reach would overflow the database's integer
    if ident is None:
        abort(404)
    stmt = select(model).where(model.id == ident, scope.filter(model.scope_path()))
    record = db.session.scalar(stmt.options(*options))
    if record is None:
        abort(404)
    return record
