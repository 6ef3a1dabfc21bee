"""The area tree: creating, renaming and moving areas, and reading it in scope."""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, update

from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import Scope, under
from gridcare.audit import services as audit
from gridcare.errors import FieldError
from gridcare.extensions import db


class AreaError(FieldError):
    """A change to the tree that would break its shape; the message names the problem."""


def _check_parent(kind: AreaKind, parent: Area | None) -> None:
    expected = kind.parent_kind
    if expected is None and parent is not None:
        raise AreaError("parent_id", _l("A district has no parent area."))
    if expected is not None and (parent is None or parent.kind != expected):
        raise AreaError(
            "parent_id",
            _l("This kind of area must sit under a %(kind)s.", kind=expected.label),
        )


def _audit(actor: Any, action: str, area: Area, fields: Sequence[str]) -> None:
    # `actor` is an accounts.Actor; areas may not import accounts, so it is duck-typed.
    if actor is not None:
        actor.audit(action, "area", area.id, fields)
    else:
        audit.record(action, "area", area.id, user_id=None, client_addr=None, fields=fields)


def _check_code_free(code: str, area_id: int | None = None) -> None:
    stmt = select(Area.id).where(Area.code == code)
    if area_id is not None:
        stmt = stmt.where(Area.id != area_id)
    if db.session.scalar(stmt) is not None:
        raise AreaError("code", _l("Another area already uses this code."))


def create_area(
    kind: AreaKind, name: str, code: str, parent: Area | None, *, actor: Any = None
) -> Area:
    """Add an area under `parent`; its path is the parent's path plus its own id."""
    _check_parent(kind, parent)
    code = code.strip()
    _check_code_free(code)
    area = Area(kind=kind, name=name.strip(), code=code, parent=parent)
    db.session.add(area)
    db.session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    _audit(actor, "create", area, ["kind", "name", "code", "parent_id"])
    db.session.commit()
    return area


def rename_area(area: Area, name: str, code: str, *, actor: Any = None) -> Area:
    """Change an area's name and code; its place in the tree stays."""
    name, code = name.strip(), code.strip()
    _check_code_free(code, area.id)
    changed = [f for f, v in (("name", name), ("code", code)) if getattr(area, f) != v]
    area.name, area.code = name, code
    if changed:
        _audit(actor, "update", area, changed)
    db.session.commit()
    return area


def move_area(area: Area, new_parent: Area, *, actor: Any = None) -> Area:
    """Hang `area` under `new_parent`, rewriting the path of everything beneath it."""
    _check_parent(area.kind, new_parent)
    old_path = area.path
    new_path = f"{new_parent.path}{area.id}/"
    if old_path == new_path:
        return area
    db.session.execute(
        update(Area)
        .where(under(Area.path, old_path))
        .values(path=literal(new_path) + func.substr(Area.path, len(old_path) + 1))
        .execution_options(synchronize_session=False)
    )
    area.parent_id = new_parent.id
    _audit(actor, "move", area, ["parent_id", "path"])
    db.session.commit()
    db.session.expire_all()
    return area


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that reads the numbers in a text by value: MZ2 before MZ10."""
    return tuple(
        # ASCII digits only: "①" or "²" pass isdigit() but are no number int() reads.
        (0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part)
        for part in re.split(r"([0-9]+)", text)
        if part
    )


def sibling_key(area: Area) -> tuple:
    """How areas under one parent are ordered: by code, then name, numbers by value."""
    return (_natural(area.code), _natural(area.name))


def in_tree_order(areas: Iterable[Area]) -> list[Area]:
    """Areas with each one right after its parent and siblings by code.

    Not by `path`: ids compared as text put /1/2/4/10/ before /1/2/4/8/.
    """
    areas = list(areas)
    known = {a.id: a for a in areas}
    above = {int(i) for a in areas for i in a.path.strip("/").split("/") if i} - known.keys()
    if above:
        known |= {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(above)))}

    siblings = {i: sibling_key(a) for i, a in known.items()}  # once per area, not per path

    def key(area: Area) -> list:
        ids = [int(i) for i in area.path.strip("/").split("/") if i]
        return [siblings.get(i, ((), ((0, i, ""),))) for i in ids]

    return sorted(areas, key=key)


def areas_in_scope(scope: Scope, kinds: Sequence[AreaKind] | None = None) -> list[Area]:
    """The areas a caller may choose from, in tree order."""
    stmt = select(Area).where(scope.filter(Area.path))
    if kinds:
        stmt = stmt.where(Area.kind.in_(kinds))
    return in_tree_order(db.session.scalars(stmt))


def grids_in_scope(scope: Scope) -> list[Area]:
    """The grids a caller may place households in or assign work in, in tree order."""
    return areas_in_scope(scope, [AreaKind.grid])


def child_areas(area: Area) -> list[Area]:
    """The direct children of an area, by code."""
    children = db.session.scalars(select(Area).where(Area.parent_id == area.id))
    return sorted(children, key=sibling_key)


def ancestors(area: Area) -> list[Area]:
    """The areas above `area`, district first."""
    ids = [int(part) for part in area.path.strip("/").split("/")[:-1]]
    if not ids:
        return []
    found = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def area_by_code(code: str) -> Area | None:
    """The area with this code, or None."""
    return db.session.scalar(select(Area).where(Area.code == code))
