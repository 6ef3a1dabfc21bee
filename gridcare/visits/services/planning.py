"""Planning: care schedules that follow care levels, and each schedule's next visit."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, select, update

from gridcare.accounts.lookups import grid_workers, users_over
from gridcare.areas.models import Area
from gridcare.clock import utc_to_local_date, utcnow
from gridcare.dialects import insert_ignoring_conflicts
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.visits.models import CareSchedule, Visit, VisitStatus
from gridcare.visits.plans import care_plan, first_due


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


def insert_ignoring_duplicates(model, rows: list[dict]) -> int:
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

    plan = care_plan(today)
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
        for kind, cadence in plan[level].items():
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
    summary.schedules_created += insert_ignoring_duplicates(CareSchedule, new_schedules)
    if ended:
        summary.visits_cancelled += _cancel_open_visits(ended)
    for schedule in tightened:
        summary.visits_rescheduled += pull_forward(schedule, today)
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


def pull_forward(schedule: CareSchedule, today: date) -> int:
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
    return insert_ignoring_duplicates(Visit, rows)


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


def follow_households(household_ids: tuple[int, ...], on: date) -> PlanSummary:
    """The registry changed households (their level, their grid, closed or reopened them):
    follow at once, in one batch. Runs inside the registry's transaction, which commits.
    Connected to `households_changed` by `gridcare.visits.init_app`.
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
    covering = {path: users_over(path) for path in {path for _, _, path in homes}}
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
