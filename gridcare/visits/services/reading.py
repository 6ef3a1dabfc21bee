"""Reading: a worker's day, a household's visits and schedules, workload, overdue
tasks and campaigns, for the pages."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

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
from gridcare.registry.models import HOUSEHOLD_ADDRESS, Household, Resident, address_line
from gridcare.registry.services.lookups import active_residents_of
from gridcare.visits.models import (
    Campaign,
    CareSchedule,
    ChecklistItem,
    LocationVerdict,
    Visit,
    VisitKind,
    VisitStatus,
    days_overdue,
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
    return workers_covering(scope, grid_paths, any_of=any_of)


def workers_covering(
    scope: Scope, grid_paths: Iterable[str], *, any_of: bool = False
) -> list[User]:
    """Grid workers of the caller's areas whose own areas hold every one of these grids
    (`any_of`: at least one of them)."""
    grid_paths = set(grid_paths)
    workers = workers_in_scope(scope)
    own = areas_of(w.id for w in workers)
    test = any if any_of else all
    return [w for w in workers if test(own[w.id].covers(p) for p in grid_paths)]


@dataclass
class DayRow:
    """One task of a worker's list, as plain values: a long list built ORM rows for
    tasks it never showed, and that was most of the list's time."""

    visit_id: int
    kind: VisitKind
    due_date: date
    due_at: datetime | None  # set on an urgent task after a life event
    days_overdue: int
    household_id: int
    full_address: str
    home: geo.Point | None
    # The household's active residents, read for the rows shown only.
    residents: list[Resident] = field(default_factory=list)
    # In walking order: how far this stop is from the one before it (or from the phone).
    leg_m: float | None = None

    @property
    def urgent(self) -> bool:
        return self.due_at is not None

    @property
    def leg(self) -> str | None:
        if self.leg_m is None:
            return None
        return f"{self.leg_m / 1000:.1f} km" if self.leg_m >= 1000 else f"{round(self.leg_m)} m"


@dataclass
class WorkerDay:
    # Urgent visits after a life event, soonest deadline first, before everything else.
    urgent: list[DayRow] = field(default_factory=list)
    overdue: list[DayRow] = field(default_factory=list)
    today: list[DayRow] = field(default_factory=list)
    upcoming: list[DayRow] = field(default_factory=list)
    walking_order: bool = False
    # Coming days' tasks left off the first screens, one tap away.
    upcoming_hidden: int = 0

    def sections(self) -> tuple[list[DayRow], ...]:
        """The rows shown, section by section, in the order of the page."""
        return (self.urgent, self.overdue, self.today, self.upcoming)

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.sections()) + self.upcoming_hidden


# The first screens of a long list show this many of the coming days' tasks, the
# nearest first; the rest are one tap away (rendering each row is most of the page's time).
UPCOMING_SHOWN = 10

# Walking order is worked out for this many stops of a list; the rest follow by address.
# The route search grows with the square of the stops, and a day rarely holds more.
WALKING_ORDER_STOPS = 30


def worker_day(
    worker_id: int,
    scope: Scope,
    today: date,
    start: geo.Point | None = None,
    days_ahead: int = 7,
    upcoming_shown: int | None = UPCOMING_SHOWN,
) -> WorkerDay:
    """A worker's list: urgent visits after a life event at the very top (a section of
    their own), then overdue, then due today, then the coming days (the nearest
    `upcoming_shown` of them; None: all).

    Overdue and today's tasks are in walking order from `start` when the phone shared
    its position and the homes have coordinates, each with its distance from the stop
    before; otherwise by address. Only households in the worker's own areas are listed.
    """
    stmt = (
        select(
            Visit.id,
            Visit.kind,
            Visit.due_date,
            Visit.due_at,
            Household.id,
            *HOUSEHOLD_ADDRESS[2:],  # address, building, unit, room
            Household.lat,
            Household.lon,
        )
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
    for visit_id, kind, due, due_at, household_id, *address, lat, lon in db.session.execute(stmt):
        row = DayRow(
            visit_id=visit_id,
            kind=kind,
            due_date=due,
            due_at=due_at,
            days_overdue=days_overdue(due, today),
            household_id=household_id,
            full_address=address_line(*address),
            home=(lat, lon) if lat is not None and lon is not None else None,
        )
        if due < today:
            day.overdue.append(row)
        elif due == today:
            day.today.append(row)
        else:
            day.upcoming.append(row)
    day.overdue.sort(key=lambda r: (-r.days_overdue, r.full_address))
    # Urgent visits after a life event come before everything, soonest deadline first,
    # whatever their date; walking order applies to the rest.
    day.urgent = sorted(
        (r for rows in (day.overdue, day.today, day.upcoming) for r in rows if r.urgent),
        key=lambda r: r.due_at,
    )
    for name in ("overdue", "today", "upcoming"):
        setattr(day, name, [r for r in getattr(day, name) if not r.urgent])
    if upcoming_shown is not None and len(day.upcoming) > upcoming_shown:
        day.upcoming_hidden = len(day.upcoming) - upcoming_shown
        day.upcoming = day.upcoming[:upcoming_shown]
    if start is not None:
        for name in ("overdue", "today"):
            rows = getattr(day, name)
            placed = [r for r in rows if r.home is not None][:WALKING_ORDER_STOPS]
            if placed:
                route = [placed[i] for i in geo.walking_order(start, [r.home for r in placed])]
                routed = {id(r) for r in placed}
                setattr(day, name, route + [r for r in rows if id(r) not in routed])
                day.walking_order = True
                for row, leg in zip(route, geo.legs_m(start, [r.home for r in route]), strict=True):
                    row.leg_m = leg
    # The list names each household's residents: only for the rows it shows.
    shown = [r for rows in day.sections() for r in rows]
    residents = active_residents_of({r.household_id for r in shown})
    for row in shown:
        row.residents = residents.get(row.household_id, [])
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


def _overdue(stmt, scope: Scope, today: date, worker_id: int | None):
    stmt = (
        stmt.join(Household, Household.id == Visit.household_id)
        .join(Area, Area.id == Household.grid_id)
        .where(Visit.status == VisitStatus.planned, Visit.due_date < today, scope.filter(Area.path))
    )
    return stmt if worker_id is None else stmt.where(Visit.worker_id == worker_id)


# The workload page lists this many overdue tasks; its heading counts them all.
OVERDUE_LISTED = 200


@dataclass(frozen=True)
class OverdueTask:
    """One line of the workload's overdue list: plain values, no ORM objects to build."""

    visit_id: int
    kind: VisitKind
    due_date: date
    days_overdue: int
    worker_name: str | None
    household_id: int
    full_address: str
    grid_path: str


@dataclass(frozen=True)
class Overdue:
    """The workload's overdue list, and how long it would be without its limit."""

    tasks: list[OverdueTask]
    total: int  # all of them, however many `tasks` lists


def overdue_visits(
    scope: Scope, today: date, worker_id: int | None = None, limit: int | None = None
) -> Overdue:
    """Planned tasks past their due date in the caller's areas, most overdue first (the
    first OVERDUE_LISTED unless `limit` says otherwise), and how many there are in all:
    counted by the same statement (a window count), not by a second pass over them."""
    stmt = (
        _overdue(
            select(
                func.count().over(),
                Visit.id,
                Visit.kind,
                Visit.due_date,
                User.full_name,
                User.username,
                Household.id,
                *HOUSEHOLD_ADDRESS[2:],  # address, building, unit, room
                Area.path,
            ).outerjoin(User, User.id == Visit.worker_id),
            scope,
            today,
            worker_id,
        )
        .order_by(Visit.due_date, Visit.id)
        .limit(OVERDUE_LISTED if limit is None else limit)
    )
    rows = db.session.execute(stmt).all()
    tasks = [
        OverdueTask(
            visit_id=visit_id,
            kind=kind,
            due_date=due,
            days_overdue=days_overdue(due, today),
            worker_name=(full_name or username) if username else None,
            household_id=household_id,
            full_address=address_line(address, building, unit, room),
            grid_path=path,
        )
        for (
            _,
            visit_id,
            kind,
            due,
            full_name,
            username,
            household_id,
            address,
            building,
            unit,
            room,
            path,
        ) in rows
    ]
    return Overdue(tasks, rows[0][0] if rows else 0)


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
