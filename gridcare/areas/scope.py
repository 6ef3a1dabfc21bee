"""Scoped access in one place.

Every list, detail, export and API call limits its query with `Scope.filter` or loads
its record with `get_in_scope_or_404`. A record outside the caller's areas is a 404:
its existence is not confirmed.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from flask import abort
from sqlalchemy import ColumnElement, String, and_, false, func, or_, select

from gridcare.converters import as_id
from gridcare.extensions import db


def path_after(prefix: str) -> str:
    """The first string after every string that starts with `prefix` (its last character
    moved one up): `"/1/4/"` gives `"/1/40"`, since "0" follows "/"."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def under(path: ColumnElement[str], prefix) -> ColumnElement[bool]:
    """`path` starts with `prefix`, written as a range so that a plain b-tree index on the
    path serves it on both databases (ix_area_path). `LIKE 'p%'` does not: SQLite's LIKE
    ignores case, and PostgreSQL's needs the "C" collation or a pattern-ops index.

    Area paths hold only digits and "/", which sort in the same order in every collation.
    A `prefix` that is itself a SQL expression (a subquery) gets its upper bound in SQL.
    """
    if isinstance(prefix, str):
        return and_(path >= prefix, path < path_after(prefix))
    last_dropped = func.substr(prefix, 1, func.length(prefix) - 1, type_=String)
    return and_(path >= prefix, path < last_dropped.concat("0"))


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
        return or_(*(under(path, p) for p in self.paths))

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
