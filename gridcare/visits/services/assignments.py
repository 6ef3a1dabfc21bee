"""Officers' work: one-off checks, campaigns, reassignment, schedule adjustments."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from gridcare.accounts.lookups import areas_of, grid_workers, workers_in_scope
from gridcare.accounts.services import Actor
from gridcare.areas.models import Area
from gridcare.areas.scope import Scope
from gridcare.extensions import db
from gridcare.registry.flags import FLAGS, household_has
from gridcare.registry.models import CARE_LEVELS, Household
from gridcare.visits.models import (
    Campaign,
    CareSchedule,
    Visit,
    VisitKind,
    VisitStatus,
    canonical_client_uuid,
)
from gridcare.visits.services.campaign_templates import notify_campaign_workers
from gridcare.visits.services.errors import VisitError
from gridcare.visits.services.planning import insert_ignoring_duplicates, pull_forward


def _households_in_scope(scope: Scope, household_ids: Sequence[int]) -> list[Household]:
    stmt = (
        select(Household)
        .join(Area, Area.id == Household.grid_id)
        .where(Household.id.in_(household_ids), Household.active.is_(True), scope.filter(Area.path))
    )
    return list(db.session.scalars(stmt))


def _check_worker(scope: Scope, worker_id: int | None, grid_ids: Iterable[int] = ()) -> None:
    """A named worker must be of the caller's areas and able to open every household."""
    if worker_id is None:
        return
    if worker_id not in {w.id for w in workers_in_scope(scope)}:
        raise VisitError("worker_id", _l("Choose a grid worker of your areas."))
    grid_paths = db.session.scalars(select(Area.path).where(Area.id.in_(set(grid_ids)))).all()
    own = areas_of([worker_id])[worker_id]
    if not all(own.covers(path) for path in grid_paths):
        raise VisitError(
            "worker_id", _l("This worker's areas do not include every chosen household.")
        )


@dataclass(frozen=True)
class TasksAdded:
    """What a one-off assignment or a campaign did: tasks created, and households that got
    none because they already had an open task of that kind (it will do). Of those, a
    campaign takes in (`taken_in`) the ones that belong to no other campaign."""

    created: int = 0
    already_open: int = 0
    taken_in: int = 0


def _earliest_open_tasks(household_ids: Iterable[int], kind: VisitKind) -> dict[int, Visit]:
    """Each household's earliest open task of this kind, from any source."""
    tasks = db.session.scalars(
        select(Visit)
        .where(
            Visit.household_id.in_(list(household_ids)),
            Visit.kind == kind,
            Visit.status == VisitStatus.planned,
        )
        .order_by(Visit.household_id, Visit.due_date, Visit.id)
    )
    earliest: dict[int, Visit] = {}
    for task in tasks:
        earliest.setdefault(task.household_id, task)
    return earliest


def _bring_forward(task: Visit, due_date: date, window_end: date, worker_id: int | None) -> bool:
    """Make an open task do for a one-off check: due by its date at the latest, and the
    named worker's. A routine task months away would otherwise stand in for an urgent check."""
    changed = False
    if task.due_date > due_date:
        task.due_date, changed = due_date, True
    if task.window_end > window_end:
        task.window_end, changed = max(window_end, task.due_date), True
    if worker_id is not None and task.worker_id != worker_id:
        task.worker_id, changed = worker_id, True
    return changed


def assign_checks(
    actor: Actor,
    household_ids: Sequence[int],
    *,
    kind: VisitKind,
    due_date: date,
    today: date,
    worker_id: int | None = None,
    window_days: int = 0,
) -> TasksAdded:
    """One-off tasks for chosen households, each for its grid's worker unless one is named.

    A household with an open task of this kind gets no second one (a form sent twice
    included): its earliest such task is the one to do, brought forward to `due_date` if
    later, and given to the named worker if there is one.
    """
    if due_date < today:
        raise VisitError("due_date", _l("The due date has passed."))
    households = _households_in_scope(actor.scope, household_ids)
    if len(households) != len(set(household_ids)) or not households:
        raise VisitError("household_ids", _l("Choose households of your areas."))
    _check_worker(actor.scope, worker_id, [h.grid_id for h in households])
    workers = grid_workers(h.grid_id for h in households)
    window_end = due_date + timedelta(days=window_days)
    already = _earliest_open_tasks((h.id for h in households), kind)
    for task in already.values():
        if _bring_forward(task, due_date, window_end, worker_id):
            actor.audit("update", "visit", task.id, ["due_date", "window_end", "worker_id"])
    visits = [
        Visit(
            household_id=h.id,
            kind=kind,
            due_date=due_date,
            window_end=window_end,
            worker_id=worker_id or workers.get(h.grid_id),
            created_by_id=actor.user_id,
        )
        for h in households
        if h.id not in already
    ]
    db.session.add_all(visits)
    db.session.flush()
    for visit in visits:
        actor.audit("assign", "visit", visit.id, ["kind", "due_date", "worker_id"])
    db.session.commit()
    return TasksAdded(len(visits), len(already))


def campaign_households(area: Area, care_levels: Sequence[int], flags: Sequence[str]):
    """The query for a campaign's target: active households under `area` matching the filter."""
    grid = Area
    stmt = (
        select(Household.id, Household.grid_id)
        .join(grid, grid.id == Household.grid_id)
        .where(Household.active.is_(True), grid.path.startswith(area.path))
    )
    if care_levels:
        stmt = stmt.where(Household.care_level.in_(care_levels))
    else:
        stmt = stmt.where(Household.care_level.is_not(None))
    conditions = [household_has(flag) for flag in flags if flag in FLAGS]
    if conditions:
        stmt = stmt.where(or_(*conditions))
    return stmt


def create_campaign(
    actor: Actor,
    *,
    name: str,
    kind: VisitKind,
    area: Area,
    care_levels: Sequence[int],
    flags: Sequence[str],
    due_date: date,
    today: date,
    client_uuid: str | None = None,
) -> tuple[Campaign, TasksAdded | None]:
    """Start a campaign and give every matching household one task, due by `due_date`.

    The same form sent twice (same `client_uuid`) by the same officer returns the campaign
    started the first time, with None for what was added; from anyone else it is refused.
    An identical campaign still running is refused.
    """
    client_uuid = _campaign_uuid(client_uuid) if client_uuid else None
    if client_uuid:
        started = _resent_campaign(client_uuid, actor)
        if started is not None:
            return started, None
    if not actor.scope.covers(area.path):
        raise VisitError("area_id", _l("Choose an area of yours."))
    if due_date < today:
        raise VisitError("due_date", _l("The due date has passed."))
    if any(flag not in FLAGS for flag in flags) or any(
        level not in CARE_LEVELS for level in care_levels
    ):
        raise VisitError("care_levels", _l("Unknown filter."))
    campaign = Campaign(
        name=name.strip(),
        kind=kind,
        area_id=area.id,
        care_levels=sorted(care_levels),
        flags=sorted(flags),
        due_date=due_date,
        created_by_id=actor.user_id,
        client_uuid=client_uuid,
    )
    if _identical_campaign_running(campaign, today):
        raise VisitError("name", _l("An identical campaign is already running."))
    try:
        db.session.add(campaign)
        db.session.flush()
        added = _fill_campaign(campaign, area)
        actor.audit("create", "campaign", campaign.id, ["name", "kind", "area_id", "due_date"])
        db.session.commit()
    except IntegrityError:
        # The same form, sent twice at the same moment: the other request started it.
        db.session.rollback()
        started = _resent_campaign(client_uuid, actor) if client_uuid else None
        if started is None:
            raise
        return started, None
    return campaign, added


# Shown next to the name: the form's token is hidden, its message would not show.
CAMPAIGN_UUID_USED = _l(
    "This form was already used for another campaign, so nothing was started. "
    "Open the form again and send it."
)
CAMPAIGN_UUID_BROKEN = _l(
    "The form arrived incomplete, so nothing was started. Open it again and send it."
)


def _campaign_uuid(value: str) -> str:
    # Canonical, as for visits: `urn:uuid:…` would not fit the column, and a resend in
    # capitals would not find the campaign it started.
    try:
        return canonical_client_uuid(value)
    except ValueError as exc:
        raise VisitError("name", CAMPAIGN_UUID_BROKEN) from exc


def _resent_campaign(client_uuid: str, actor: Actor) -> Campaign | None:
    """The campaign this form started, if the same officer sent it; another's is refused
    (and its name, maybe of areas not theirs, is not told)."""
    started = db.session.scalar(select(Campaign).where(Campaign.client_uuid == client_uuid))
    if started is not None and started.created_by_id != actor.user_id:
        raise VisitError("name", CAMPAIGN_UUID_USED)
    return started


def _identical_campaign_running(campaign: Campaign, today: date) -> bool:
    """Whether a campaign with the same name, kind, area, filter and due date is still due."""
    candidates = db.session.scalars(
        select(Campaign).where(
            Campaign.name == campaign.name,
            Campaign.kind == campaign.kind,
            Campaign.area_id == campaign.area_id,
            Campaign.due_date == campaign.due_date,
            Campaign.due_date >= today,
        )
    )
    return any(
        sorted(c.care_levels) == campaign.care_levels and sorted(c.flags) == campaign.flags
        for c in candidates
    )


def _fill_campaign(campaign: Campaign, area: Area) -> TasksAdded:
    matching = campaign_households(area, campaign.care_levels, campaign.flags)
    reached = exists().where(Visit.campaign_id == campaign.id, Visit.household_id == Household.id)
    # A household with an open task of this kind gets no second one: that task is the one
    # to do (one household had three open safety checks just after a full check).
    open_task = exists().where(
        Visit.household_id == Household.id,
        Visit.kind == campaign.kind,
        Visit.status == VisitStatus.planned,
    )
    targets = db.session.execute(matching.where(~reached, ~open_task)).all()
    already = db.session.scalar(
        select(func.count()).select_from(matching.where(~reached, open_task).subquery())
    )
    taken_in = _take_in_open_tasks(campaign, matching.where(~reached, open_task))
    workers = grid_workers(grid_id for _, grid_id in targets)
    rows = [
        {
            "household_id": household_id,
            "kind": campaign.kind,
            "campaign_id": campaign.id,
            "due_date": campaign.due_date,
            "window_end": campaign.due_date,
            "status": VisitStatus.planned,
            "worker_id": workers.get(grid_id),
            "created_by_id": campaign.created_by_id,
            "checklist": {},
            "notes": "",
        }
        for household_id, grid_id in targets
    ]
    added = TasksAdded(insert_ignoring_duplicates(Visit, rows), already, taken_in)
    if added.created or added.taken_in:
        notify_campaign_workers(campaign)
    return added


def _take_in_open_tasks(campaign: Campaign, households) -> int:
    """Make each household's open task of the campaign's kind (its earliest, if no other
    campaign holds it) part of the campaign, due by the campaign's date at the latest:
    the household's one task then does for both, and the campaign counts it.
    """
    household_ids = select(households.subquery().c.id)
    tasks = db.session.execute(
        select(Visit.id, Visit.household_id, Visit.due_date)
        .where(
            Visit.household_id.in_(household_ids),
            Visit.kind == campaign.kind,
            Visit.status == VisitStatus.planned,
            Visit.campaign_id.is_(None),
        )
        .order_by(Visit.household_id, Visit.due_date, Visit.id)
    ).all()
    earliest = {}
    for task_id, household_id, due in tasks:
        earliest.setdefault(household_id, (task_id, due))
    if not earliest:
        return 0
    db.session.execute(
        update(Visit),
        [
            {"id": task_id, "campaign_id": campaign.id, "due_date": min(due, campaign.due_date)}
            for task_id, due in earliest.values()
        ],
    )
    return len(earliest)


def refresh_campaign(actor: Actor, campaign: Campaign) -> TasksAdded:
    """Add tasks for households that match the campaign since it started; never a second one."""
    added = _fill_campaign(campaign, campaign.area)
    if added.created:
        actor.audit("update", "campaign", campaign.id, ["visits"])
    db.session.commit()
    return added


@dataclass(frozen=True)
class Reassigned:
    """What a reassignment did: tasks handed over, and tasks left with their worker because
    the new one's areas do not hold their household."""

    moved: int = 0
    not_theirs: int = 0


def reassign_visits(actor: Actor, visit_ids: Sequence[int], worker_id: int) -> Reassigned:
    """Hand planned tasks in the caller's areas to another worker: those whose homes the
    worker can open; the others stay where they are, counted. None of them: refused."""
    if worker_id not in {w.id for w in workers_in_scope(actor.scope)}:
        raise VisitError("worker_id", _l("Choose a grid worker of your areas."))
    rows = db.session.execute(
        select(Visit, Area.path)
        .join(Household, Household.id == Visit.household_id)
        .join(Area, Area.id == Household.grid_id)
        .where(
            Visit.id.in_(visit_ids),
            Visit.status == VisitStatus.planned,
            actor.scope.filter(Area.path),
        )
    ).all()
    own = areas_of([worker_id])[worker_id]
    theirs = [visit for visit, grid_path in rows if own.covers(grid_path)]
    if rows and not theirs:
        raise VisitError(
            "worker_id", _l("This worker's areas hold none of the chosen tasks' households.")
        )
    for visit in theirs:
        visit.worker_id = worker_id
        actor.audit("reassign", "visit", visit.id, ["worker_id"])
    db.session.commit()
    return Reassigned(len(theirs), len(rows) - len(theirs))


def adjust_schedule(
    actor: Actor,
    schedule: CareSchedule,
    *,
    interval_days: int,
    window_days: int,
    worker_id: int | None,
    today: date,
) -> CareSchedule:
    """An officer's cadence or assignee for one schedule; it now survives care-level changes."""
    if not 1 <= interval_days <= 366:
        raise VisitError("interval_days", _l("The interval is 1 to 366 days."))
    if not 0 <= window_days < interval_days:
        raise VisitError("window_days", _l("The window must be shorter than the interval."))
    grid_id = db.session.scalar(
        select(Household.grid_id).where(Household.id == schedule.household_id)
    )
    _check_worker(actor.scope, worker_id, [grid_id])
    tighter = interval_days < schedule.interval_days
    schedule.interval_days, schedule.window_days = interval_days, window_days
    schedule.worker_id = worker_id
    schedule.adjusted = True
    db.session.flush()
    if tighter:
        pull_forward(schedule, today)
    db.session.execute(
        update(Visit)
        .where(Visit.schedule_id == schedule.id, Visit.status == VisitStatus.planned)
        .values(worker_id=worker_id or grid_workers([grid_id]).get(grid_id))
        .execution_options(synchronize_session=False)
    )
    actor.audit(
        "update", "care_schedule", schedule.id, ["interval_days", "window_days", "worker_id"]
    )
    db.session.commit()
    return schedule
