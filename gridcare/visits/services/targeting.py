"""Choosing households for one-off checks by what is known about them, and saying before
anything is assigned how many will get a task and why the others will not."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select

from gridcare.accounts.lookups import areas_of, workers_in_scope
from gridcare.accounts.models import User
from gridcare.accounts.services import Actor
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import Scope
from gridcare.clock import day_start_utc
from gridcare.extensions import db
from gridcare.registry.flags import FLAGS, household_has
from gridcare.registry.models import CARE_LEVELS, Household
from gridcare.visits.models import Visit, VisitKind, VisitStatus
from gridcare.visits.services.assignments import TasksAdded, assign_checks
from gridcare.visits.services.errors import VisitError

# Households a preview lists by name; the counts always cover every match.
PREVIEW_LIST_LIMIT = 200
# No visit is recorded before this day (the log form refuses earlier times).
EARLIEST_VISIT_DAY = date(2000, 1, 1)


@dataclass(frozen=True)
class HouseholdTarget:
    """Which households an officer means: all the conditions hold at once; within care
    levels and within flags any one will do. Nothing chosen: every household with a care
    level in the caller's areas."""

    grid_id: int | None = None
    care_levels: tuple[int, ...] = ()
    flags: tuple[str, ...] = ()
    overdue: bool = False
    not_visited_since: date | None = None


@dataclass(frozen=True)
class PreviewRow:
    """One matching household, its grid, and whether it would get a task: `new`, `open`
    (it has an open task of this kind) or `outside` (the chosen worker cannot open it)."""

    household: Household
    grid: Area
    outcome: str


@dataclass
class AssignmentPreview:
    """What assigning a check to a target would do, counted before it is done."""

    matching: int = 0
    already_open: int = 0
    outside_worker: int = 0
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def to_create(self) -> int:
        return self.matching - self.already_open - self.outside_worker


@dataclass(frozen=True)
class FilteredAssignment:
    """What an assignment by filter did: its tasks, and the households left out because the
    chosen worker's grids do not hold them."""

    added: TasksAdded
    outside_worker: int = 0


def workers_for(scope: Scope, grid_id: int | None) -> list[User]:
    """The workers an officer may name: of their areas, and able to open the grid if one is
    chosen (across grids, the households a worker cannot open are counted apart)."""
    workers = workers_in_scope(scope)
    if grid_id is None:
        return workers
    path = db.session.scalar(select(Area.path).where(Area.id == grid_id))
    if path is None:
        return workers
    own = areas_of(w.id for w in workers)
    return [w for w in workers if own[w.id].covers(path)]


def check_target(target: HouseholdTarget, scope: Scope) -> None:
    """Refuse a target naming a grid, level or flag the caller cannot choose."""
    if any(level not in CARE_LEVELS for level in target.care_levels):
        raise VisitError("care_levels", _l("Unknown filter."))
    if any(flag not in FLAGS for flag in target.flags):
        raise VisitError("flags", _l("Unknown filter."))
    since = target.not_visited_since
    if since is not None and since < EARLIEST_VISIT_DAY:
        # A mistyped year (0001) would overflow on the way to UTC.
        raise VisitError("not_visited_since", _l("Give a date after 1 January 2000."))
    if target.grid_id is not None:
        path = db.session.scalar(
            select(Area.path).where(Area.id == target.grid_id, Area.kind == AreaKind.grid)
        )
        if path is None or not scope.covers(path):
            raise VisitError("grid", _l("Choose a grid of your areas."))


def matching_households(scope: Scope, target: HouseholdTarget, today: date):
    """The query for the target's households: active, in the caller's areas, by address."""
    stmt = (
        select(Household, Area)
        .join(Area, Area.id == Household.grid_id)
        .where(Household.active.is_(True), scope.filter(Area.path))
    )
    if target.grid_id is not None:
        stmt = stmt.where(Household.grid_id == target.grid_id)
    if target.care_levels:
        stmt = stmt.where(Household.care_level.in_(target.care_levels))
    else:
        stmt = stmt.where(Household.care_level.is_not(None))
    if target.flags:
        stmt = stmt.where(or_(*(household_has(flag) for flag in target.flags)))
    if target.overdue:
        stmt = stmt.where(
            exists().where(
                Visit.household_id == Household.id,
                Visit.status == VisitStatus.planned,
                Visit.due_date < today,
            )
        )
    if target.not_visited_since is not None:
        stmt = stmt.where(
            ~exists().where(
                Visit.household_id == Household.id,
                Visit.status == VisitStatus.done,
                Visit.completed_at >= day_start_utc(target.not_visited_since),
            )
        )
    return stmt.order_by(
        Area.path, Household.address, Household.building, Household.unit, Household.room
    )


def _open_task_households(household_ids: Sequence[int], kind: VisitKind) -> set[int]:
    return set(
        db.session.scalars(
            select(Visit.household_id).where(
                Visit.household_id.in_(household_ids),
                Visit.kind == kind,
                Visit.status == VisitStatus.planned,
            )
        )
    )


def _split(scope: Scope, target: HouseholdTarget, kind: VisitKind, worker_id, today: date):
    """The matches, those with an open task of the kind, and those the worker cannot open."""
    rows = db.session.execute(matching_households(scope, target, today)).all()
    ids = [household.id for household, _grid in rows]
    already = _open_task_households(ids, kind) if ids else set()
    outside: set[int] = set()
    if worker_id is not None:
        if worker_id not in {w.id for w in workers_in_scope(scope)}:
            raise VisitError("worker_id", _l("Choose a grid worker of your areas."))
        own = areas_of([worker_id])[worker_id]
        outside = {household.id for household, grid in rows if not own.covers(grid.path)}
    return rows, already, outside


def _outcome(household_id: int, already: set[int], outside: set[int]) -> str:
    if household_id in outside:
        return "outside"
    return "open" if household_id in already else "new"


def preview_assignment(
    scope: Scope,
    target: HouseholdTarget,
    *,
    kind: VisitKind,
    today: date,
    worker_id: int | None = None,
) -> AssignmentPreview:
    """How many households match, and how many of them would get no new task: those with an
    open task of this kind already, and those outside the chosen worker's grids."""
    check_target(target, scope)
    rows, already, outside = _split(scope, target, kind, worker_id, today)
    return AssignmentPreview(
        matching=len(rows),
        # A household the worker cannot open is counted there, whatever its tasks.
        already_open=len(already - outside),
        outside_worker=len(outside),
        rows=[
            PreviewRow(household, grid, _outcome(household.id, already, outside))
            for household, grid in rows[:PREVIEW_LIST_LIMIT]
        ],
    )


def assign_by_target(
    actor: Actor,
    target: HouseholdTarget,
    *,
    kind: VisitKind,
    due_date: date,
    today: date,
    worker_id: int | None = None,
    expected: int | None = None,
) -> FilteredAssignment:
    """A one-off check for every household of the target the worker (or each grid's own
    worker) can open: the households and counts `preview_assignment` gave. With `expected`
    (the count the officer confirmed), a different count now assigns nothing."""
    check_target(target, actor.scope)
    rows, already, outside = _split(actor.scope, target, kind, worker_id, today)
    chosen = [household.id for household, _grid in rows if household.id not in outside]
    if expected is not None and len(chosen) - len(already - outside) != expected:
        raise VisitError("expected", COUNT_CHANGED)
    if not chosen:
        if outside:
            raise VisitError(
                "worker_id", _l("This worker's grids hold none of the matching households.")
            )
        raise VisitError("grid", _l("No household matches these filters."))
    added = assign_checks(
        actor, chosen, kind=kind, due_date=due_date, today=today, worker_id=worker_id
    )
    return FilteredAssignment(added, len(outside))


COUNT_CHANGED = _l(
    "The households changed since you counted them. Nothing was assigned: "
    "check the new count and confirm again."
)
