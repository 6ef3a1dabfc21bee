"""Who is rated and who rates: a worker's community and street, and a rater's kind.

A street leader is not a role of its own: it is an officer whose area over the worker is
a street (or the district), where a community officer's is the community or a grid.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gridcare.accounts.models import Role, User, user_area
from gridcare.areas.models import Area, AreaKind
from gridcare.extensions import db
from gridcare.performance.models import RaterKind
from gridcare.performance.services.errors import PerformanceError


@dataclass(frozen=True)
class Placement:
    """Where a worker is ranked: the community and street of their first grid."""

    worker: User
    grid_path: str
    community_id: int | None
    street_id: int | None


def _ancestor_id(path: str, kind: AreaKind, kinds: dict[int, AreaKind]) -> int | None:
    for part in path.strip("/").split("/"):
        if kinds.get(int(part)) is kind:
            return int(part)
    return None


def placements(workers: list[User]) -> dict[int, Placement]:
    """Each worker's placement, in two queries whatever the number of workers."""
    if not workers:
        return {}
    first_path: dict[int, str] = {}
    for user_id, path in db.session.execute(
        select(user_area.c.user_id, Area.path)
        .join(Area, Area.id == user_area.c.area_id)
        .where(user_area.c.user_id.in_([w.id for w in workers]))
        .order_by(Area.path)
    ):
        first_path.setdefault(user_id, path)
    ids = {int(p) for path in first_path.values() for p in path.strip("/").split("/")}
    kinds = dict(db.session.execute(select(Area.id, Area.kind).where(Area.id.in_(ids))).all())
    result = {}
    for worker in workers:
        path = first_path.get(worker.id)
        if path is None:
            continue
        result[worker.id] = Placement(
            worker,
            path,
            _ancestor_id(path, AreaKind.community, kinds),
            _ancestor_id(path, AreaKind.street, kinds),
        )
    return result


def placement(worker: User) -> Placement | None:
    return placements([worker]).get(worker.id)


def street_of(area: Area) -> Area:
    """The street a community (or grid) lies in; the area itself when it has none above."""
    ids = [int(p) for p in area.path.strip("/").split("/")]
    street = db.session.scalar(
        select(Area).where(Area.id.in_(ids), Area.kind == AreaKind.street).limit(1)
    )
    return street or area


def worker_in_scope(actor, worker_id) -> User | None:
    """The active grid worker with this id whose grid the actor can see, or None."""
    worker = db.session.get(User, worker_id) if isinstance(worker_id, int) else None
    if worker is None or worker.role != Role.grid_worker:
        return None
    if actor.user_id == worker.id:
        return worker
    found = placement(worker)
    if found is None or not actor.scope.covers(found.grid_path):
        return None
    return worker


def rater_kind(actor, worker: User) -> RaterKind:
    """How this officer rates this worker: as street leader when their area over the
    worker's grid is a street or the district, else as the community officer."""
    found = placement(worker)
    if actor.role != Role.officer or found is None:
        raise PerformanceError("value", _l("Only the worker's officers and street leaders rate."))
    covering = [p for p in actor.scope.paths if found.grid_path.startswith(p)]
    if not covering:
        raise PerformanceError("value", _l("Only the worker's officers and street leaders rate."))
    ids = [int(p.strip("/").split("/")[-1]) for p in covering]
    kinds = set(db.session.scalars(select(Area.kind).where(Area.id.in_(ids))))
    if kinds & {AreaKind.street, AreaKind.district}:
        return RaterKind.street_leader
    return RaterKind.officer
