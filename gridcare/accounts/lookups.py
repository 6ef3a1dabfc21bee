"""Who works where: the grid workers and officers of an area, found by their assigned areas.

Every domain that hands out work or tells someone about it asks here, so "the grid's
worker" means the same person on a visit, a hazard, a door plate and a report.
"""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func, literal, select

from gridcare.accounts.models import Role, User, user_area
from gridcare.areas.models import Area
from gridcare.areas.scope import Scope
from gridcare.extensions import db


def grid_workers(grid_ids: Iterable[int]) -> dict[int, int]:
    """The worker of each grid: the active grid worker assigned to it (lowest id if several)."""
    grid_ids = list(set(grid_ids))
    if not grid_ids:
        return {}
    rows = db.session.execute(
        select(user_area.c.area_id, func.min(User.id))
        .join(User, User.id == user_area.c.user_id)
        .where(
            user_area.c.area_id.in_(grid_ids),
            User.role == Role.grid_worker,
            User.active.is_(True),
        )
        .group_by(user_area.c.area_id)
    )
    return dict(rows.all())


def grid_worker(grid_id: int) -> User | None:
    """The grid's worker, as a door plate names them: the same person `grid_workers` gives."""
    worker_id = grid_workers([grid_id]).get(grid_id)
    return db.session.get(User, worker_id) if worker_id is not None else None


def areas_of(user_ids: Iterable[int]) -> dict[int, Scope]:
    """Each user's own areas, as a scope: what they can open (empty for a user with none)."""
    paths = defaultdict(list)
    for user_id, path in db.session.execute(
        select(user_area.c.user_id, Area.path)
        .join(Area, Area.id == user_area.c.area_id)
        .where(user_area.c.user_id.in_(set(user_ids)))
    ):
        paths[user_id].append(path)
    return defaultdict(lambda: Scope(()), {u: Scope(tuple(p)) for u, p in paths.items()})


def users_over(grid_path: str) -> set[int]:
    """Users of any role whose areas contain this grid: who can still open its homes."""
    return set(
        db.session.scalars(
            select(user_area.c.user_id)
            .join(Area, Area.id == user_area.c.area_id)
            .where(literal(grid_path).startswith(Area.path))
        )
    )


def workers_in_scope(scope: Scope) -> list[User]:
    """Active grid workers assigned to any area in scope."""
    stmt = (
        select(User)
        .join(user_area, user_area.c.user_id == User.id)
        .join(Area, Area.id == user_area.c.area_id)
        .where(User.role == Role.grid_worker, User.active.is_(True), scope.filter(Area.path))
        .distinct()
        .order_by(User.username)
    )
    return list(db.session.scalars(stmt))


def workers_under(area: Area) -> list[User]:
    """Active grid workers assigned to any area under `area`."""
    return workers_in_scope(Scope((area.path,)))


def workers_over(grid_path: str) -> list[User]:
    """Active grid workers whose areas contain this grid: the ones who can open its homes."""
    stmt = (
        select(User)
        .join(user_area, user_area.c.user_id == User.id)
        .join(Area, Area.id == user_area.c.area_id)
        .where(
            User.role == Role.grid_worker,
            User.active.is_(True),
            literal(grid_path).startswith(Area.path),
        )
        .distinct()
        .order_by(User.username)
    )
    return list(db.session.scalars(stmt))


def officers_over(grid_path: str) -> list[int]:
    """Active officers whose areas contain this grid: who is told about its hazards."""
    stmt = (
        select(User.id)
        .join(user_area, user_area.c.user_id == User.id)
        .join(Area, Area.id == user_area.c.area_id)
        .where(
            User.role == Role.officer,
            User.active.is_(True),
            literal(grid_path).startswith(Area.path),
        )
        .distinct()
    )
    return list(db.session.scalars(stmt))


def officers_over_each(grid_paths: Iterable[str]) -> dict[str, list[int]]:
    """`officers_over` for many grids in one query: the officers told about each grid."""
    officers = db.session.execute(
        select(user_area.c.user_id, Area.path)
        .join(User, User.id == user_area.c.user_id)
        .join(Area, Area.id == user_area.c.area_id)
        .where(User.role == Role.officer, User.active.is_(True))
        .order_by(user_area.c.user_id)
    ).all()
    return {
        grid_path: list(
            dict.fromkeys(user_id for user_id, path in officers if grid_path.startswith(path))
        )
        for grid_path in set(grid_paths)
    }
