"""Care schedules and visits: planning them, logging them, and reading a worker's day."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from gridcare import geo
from gridcare.accounts.models import Role, User, user_area
from gridcare.accounts.services import Actor
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import Scope
from gridcare.areas.services import in_tree_order
from gridcare.clock import day_start_utc, utc_to_local_date, utcnow
from gridcare.dialects import count_if, insert_ignoring_conflicts
from gridcare.errors import FieldError
from gridcare.extensions import db
from gridcare.registry.models import Household, Resident, ResidentStatus
from gridcare.registry.services import households_changed
from gridcare.visits.models import (
    Campaign,
    CareSchedule,
    ChecklistItem,
    CheckResult,
    LocationVerdict,
    Outcome,
    Visit,
    VisitKind,
    VisitMethod,
    VisitStatus,
    canonical_client_uuid,
)
from gridcare.visits.plans import CARE_PLAN, first_due

FLAGS = ("lives_alone", "empty_nest", "disabled")


class VisitError(FieldError):
    """Something the user asked for that the rules refuse; nothing was stored."""


# Planning.


@dataclass
class PlanSummary:
    schedules_created: int = 0
    schedules_updated: int = 0
    schedules_ended: int = 0
    visits_created: int = 0
    visits_cancelled: int = 0
    visits_rescheduled: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in vars(self).items())


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


def _insert_ignoring_duplicates(model, rows: list[dict]) -> int:
    """Insert rows; one that a unique index already holds is skipped, not an error.

    This is what makes planning idempotent even when two processes plan at once.
    """
    if not rows:
        return 0
    result = db.session.execute(insert_ignoring_conflicts(model).returning(model.id), rows)
    return len(result.all())


def sync_schedules(
    today: date, household_ids: Sequence[int] | None = None, summary: PlanSummary | None = None
) -> PlanSummary:
    """Make each household's schedules follow its care level. Does not commit.

    A household that gained a level gets schedules; one whose level changed gets the new
    cadence (unless an officer adjusted it) and an earlier open visit when the cadence
    tightened; one with no level left, or closed, has its schedules ended and its open
    visits cancelled. The registry keeps care levels current.
    """
    summary = summary or PlanSummary()
    stmt = select(Household.id, Household.care_level, Household.active)
    schedule_stmt = select(CareSchedule)
    if household_ids is not None:
        stmt = stmt.where(Household.id.in_(household_ids))
        schedule_stmt = schedule_stmt.where(CareSchedule.household_id.in_(household_ids))
    schedules = defaultdict(dict)
    for schedule in db.session.scalars(schedule_stmt):
        schedules[schedule.household_id][schedule.kind] = schedule

    ended: list[int] = []
    tightened: list[CareSchedule] = []
    new_schedules: list[dict] = []
    for household_id, care_level, active in db.session.execute(stmt):
        level = care_level if active else None
        existing = schedules.get(household_id, {})
        if level is None:
            for schedule in existing.values():
                if schedule.active:
                    schedule.active = False
                    ended.append(schedule.id)
                    summary.schedules_ended += 1
            continue
        for kind, cadence in CARE_PLAN[level].items():
            schedule = existing.get(kind)
            if schedule is None:
                new_schedules.append(
                    {
                        "household_id": household_id,
                        "kind": kind,
                        "interval_days": cadence.interval_days,
                        "window_days": cadence.window_days,
                        "adjusted": False,
                        "active": True,
                    }
                )
                continue
            changed = not schedule.active
            schedule.active = True
            follows_level = not schedule.adjusted
            if follows_level and schedule.interval_days != cadence.interval_days:
                if cadence.interval_days < schedule.interval_days:
                    tightened.append(schedule)
                schedule.interval_days = cadence.interval_days
                changed = True
            if follows_level and schedule.window_days != cadence.window_days:
                schedule.window_days = cadence.window_days
                changed = True
            summary.schedules_updated += changed
    db.session.flush()
    summary.schedules_created += _insert_ignoring_duplicates(CareSchedule, new_schedules)
    if ended:
        summary.visits_cancelled += _cancel_open_visits(ended)
    for schedule in tightened:
        summary.visits_rescheduled += _pull_forward(schedule, today)
    return summary


def _cancel_open_visits(schedule_ids: list[int]) -> int:
    result = db.session.execute(
        update(Visit)
        .where(Visit.schedule_id.in_(schedule_ids), Visit.status == VisitStatus.planned)
        .values(status=VisitStatus.cancelled, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _last_completion(schedule_id: int) -> date | None:
    last = db.session.scalar(
        select(func.max(Visit.completed_at)).where(
            Visit.schedule_id == schedule_id, Visit.status == VisitStatus.done
        )
    )
    return utc_to_local_date(last) if last else None


def _pull_forward(schedule: CareSchedule, today: date) -> int:
    """Bring the open visit forward when a schedule's cadence tightened."""
    visit = db.session.scalar(
        select(Visit).where(Visit.schedule_id == schedule.id, Visit.status == VisitStatus.planned)
    )
    if visit is None:
        return 0
    base = _last_completion(schedule.id) or today
    due = max(min(visit.due_date, base + timedelta(days=schedule.interval_days)), today)
    if due == visit.due_date:
        return 0
    visit.due_date = due
    visit.window_end = due + timedelta(days=schedule.window_days)
    return 1


def plan_due_visits(today: date, household_ids: Sequence[int] | None = None) -> int:
    """Give every active schedule without an open visit its next one. Does not commit.

    The next visit is due one interval after the last one was done, or after the last
    missed one was due (never before today); a new schedule's first is spread over its
    first week. Idempotent: the partial unique index turns a second insert into a no-op.
    """
    open_visit = exists().where(
        Visit.schedule_id == CareSchedule.id, Visit.status == VisitStatus.planned
    )
    stmt = (
        select(CareSchedule, Household.grid_id)
        .join(Household, Household.id == CareSchedule.household_id)
        .where(CareSchedule.active.is_(True), Household.active.is_(True), ~open_visit)
    )
    if household_ids is not None:
        stmt = stmt.where(CareSchedule.household_id.in_(household_ids))
    pending = db.session.execute(stmt).all()
    if not pending:
        return 0

    schedule_ids = [schedule.id for schedule, _ in pending]
    last_done = dict(
        db.session.execute(
            select(Visit.schedule_id, func.max(Visit.completed_at))
            .where(Visit.schedule_id.in_(schedule_ids), Visit.status == VisitStatus.done)
            .group_by(Visit.schedule_id)
        ).all()
    )
    last_missed = dict(
        db.session.execute(
            select(Visit.schedule_id, func.max(Visit.due_date))
            .where(Visit.schedule_id.in_(schedule_ids), Visit.status == VisitStatus.missed)
            .group_by(Visit.schedule_id)
        ).all()
    )
    workers = grid_workers(grid_id for _, grid_id in pending)

    rows = []
    for schedule, grid_id in pending:
        done_at = last_done.get(schedule.id)
        due = _next_due(
            schedule,
            utc_to_local_date(done_at) if done_at else None,
            last_missed.get(schedule.id),
            today,
        )
        rows.append(
            {
                "household_id": schedule.household_id,
                "kind": schedule.kind,
                "schedule_id": schedule.id,
                "due_date": due,
                "window_end": due + timedelta(days=schedule.window_days),
                "status": VisitStatus.planned,
                "worker_id": schedule.worker_id or workers.get(grid_id),
                "checklist": {},
                "notes": "",
            }
        )
    return _insert_ignoring_duplicates(Visit, rows)


def _next_due(
    schedule: CareSchedule, done_on: date | None, missed_due: date | None, today: date
) -> date:
    interval = timedelta(days=schedule.interval_days)
    if done_on is None and missed_due is None:
        return first_due(schedule.household_id, schedule.kind, schedule.interval_days, today)
    if missed_due is not None and (done_on is None or missed_due > done_on):
        return max(missed_due + interval, today)  # keep the rhythm after a miss
    return done_on + interval


def generate_visits(today: date) -> PlanSummary:
    """The nightly plan: follow care levels, then give each schedule its next visit."""
    summary = sync_schedules(today)
    summary.visits_created = plan_due_visits(today)
    db.session.commit()
    return summary


def close_missed(today: date) -> int:
    """Mark planned visits whose window closed before today as missed (final)."""
    result = db.session.execute(
        update(Visit)
        .where(Visit.status == VisitStatus.planned, Visit.window_end < today)
        .values(status=VisitStatus.missed, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


@households_changed.connect
def follow_households(household_ids: tuple[int, ...], on: date) -> PlanSummary:
    """The registry changed households (their level, their grid, closed or reopened them):
    follow at once, in one batch. Runs inside the registry's transaction, which commits.
    """
    summary = sync_schedules(on, household_ids)
    _hand_back_open_tasks(household_ids)
    summary.visits_created = plan_due_visits(on, household_ids)
    return summary


def _hand_back_open_tasks(household_ids: Sequence[int]) -> None:
    """Give open tasks whose worker no longer covers the household's grid (it moved) to
    the grid's worker; a schedule's named worker who no longer covers it is dropped."""
    homes = db.session.execute(
        select(Household.id, Area.id, Area.path)
        .join(Area, Area.id == Household.grid_id)
        .where(Household.id.in_(household_ids))
    ).all()
    covering = {}  # grid path -> ids of users whose areas contain it
    for path in {path for _, _, path in homes}:
        covering[path] = set(
            db.session.scalars(
                select(user_area.c.user_id)
                .join(Area, Area.id == user_area.c.area_id)
                .where(literal(path).startswith(Area.path))
            )
        )
    grid_worker = grid_workers({grid_id for _, grid_id, _ in homes})
    home_of = {household_id: (grid_id, path) for household_id, grid_id, path in homes}
    for schedule in db.session.scalars(
        select(CareSchedule).where(
            CareSchedule.household_id.in_(household_ids), CareSchedule.worker_id.is_not(None)
        )
    ):
        if schedule.worker_id not in covering[home_of[schedule.household_id][1]]:
            schedule.worker_id = None
    for visit in db.session.scalars(
        select(Visit).where(
            Visit.household_id.in_(household_ids), Visit.status == VisitStatus.planned
        )
    ):
        grid_id, path = home_of[visit.household_id]
        if visit.worker_id not in covering[path]:
            visit.worker_id = grid_worker.get(grid_id)


# Logging.


@dataclass(frozen=True)
class Position:
    lat: float
    lon: float
    accuracy_m: float | None = None


def _validate_position(position: Position | None) -> None:
    if position is None:
        return
    if not geo.valid_point(position.lat, position.lon):
        raise VisitError(
            "lat", _l("The position is out of range: latitude −90…90, longitude −180…180.")
        )
    if position.accuracy_m is not None and not 0 <= position.accuracy_m <= 100_000:
        raise VisitError("accuracy_m", _l("The position's accuracy is not plausible."))


def checklist_items() -> list[ChecklistItem]:
    """The active safety-check items, in order."""
    return list(
        db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.active.is_(True))
            .order_by(ChecklistItem.position)
        )
    )


def _validate_checklist(kind: VisitKind, checklist: dict[str, str] | None) -> dict[str, str]:
    if kind != VisitKind.safety_check:
        return {}
    checklist = checklist or {}
    codes = {item.code for item in checklist_items()}
    unknown = set(checklist) - codes
    if unknown:
        raise VisitError("checklist", _l("The checklist has items this form does not know."))
    missing = codes - set(checklist)
    if missing:
        raise VisitError("checklist", _l("Every checklist item needs an answer."))
    allowed = {r.value for r in CheckResult}
    if any(value not in allowed for value in checklist.values()):
        raise VisitError("checklist", _l("Answer each item with pass, fail or not applicable."))
    return dict(checklist)


def log_visit(
    actor: Actor,
    household: Household,
    *,
    kind: VisitKind,
    client_uuid: str,
    outcome: Outcome | None,
    method: VisitMethod = VisitMethod.in_person,
    not_home: bool = False,
    notes: str = "",
    checklist: dict[str, str] | None = None,
    position: Position | None = None,
    completed_at: datetime | None = None,
    visit_id: int | None = None,
) -> Visit:
    """Record a visit or safety check at a household; an in-person one completes its open task.

    A form sent twice (same `client_uuid`) returns the visit stored the first time. A
    visit that really happened is never refused because its task closed meanwhile: it
    then completes the household's current task, or is kept as an extra visit. Phone
    calls and not-home attempts are kept too, but leave the task open for a visit.
    """
    client_uuid = _client_uuid(client_uuid)
    already = _visit_by_uuid(client_uuid)
    if already is not None:
        return _resent(already, actor, household)
    now = utcnow()
    completed_at = completed_at or now
    if completed_at > now + timedelta(minutes=5):
        raise VisitError("completed_at", _l("A visit cannot be logged in the future."))
    _validate_position(position)
    if not_home:
        method, outcome = VisitMethod.in_person, None
    elif outcome is None:
        raise VisitError("outcome", _l("Choose how the visit went."))
    if kind == VisitKind.safety_check and method != VisitMethod.in_person:
        raise VisitError("method", _l("A safety check is done in person."))
    checklist = {} if not_home else _validate_checklist(kind, checklist)
    if CheckResult.failed.value in checklist.values():
        outcome = Outcome.concerns  # a failed item is a concern, whatever was ticked

    home = (household.lat, household.lon) if household.lat is not None else None
    phone = (position.lat, position.lon) if position else None
    radius = float(current_app.config["GRIDCARE_CHECKIN_RADIUS_M"])
    distance, verdict = geo.check_in_verdict(
        phone, position.accuracy_m if position else None, home, radius
    )
    values = {
        "status": VisitStatus.not_home if not_home else VisitStatus.done,
        "completed_by_id": actor.user_id,
        "completed_at": completed_at,
        "method": method,
        "outcome": outcome,
        "checklist": checklist,
        "notes": notes.strip(),
        "lat": position.lat if position else None,
        "lon": position.lon if position else None,
        "accuracy_m": position.accuracy_m if position else None,
        "distance_m": distance,
        "location_verdict": LocationVerdict(verdict.value),
        "client_uuid": client_uuid,
        "updated_at": now,
    }
    completes = not not_home and method == VisitMethod.in_person
    task = _task_to_complete(household, kind, visit_id, completed_at) if completes else None
    try:
        visit_id = _complete(task, values) if task is not None else None
        if visit_id is None:
            visit = Visit(
                household_id=household.id,
                kind=kind,
                due_date=utc_to_local_date(completed_at),
                window_end=utc_to_local_date(completed_at),
                worker_id=actor.user_id,
                created_by_id=actor.user_id,
                extra=True,
                **values,
            )
            db.session.add(visit)
            db.session.flush()
            visit_id = visit.id
        actor.audit(
            "log", "visit", visit_id, [k for k, v in values.items() if v not in (None, "", {})]
        )
        if task is not None and task.schedule_id is not None:
            plan_due_visits(utc_to_local_date(now), [household.id])
        db.session.commit()
    except IntegrityError:
        # The same form, sent twice at the same moment: the other request stored it.
        db.session.rollback()
        existing = _visit_by_uuid(client_uuid)
        if existing is None:
            raise
        return _resent(existing, actor, household)
    return db.session.get(Visit, visit_id)


UUID_USED = _l(
    "This form was already used for another visit, so nothing was stored. "
    "Open the form again and send it."
)
UUID_BROKEN = _l("The form arrived incomplete, so nothing was stored. Open it again and send it.")


def _client_uuid(value: str) -> str:
    try:
        return canonical_client_uuid(value or "")
    except ValueError as exc:
        raise VisitError("client_uuid", UUID_BROKEN) from exc


def _resent(visit: Visit, actor: Actor, household: Household) -> Visit:
    """The visit a resent form stored, if it is really the same form; else a refusal."""
    if visit.household_id != household.id or visit.completed_by_id != actor.user_id:
        raise VisitError("client_uuid", UUID_USED)
    return visit


def _complete(task: Visit, values: dict) -> int | None:
    """Complete a task if it is still planned (two phones cannot both complete it)."""
    done = db.session.execute(
        update(Visit)
        .where(Visit.id == task.id, Visit.status == VisitStatus.planned)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(task)
    return task.id if done else None


def _visit_by_uuid(client_uuid: str) -> Visit | None:
    return db.session.scalar(select(Visit).where(Visit.client_uuid == client_uuid))


def _task_to_complete(
    household: Household, kind: VisitKind, visit_id: int | None, completed_at: datetime
) -> Visit | None:
    """The task a visit completes: the one named if still open, else the household's
    earliest open task of that kind. A visit from before a task existed completes none."""
    task = None
    if visit_id is not None:
        task = db.session.scalar(
            select(Visit).where(Visit.id == visit_id, Visit.household_id == household.id)
        )
        if task is None:
            raise VisitError("visit", _l("This task does not belong to this household."))
        if task.kind != kind:
            raise VisitError("kind", _l("This task is of another kind."))
        if task.status != VisitStatus.planned:
            task = None
    if task is None:
        task = db.session.scalar(
            select(Visit)
            .where(
                Visit.household_id == household.id,
                Visit.kind == kind,
                Visit.status == VisitStatus.planned,
            )
            .order_by(Visit.due_date, Visit.id)
            .limit(1)
        )
    if task is not None and _predates(task, completed_at):
        return None
    return task


def _predates(task: Visit, completed_at: datetime) -> bool:
    """Whether a visit happened before this task was due to anyone: before the schedule's
    last completion, or before a one-off task was assigned. It is then history only."""
    if task.schedule_id is None:
        return completed_at < task.created_at
    last = db.session.scalar(
        select(func.max(Visit.completed_at)).where(
            Visit.schedule_id == task.schedule_id, Visit.status == VisitStatus.done
        )
    )
    return last is not None and completed_at <= last


# Officers' work: one-off checks, campaigns, reassignment, schedule adjustments.


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
    worker_paths = db.session.scalars(
        select(Area.path)
        .join(user_area, user_area.c.area_id == Area.id)
        .where(user_area.c.user_id == worker_id)
    ).all()
    grid_paths = db.session.scalars(select(Area.path).where(Area.id.in_(set(grid_ids)))).all()
    if not all(Scope(tuple(worker_paths)).covers(path) for path in grid_paths):
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


def _with_open_task(household_ids: Iterable[int], kind: VisitKind) -> set[int]:
    """Households that already have an open task of this kind, from any source."""
    return set(
        db.session.scalars(
            select(Visit.household_id).where(
                Visit.household_id.in_(list(household_ids)),
                Visit.kind == kind,
                Visit.status == VisitStatus.planned,
            )
        )
    )


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
    included): that task is the one to do.
    """
    if due_date < today:
        raise VisitError("due_date", _l("The due date has passed."))
    households = _households_in_scope(actor.scope, household_ids)
    if len(households) != len(set(household_ids)) or not households:
        raise VisitError("household_ids", _l("Choose households of your areas."))
    _check_worker(actor.scope, worker_id, [h.grid_id for h in households])
    workers = grid_workers(h.grid_id for h in households)
    already = _with_open_task((h.id for h in households), kind)
    visits = [
        Visit(
            household_id=h.id,
            kind=kind,
            due_date=due_date,
            window_end=due_date + timedelta(days=window_days),
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
    conditions = []
    for flag in flags:
        resident = and_(
            Resident.household_id == Household.id, Resident.status == ResidentStatus.active
        )
        if flag == "disabled":
            conditions.append(exists().where(resident, Resident.disability_category.is_not(None)))
        elif flag in ("lives_alone", "empty_nest"):
            conditions.append(exists().where(resident, getattr(Resident, flag).is_(True)))
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

    The same form sent twice (same `client_uuid`) returns the campaign started the first
    time, with None for what was added; an identical campaign still running is refused.
    """
    if client_uuid:
        started = _campaign_by_uuid(client_uuid)
        if started is not None:
            return started, None
    if not actor.scope.covers(area.path):
        raise VisitError("area_id", _l("Choose an area of yours."))
    if due_date < today:
        raise VisitError("due_date", _l("The due date has passed."))
    if any(flag not in FLAGS for flag in flags) or any(
        level not in CARE_PLAN for level in care_levels
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
        client_uuid=client_uuid or None,
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
        started = _campaign_by_uuid(client_uuid) if client_uuid else None
        if started is None:
            raise
        return started, None
    return campaign, added


def _campaign_by_uuid(client_uuid: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.client_uuid == client_uuid))


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
    return TasksAdded(_insert_ignoring_duplicates(Visit, rows), already, taken_in)


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


def reassign_visits(actor: Actor, visit_ids: Sequence[int], worker_id: int) -> int:
    """Hand planned tasks in the caller's areas to another worker who covers their homes."""
    visits = list(
        db.session.scalars(
            select(Visit)
            .options(selectinload(Visit.household))
            .join(Household, Household.id == Visit.household_id)
            .join(Area, Area.id == Household.grid_id)
            .where(
                Visit.id.in_(visit_ids),
                Visit.status == VisitStatus.planned,
                actor.scope.filter(Area.path),
            )
        )
    )
    _check_worker(actor.scope, worker_id, [v.household.grid_id for v in visits])
    for visit in visits:
        visit.worker_id = worker_id
        actor.audit("reassign", "visit", visit.id, ["worker_id"])
    db.session.commit()
    return len(visits)


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
        _pull_forward(schedule, today)
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


# Reading.


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


def workers_who_can_open(scope: Scope, household_ids: Iterable[int]) -> list[User]:
    """Grid workers of the caller's areas whose own areas hold every one of these homes."""
    grid_paths = set(
        db.session.scalars(
            select(Area.path)
            .join(Household, Household.grid_id == Area.id)
            .where(Household.id.in_(set(household_ids)))
        )
    )
    workers = workers_in_scope(scope)
    paths = defaultdict(list)
    for user_id, path in db.session.execute(
        select(user_area.c.user_id, Area.path)
        .join(Area, Area.id == user_area.c.area_id)
        .where(user_area.c.user_id.in_([w.id for w in workers]))
    ):
        paths[user_id].append(path)
    return [w for w in workers if all(Scope(tuple(paths[w.id])).covers(p) for p in grid_paths)]


@dataclass
class DayRow:
    visit: Visit
    household: Household
    days_overdue: int


@dataclass
class WorkerDay:
    overdue: list[DayRow] = field(default_factory=list)
    today: list[DayRow] = field(default_factory=list)
    upcoming: list[DayRow] = field(default_factory=list)
    walking_order: bool = False

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)


# Walking order is worked out for this many stops of a list; the rest follow by address.
# The route search grows with the square of the stops, and a day rarely holds more.
WALKING_ORDER_STOPS = 30


def worker_day(
    worker_id: int,
    scope: Scope,
    today: date,
    start: geo.Point | None = None,
    days_ahead: int = 7,
) -> WorkerDay:
    """A worker's list: overdue first, then due today, then the coming days.

    Overdue and today's tasks are in walking order from `start` when the phone shared
    its position and the homes have coordinates; otherwise by address. Only households
    in the worker's own areas are listed.
    """
    stmt = (
        select(Visit, Household)
        .join(Household, Household.id == Visit.household_id)
        .join(Area, Area.id == Household.grid_id)
        .where(
            scope.filter(Area.path),
            Visit.worker_id == worker_id,
            Visit.status == VisitStatus.planned,
            Visit.due_date <= today + timedelta(days=days_ahead),
            Household.active.is_(True),
        )
        .order_by(
            Visit.due_date, Household.address, Household.building, Household.unit, Household.room
        )
    )
    day = WorkerDay()
    for visit, household in db.session.execute(stmt):
        row = DayRow(visit, household, visit.days_overdue(today))
        if visit.due_date < today:
            day.overdue.append(row)
        elif visit.due_date == today:
            day.today.append(row)
        else:
            day.upcoming.append(row)
    day.overdue.sort(key=lambda r: (-r.days_overdue, r.household.full_address))
    if start is not None:
        for name in ("overdue", "today"):
            rows = getattr(day, name)
            placed = [r for r in rows if r.household.lat is not None][:WALKING_ORDER_STOPS]
            if placed:
                order = geo.walking_order(
                    start, [(r.household.lat, r.household.lon) for r in placed]
                )
                routed = {id(r) for r in placed}
                rest = [r for r in rows if id(r) not in routed]
                setattr(day, name, [placed[i] for i in order] + rest)
                day.walking_order = True
    return day


def household_visits(household_id: int, limit: int = 30) -> tuple[list[Visit], list[Visit]]:
    """A household's open tasks (soonest first) and its latest completed ones."""
    planned = list(
        db.session.scalars(
            select(Visit)
            .where(Visit.household_id == household_id, Visit.status == VisitStatus.planned)
            .options(selectinload(Visit.worker), selectinload(Visit.campaign))
            .order_by(Visit.due_date)
        )
    )
    history = list(
        db.session.scalars(
            select(Visit)
            .where(Visit.household_id == household_id, Visit.status != VisitStatus.planned)
            .options(selectinload(Visit.completed_by))
            .order_by(func.coalesce(Visit.completed_at, Visit.updated_at).desc(), Visit.id.desc())
            .limit(limit)
        )
    )
    return planned, history


def schedules_for(household_id: int) -> list[CareSchedule]:
    """The household's schedules, home visit first."""
    return list(
        db.session.scalars(
            select(CareSchedule)
            .where(CareSchedule.household_id == household_id)
            .order_by(CareSchedule.kind)
        )
    )


@dataclass
class Workload:
    worker: User
    planned: int = 0
    overdue: int = 0
    done_this_week: int = 0
    far_check_ins: int = 0


def workload(scope: Scope, today: date) -> list[Workload]:
    """Per worker of the caller's areas: open and overdue tasks, this week's work, far check-ins.

    Two grouped queries over ix_visit_worker_status_due and ix_visit_completed_at.
    """
    rows = {w.id: Workload(w) for w in workers_in_scope(scope)}
    if not rows:
        return []
    week_start = today - timedelta(days=today.weekday())
    week_start_utc = day_start_utc(week_start)
    open_counts = db.session.execute(
        select(
            Visit.worker_id,
            func.count(Visit.id),
            count_if(Visit.due_date < today),
        )
        .where(Visit.worker_id.in_(rows), Visit.status == VisitStatus.planned)
        .group_by(Visit.worker_id)
    )
    for worker_id, planned, overdue in open_counts:
        rows[worker_id].planned, rows[worker_id].overdue = planned, overdue or 0
    done_counts = db.session.execute(
        select(
            Visit.completed_by_id,
            func.count(Visit.id),
            count_if(Visit.location_verdict == LocationVerdict.far),
        )
        .where(
            Visit.completed_by_id.in_(rows),
            Visit.status.in_((VisitStatus.done, VisitStatus.not_home)),
            Visit.completed_at >= week_start_utc,
        )
        .group_by(Visit.completed_by_id)
    )
    for worker_id, done, far in done_counts:
        rows[worker_id].done_this_week, rows[worker_id].far_check_ins = done, far or 0
    return list(rows.values())


def overdue_visits(
    scope: Scope, today: date, worker_id: int | None = None, limit: int = 200
) -> list[tuple[Visit, Household]]:
    """Planned tasks past their due date in the caller's areas, most overdue first."""
    stmt = (
        select(Visit, Household)
        .join(Household, Household.id == Visit.household_id)
        .join(Area, Area.id == Household.grid_id)
        .where(Visit.status == VisitStatus.planned, Visit.due_date < today, scope.filter(Area.path))
        .options(selectinload(Visit.worker))
        .order_by(Visit.due_date, Visit.id)
        .limit(limit)
    )
    if worker_id is not None:
        stmt = stmt.where(Visit.worker_id == worker_id)
    return [(visit, household) for visit, household in db.session.execute(stmt)]


def campaigns_in_scope(scope: Scope) -> list[tuple[Campaign, int, int]]:
    """Campaigns of the caller's areas with their task and done counts, newest first."""
    stmt = (
        select(
            Campaign,
            func.count(Visit.id),
            count_if(Visit.status == VisitStatus.done),
        )
        .join(Area, Area.id == Campaign.area_id)
        .outerjoin(Visit, Visit.campaign_id == Campaign.id)
        .where(scope.filter(Area.path))
        .group_by(Campaign.id)
        .order_by(Campaign.id.desc())
    )
    return [(c, total, done or 0) for c, total, done in db.session.execute(stmt)]


def households_for_assignment(scope: Scope, grid_id: int) -> list[Household]:
    """Active households of one grid in scope, by address, for choosing whom to assign."""
    stmt = (
        select(Household)
        .join(Area, Area.id == Household.grid_id)
        .where(Household.grid_id == grid_id, Household.active.is_(True), scope.filter(Area.path))
        .order_by(Household.address, Household.building, Household.unit, Household.room)
    )
    return list(db.session.scalars(stmt))


def grids_in_scope(scope: Scope) -> list[Area]:
    """Grids the caller may assign work in."""
    stmt = select(Area).where(Area.kind == AreaKind.grid, scope.filter(Area.path))
    return in_tree_order(db.session.scalars(stmt))
