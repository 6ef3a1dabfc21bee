"""Planning: care schedules that follow care levels, and each schedule's next visit.

Everything here works a batch of households at a time (`gridcare.registry.batches`) and
reads only the rows that change, so a city's 120,000 households plan in bounded memory.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, bindparam, case, exists, false, func, null, or_, select, update

from gridcare.accounts.lookups import grid_workers, users_over
from gridcare.areas.models import Area
from gridcare.clock import utc_to_local_date, utcnow
from gridcare.dialects import insert_ignoring_conflicts
from gridcare.extensions import db
from gridcare.registry.batches import BATCH_SIZE, HouseholdBatch, household_batches
from gridcare.registry.models import Household
from gridcare.visits.models import CareSchedule, Visit, VisitKind, VisitStatus
from gridcare.visits.plans import care_plan, first_due
from gridcare.visits.services import months


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
    # The table, not the mapped class: a Core executemany, without the ORM's bulk-insert
    # work per row (most of a city's first plan, 240,000 schedules and visits).
    table = model.__table__
    result = db.session.execute(insert_ignoring_conflicts(table).returning(table.c.id), rows)
    return len(result.all())


def sync_schedules(
    today: date, household_ids: Sequence[int] | None = None, summary: PlanSummary | None = None
) -> PlanSummary:
    """Make each household's schedules follow its care level. Does not commit.

    A household that gained a level gets schedules; one whose level changed gets the new
    cadence (unless an officer adjusted it) and an earlier open visit when the cadence
    tightened; one with no level left, or closed, has its schedules ended and its open
    visits cancelled. The registry keeps care levels current. Works a batch of
    households at a time, and reads only the schedules that must change.
    """
    summary = summary or PlanSummary()
    plan = care_plan(today)
    for batch in household_batches(household_ids):
        _sync_batch(today, batch, summary, plan)
    return summary


SCHEDULE_COLUMNS = ("active", "interval_days", "window_days", "updated_at")


def _cadence(plan: dict, attribute: str):
    """The interval or window a schedule's household's level asks for under `plan`; NULL
    for none."""
    return case(
        *(
            (
                and_(Household.care_level == level, CareSchedule.kind == kind),
                getattr(cadence, attribute),
            )
            for level, kinds in plan.items()
            for kind, cadence in kinds.items()
        ),
        else_=null(),
    )


def _sync_batch(today: date, batch: HouseholdBatch, summary: PlanSummary, plan: dict) -> None:
    interval, window = _cadence(plan, "interval_days"), _cadence(plan, "window_days")
    # On both sides of the join, or the database reads every household to join a batch.
    in_batch = and_(batch.where(CareSchedule.household_id), batch.where(Household.id))
    ended = list(
        db.session.scalars(
            select(CareSchedule.id)
            .join(Household, Household.id == CareSchedule.household_id)
            .where(
                in_batch, CareSchedule.active.is_(True), or_(~Household.active, interval.is_(None))
            )
        )
    )
    # Reopened, or (following the level) at another cadence than the level's.
    changing = db.session.execute(
        select(
            CareSchedule.id,
            CareSchedule.active,
            CareSchedule.adjusted,
            CareSchedule.interval_days,
            CareSchedule.window_days,
            interval.label("level_interval"),
            window.label("level_window"),
        )
        .join(Household, Household.id == CareSchedule.household_id)
        .where(
            in_batch,
            Household.active.is_(True),
            interval.is_not(None),
            or_(
                CareSchedule.active.is_(False),
                and_(
                    CareSchedule.adjusted.is_(False),
                    or_(CareSchedule.interval_days != interval, CareSchedule.window_days != window),
                ),
            ),
        )
    ).all()
    updates, tightened = [], []
    for row in changing:
        new_interval, new_window = row.interval_days, row.window_days
        if not row.adjusted:
            new_interval, new_window = row.level_interval, row.level_window
            if new_interval < row.interval_days:
                tightened.append(row.id)
        updates.append(
            {"b_id": row.id, "b_interval": new_interval, "b_window": new_window, "b_now": utcnow()}
        )
    if updates:
        table = CareSchedule.__table__
        db.session.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(
                active=True,
                interval_days=bindparam("b_interval"),
                window_days=bindparam("b_window"),
                updated_at=bindparam("b_now"),
            ),
            updates,
        )
        _expire(CareSchedule, {u["b_id"] for u in updates}, SCHEDULE_COLUMNS)
    summary.schedules_updated += len(updates)
    if ended:
        db.session.execute(
            update(CareSchedule)
            .where(CareSchedule.id.in_(ended))
            .values(active=False, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        _expire(CareSchedule, set(ended), SCHEDULE_COLUMNS)
        summary.schedules_ended += len(ended)
    summary.schedules_created += _insert_counted(
        CareSchedule, _new_schedules(batch, plan), batch.where(CareSchedule.household_id)
    )
    if ended:
        summary.visits_cancelled += _cancel_open_visits(ended)
    if tightened:
        summary.visits_rescheduled += pull_forward_all(tightened, today)


def _new_schedules(batch: HouseholdBatch, plan: dict) -> list[dict]:
    """A schedule for each kind a household's level asks for and it does not have yet."""
    rows = []
    for kind in VisitKind:
        levels = [level for level, kinds in plan.items() if kind in kinds]
        has_one = exists().where(
            batch.where(CareSchedule.household_id),
            CareSchedule.household_id == Household.id,
            CareSchedule.kind == kind,
        )
        for household_id, level in db.session.execute(
            select(Household.id, Household.care_level).where(
                batch.where(Household.id),
                Household.active.is_(True),
                Household.care_level.in_(levels),
                ~has_one,
            )
        ):
            cadence = plan[level][kind]
            rows.append(
                {
                    "household_id": household_id,
                    "kind": kind,
                    "interval_days": cadence.interval_days,
                    "window_days": cadence.window_days,
                    "adjusted": False,
                    "active": True,
                }
            )
    return rows


def _cancel_open_visits(schedule_ids: list[int]) -> int:
    cancelled = db.session.scalars(
        update(Visit)
        .where(Visit.schedule_id.in_(schedule_ids), Visit.status == VisitStatus.planned)
        .values(status=VisitStatus.cancelled, updated_at=utcnow())
        .returning(Visit.id)
        .execution_options(synchronize_session=False)
    ).all()
    _expire(Visit, set(cancelled), ("status", "updated_at"))
    return len(cancelled)


def _last_outcomes(schedule_ids: Sequence[int]) -> tuple[dict[int, date], dict[int, date]]:
    """Each schedule's last completion (as a local date) and its last missed due date."""
    last_done = {
        schedule_id: utc_to_local_date(done_at)
        for schedule_id, done_at in db.session.execute(
            select(Visit.schedule_id, func.max(Visit.completed_at))
            .where(Visit.schedule_id.in_(schedule_ids), Visit.status == VisitStatus.done)
            .group_by(Visit.schedule_id)
        )
    }
    last_missed = dict(
        db.session.execute(
            select(Visit.schedule_id, func.max(Visit.due_date))
            .where(Visit.schedule_id.in_(schedule_ids), Visit.status == VisitStatus.missed)
            .group_by(Visit.schedule_id)
        ).all()
    )
    return last_done, last_missed


def pull_forward(schedule: CareSchedule, today: date) -> int:
    """Bring the open visit forward when a schedule's cadence tightened."""
    db.session.flush()
    return pull_forward_all([schedule.id], today)


def pull_forward_all(schedule_ids: Sequence[int], today: date) -> int:
    """Bring forward the open visit of each schedule whose cadence tightened (flushed)."""
    moved = []
    for start in range(0, len(schedule_ids), BATCH_SIZE):
        chunk = schedule_ids[start : start + BATCH_SIZE]
        last_done, _ = _last_outcomes(chunk)
        for visit_id, schedule_id, due_date, interval, window in db.session.execute(
            select(
                Visit.id,
                Visit.schedule_id,
                Visit.due_date,
                CareSchedule.interval_days,
                CareSchedule.window_days,
            )
            .join(CareSchedule, CareSchedule.id == Visit.schedule_id)
            .where(Visit.schedule_id.in_(chunk), Visit.status == VisitStatus.planned)
        ):
            base = last_done.get(schedule_id) or today
            due = max(min(due_date, base + timedelta(days=interval)), today)
            if due != due_date:
                moved.append(
                    {"b_id": visit_id, "b_due": due, "b_end": due + timedelta(days=window)}
                )
    if moved:
        table = Visit.__table__
        db.session.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(due_date=bindparam("b_due"), window_end=bindparam("b_end")),
            moved,
        )
        _expire(Visit, {m["b_id"] for m in moved}, ("due_date", "window_end"))
    return len(moved)


def _expire(model, ids: set[int], attributes: tuple[str, ...]) -> None:
    """Let rows changed by a bulk statement be read again from the database, if the
    session holds them; only those columns, so their loaded relationships stay."""
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, model) and instance.id in ids:
            db.session.expire(instance, attributes)


def plan_due_visits(today: date, household_ids: Sequence[int] | None = None) -> int:
    """Give every active schedule without an open visit its next one. Does not commit.

    The next visit is due one interval after the last one was done, or after the last
    missed one was due (never before today); a new schedule's first is spread over its
    first week. Idempotent: the partial unique index turns a second insert into a no-op.
    """
    return sum(_plan_batch(today, batch) for batch in household_batches(household_ids))


def _plan_batch(today: date, batch: HouseholdBatch) -> int:
    # The same test as the partial unique index, so the index answers it.
    open_visit = exists().where(
        Visit.household_id == CareSchedule.household_id,
        Visit.kind == CareSchedule.kind,
        Visit.status == VisitStatus.planned,
        Visit.schedule_id.is_not(None),
    )
    pending = db.session.execute(
        select(
            CareSchedule.id,
            CareSchedule.household_id,
            CareSchedule.kind,
            CareSchedule.interval_days,
            CareSchedule.window_days,
            CareSchedule.worker_id,
            Household.grid_id,
        )
        .join(Household, Household.id == CareSchedule.household_id)
        .where(
            batch.where(CareSchedule.household_id),
            batch.where(Household.id),
            CareSchedule.active.is_(True),
            Household.active.is_(True),
            ~open_visit,
        )
    ).all()
    if not pending:
        return 0
    last_done, last_missed = _last_outcomes([schedule.id for schedule in pending])
    workers = grid_workers(schedule.grid_id for schedule in pending)
    rows = []
    for schedule in pending:
        due = _next_due(schedule, last_done.get(schedule.id), last_missed.get(schedule.id), today)
        rows.append(
            {
                "household_id": schedule.household_id,
                "kind": schedule.kind,
                "schedule_id": schedule.id,
                "due_date": due,
                "window_end": due + timedelta(days=schedule.window_days),
                "status": VisitStatus.planned,
                "worker_id": schedule.worker_id or workers.get(schedule.grid_id),
                "checklist": {},
                "notes": "",
            }
        )
    return _insert_counted(
        Visit,
        rows,
        and_(
            batch.where(Visit.household_id),
            Visit.status == VisitStatus.planned,
            Visit.schedule_id.is_not(None),
        ),
    )


def _insert_counted(model, rows: list[dict], counted) -> int:
    """`insert_ignoring_duplicates` for a batch's thousands of rows: how many were new is
    counted before and after (on the index the rows' uniqueness uses), because RETURNING
    makes every row's parameters part of one long statement, which psycopg parses in
    Python: that parsing was most of a city's first plan."""
    if not rows:
        return 0
    table = model.__table__
    count = select(func.count()).select_from(table).where(counted)
    before = db.session.scalar(count)
    db.session.execute(insert_ignoring_conflicts(table), rows)
    return db.session.scalar(count) - before


def _next_due(schedule, done_on: date | None, missed_due: date | None, today: date) -> date:
    interval = timedelta(days=schedule.interval_days)
    if done_on is None and missed_due is None:
        return first_due(schedule.household_id, schedule.kind, schedule.interval_days, today)
    if missed_due is not None and (done_on is None or missed_due > done_on):
        return max(missed_due + interval, today)  # keep the rhythm after a miss
    return done_on + interval


def generate_visits(today: date) -> PlanSummary:
    """The nightly plan: follow care levels, then give each schedule its next visit.

    One batch of households at a time, each committed: memory stays bounded, and a run
    cut short has kept what it did (the next run finds the rest).
    """
    summary = PlanSummary()
    plan = care_plan(today)
    for batch in household_batches():
        _sync_batch(today, batch, summary, plan)
        summary.visits_created += _plan_batch(today, batch)
        db.session.commit()
    return summary


def close_missed(today: date) -> int:
    """Mark planned visits whose window closed before today as missed (final). A window
    that closed on a stored day (`months`: a closed month, or this month up to the night
    it was stored) counts again in its month's stored rows; those households are locked
    before their visits, in the order the registry's writers take (a household, then its
    visits)."""
    lapsed = and_(Visit.status == VisitStatus.planned, Visit.window_end < today)
    stored = months.stored_through()
    on_stored_days = or_(
        false(), *(Visit.window_end.between(m, through) for m, through in stored.items())
    )
    months.lock_households(
        db.session.scalars(select(Visit.household_id).where(lapsed, on_stored_days))
    )
    missed = db.session.execute(
        update(Visit)
        .where(lapsed)
        .values(status=VisitStatus.missed, updated_at=utcnow())
        .returning(Visit.household_id, Visit.window_end)
        .execution_options(synchronize_session=False)
    ).all()
    by_month = defaultdict(lambda: (set(), set()))
    for household_id, window_end in missed:
        # Locked above; the others are counted by the store. (A visit planned meanwhile
        # with a window already closed on a stored day would be locked only now: its
        # count stays right.)
        if months.is_stored(stored, window_end):
            households, days = by_month[window_end.replace(day=1)]
            households.add(household_id)
            days.add(window_end)
    for month in sorted(by_month):
        months.rewrite(*by_month[month], stored)
    db.session.commit()
    return len(missed)


def follow_households(household_ids: tuple[int, ...], on: date) -> PlanSummary:
    """The registry changed households (their level, their grid, closed or reopened them):
    follow at once, a batch at a time. Runs inside the registry's transaction, which
    commits. Connected to `households_changed` by `gridcare.visits.init_app`.
    """
    summary = PlanSummary()
    plan = care_plan(on)
    for batch in household_batches(household_ids):
        _sync_batch(on, batch, summary, plan)
        _hand_back_open_tasks(batch)
        summary.visits_created += _plan_batch(on, batch)
    return summary


def _hand_back_open_tasks(batch: HouseholdBatch) -> None:
    """Give open tasks whose worker no longer covers the household's grid (it moved) to
    the grid's worker; a schedule's named worker who no longer covers it is dropped."""
    homes = db.session.execute(
        select(Household.id, Area.id, Area.path)
        .join(Area, Area.id == Household.grid_id)
        .where(batch.where(Household.id))
    ).all()
    covering = {path: users_over(path) for path in {path for _, _, path in homes}}
    grid_worker = grid_workers({grid_id for _, grid_id, _ in homes})
    home_of = {household_id: (grid_id, path) for household_id, grid_id, path in homes}
    dropped = [
        schedule_id
        for schedule_id, household_id, worker_id in db.session.execute(
            select(CareSchedule.id, CareSchedule.household_id, CareSchedule.worker_id).where(
                batch.where(CareSchedule.household_id), CareSchedule.worker_id.is_not(None)
            )
        )
        if worker_id not in covering[home_of[household_id][1]]
    ]
    if dropped:
        db.session.execute(
            update(CareSchedule)
            .where(CareSchedule.id.in_(dropped))
            .values(worker_id=None, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    handed = []
    for visit_id, household_id, worker_id in db.session.execute(
        select(Visit.id, Visit.household_id, Visit.worker_id).where(
            batch.where(Visit.household_id), Visit.status == VisitStatus.planned
        )
    ):
        grid_id, path = home_of[household_id]
        if worker_id not in covering[path]:
            handed.append({"b_id": visit_id, "b_worker": grid_worker.get(grid_id)})
    if handed:
        table = Visit.__table__
        db.session.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(worker_id=bindparam("b_worker"), updated_at=utcnow()),
            handed,
        )
    _expire(CareSchedule, set(dropped), ("worker_id", "updated_at"))
    _expire(Visit, {h["b_id"] for h in handed}, ("worker_id", "updated_at"))
