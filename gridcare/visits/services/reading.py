"""Reading: a worker's day, a household's visits and schedules, workload, overdue
tasks and campaigns, for the pages."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gridcare import geo
from gridcare.accounts.lookups import areas_of, workers_in_scope
from gridcare.accounts.models import User
from gridcare.areas.models import Area
from gridcare.areas.scope import Scope
from gridcare.clock import day_start_utc
from gridcare.dialects import count_if
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.visits.models import (
    Campaign,
    CareSchedule,
    ChecklistItem,
    LocationVerdict,
    Visit,
    VisitStatus,
)


def workers_who_can_open(
    scope: Scope, household_ids: Iterable[int], *, any_of: bool = False
) -> list[User]:
    """Grid workers of the caller's areas whose own areas hold every one of these homes
    (`any_of`: at least one of them)."""
    grid_paths = set(
        db.session.scalars(
            select(Area.path)
            .join(Household, Household.grid_id == Area.id)
            .where(Household.id.in_(set(household_ids)))
        )
    )
    workers = workers_in_scope(scope)
    own = areas_of(w.id for w in workers)
    test = any if any_of else all
    return [w for w in workers if test(own[w.id].covers(p) for p in grid_paths)]


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
    """A worker's list: urgent visits after a life event at the very top (in the first
    section), then overdue, then due today, then the coming days.

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
        # The list names each household's residents.
        .options(selectinload(Household.residents))
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
    # Urgent visits after a life event come before everything, soonest deadline first,
    # whatever their date; walking order applies to the rest.
    urgent = sorted(
        (r for rows in (day.overdue, day.today, day.upcoming) for r in rows if r.visit.urgent),
        key=lambda r: r.visit.due_at,
    )
    for name in ("overdue", "today", "upcoming"):
        setattr(day, name, [r for r in getattr(day, name) if not r.visit.urgent])
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
    day.overdue = urgent + day.overdue
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


def checklist_by_code() -> dict[str, ChecklistItem]:
    """Every checklist item by code, retired ones too: past checks answered them."""
    return {item.code: item for item in db.session.scalars(select(ChecklistItem))}
