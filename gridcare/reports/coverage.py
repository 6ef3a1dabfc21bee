"""Coverage: how much of the target population was reached, exactly as DESIGN.md defines it.

Every figure is counted per grid by aggregate SQL; areas and workers are sums of their
grids, so an area's numerators and denominators always equal the sums over its
children. Indexes used: ix_area_path (prefix match on the area), ix_household_grid_id,
ix_resident_household_id, ix_visit_household_kind_status (the EXISTS tests),
ix_visit_status_window_end (timeliness), ix_hazard_reported_at and
ix_hazard_status_deadline (hazards).
"""

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select

from gridcare.accounts.models import User
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.services import child_areas, in_tree_order
from gridcare.clock import local_zone, years_before
from gridcare.clock import today as local_today
from gridcare.dialects import count_if, insert_ignoring_conflicts
from gridcare.extensions import db
from gridcare.hazards.models import Hazard, HazardStatus
from gridcare.registry.care_levels import DEFAULT_RULES
from gridcare.registry.models import (
    DISABILITY_CATEGORIES,
    DISABILITY_GRADES,
    Household,
    Resident,
    ResidentStatus,
)
from gridcare.reports.models import ReportSnapshot
from gridcare.reports.periods import Period, last_months
from gridcare.visits.models import Visit, VisitKind, VisitMethod, VisitStatus
from gridcare.visits.services import grid_workers


@dataclass
class Figures:
    """One area's (or worker's) figures for one period. All counts add up across areas."""

    target: int = 0
    visited: int = 0
    phone_contacted: int = 0
    not_home: int = 0
    checked: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    hazards_found: int = 0
    hazards_by_kind: dict[str, int] = field(default_factory=dict)  # "gas/major": n
    hazards_closed: int = 0
    hazards_closed_in_time: int = 0
    hazards_open_at_end: int = 0
    hazards_open_past_deadline: int = 0
    days_to_close: list[int] = field(default_factory=list)
    living_alone: int = 0
    empty_nest: int = 0
    disabled: int = 0
    disabled_by_category: dict[str, int] = field(default_factory=dict)
    disabled_by_grade: dict[str, int] = field(default_factory=dict)

    @property
    def coverage(self) -> float | None:
        return self.visited / self.target if self.target else None

    @property
    def safety_coverage(self) -> float | None:
        return self.checked / self.target if self.target else None

    @property
    def timeliness(self) -> float | None:
        closed_windows = self.on_time + self.late + self.missed
        return self.on_time / closed_windows if closed_windows else None

    @property
    def closed_in_time_share(self) -> float | None:
        return self.hazards_closed_in_time / self.hazards_closed if self.hazards_closed else None

    @property
    def median_days_to_close(self) -> float | None:
        return statistics.median(self.days_to_close) if self.days_to_close else None

    def add(self, other: "Figures") -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict):
                for key, value in theirs.items():
                    mine[key] = mine.get(key, 0) + value
            elif isinstance(mine, list):
                mine.extend(theirs)
            else:
                setattr(self, f.name, mine + theirs)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Figures":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Row:
    label: str
    figures: Figures
    area: Area | None = None
    worker: User | None = None


@dataclass
class Coverage:
    area: Area
    period: Period
    total: Figures
    children: list[Row]
    workers: list[Row]


def day_after_utc(day_column):
    """The stored UTC moment at which the local day after `day_column` begins.

    Compared in SQL with completion and closing times ("within the window / deadline").
    """
    hours = _utc_offset_hours()
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return func.cast(day_column, db.DateTime) + func.make_interval(0, 0, 0, 1, -hours)
    return func.datetime(day_column, "+1 day", f"{-hours:+d} hours")


def _utc_offset_hours() -> int:
    # The zone's offset now: right for zones without daylight saving, such as China's.
    return int(datetime.now(local_zone()).utcoffset().total_seconds() // 3600)


def _active_at_end(period: Period):
    return and_(
        Resident.created_at < period.end_utc,
        or_(Resident.status == ResidentStatus.active, Resident.status_date > period.end),
    )


def _target_condition(period: Period):
    """A household with a resident active at the period's end who is of care level 1-3."""
    elderly = Resident.birth_date <= years_before(period.end, DEFAULT_RULES.elderly_age)
    return exists().where(
        Resident.household_id == Household.id,
        _active_at_end(period),
        or_(
            elderly,
            Resident.disability_category.is_not(None),
            Household.care_level_override.is_not(None),
        ),
    )


def _done_in_period(period: Period, kind: VisitKind, *conditions):
    return exists().where(
        Visit.household_id == Household.id,
        Visit.kind == kind,
        Visit.completed_at >= period.start_utc,
        Visit.completed_at < period.end_utc,
        *conditions,
    )


def grid_figures(area: Area, period: Period, today: date | None = None) -> dict[int, Figures]:
    """Figures per grid under `area` (the area itself when it is a grid).

    Timeliness counts only windows closed by `today` (default: the local date), so work
    done early in a running period is not on time while nothing can be missed yet.
    """
    today = today or local_today()
    grids = list(
        db.session.scalars(
            select(Area.id).where(Area.kind == AreaKind.grid, Area.path.startswith(area.path))
        )
    )
    result: dict[int, Figures] = defaultdict(Figures)
    if not grids:
        return result
    in_area = Household.grid_id.in_(grids)

    # Households: target, reached in person, by phone, not home, checked.
    done = Visit.status == VisitStatus.done
    rows = db.session.execute(
        select(
            Household.grid_id,
            func.count(Household.id),
            count_if(
                _done_in_period(
                    period, VisitKind.home_visit, done, Visit.method == VisitMethod.in_person
                )
            ),
            count_if(
                _done_in_period(
                    period, VisitKind.home_visit, done, Visit.method == VisitMethod.phone
                )
            ),
            count_if(
                _done_in_period(period, VisitKind.home_visit, Visit.status == VisitStatus.not_home)
            ),
            count_if(
                _done_in_period(
                    period, VisitKind.safety_check, done, Visit.method == VisitMethod.in_person
                )
            ),
        )
        .where(in_area, Household.created_at < period.end_utc, _target_condition(period))
        .group_by(Household.grid_id)
    )
    for grid_id, target, visited, phone, not_home, checked in rows:
        f = result[grid_id]
        f.target, f.visited, f.phone_contacted, f.not_home, f.checked = (
            target,
            visited,
            phone,
            not_home,
            checked,
        )

    # Timeliness: windows that closed in the period and by today, done in time / (done + missed).
    in_time = Visit.completed_at < day_after_utc(Visit.window_end)
    rows = db.session.execute(
        select(
            Household.grid_id,
            count_if(and_(done, in_time)),
            count_if(and_(done, ~in_time)),
            count_if(Visit.status == VisitStatus.missed),
        )
        .join(Household, Household.id == Visit.household_id)
        .where(
            in_area,
            Visit.window_end >= period.start,
            Visit.window_end <= period.end,
            Visit.window_end < today,
            Visit.status.in_((VisitStatus.done, VisitStatus.missed)),
        )
        .group_by(Household.grid_id)
    )
    for grid_id, on_time, late, missed in rows:
        f = result[grid_id]
        f.on_time, f.late, f.missed = on_time, late, missed

    _hazard_figures(result, in_area, period)
    _registry_figures(result, in_area, period)
    return result


def _hazard_figures(result: dict[int, Figures], in_area, period: Period) -> None:
    found = db.session.execute(
        select(Household.grid_id, Hazard.category, Hazard.severity, func.count(Hazard.id))
        .join(Household, Household.id == Hazard.household_id)
        .where(in_area, Hazard.reported_at >= period.start_utc, Hazard.reported_at < period.end_utc)
        .group_by(Household.grid_id, Hazard.category, Hazard.severity)
    )
    for grid_id, category, severity, count in found:
        f = result[grid_id]
        f.hazards_found += count
        key = f"{category.value}/{severity.value}"
        f.hazards_by_kind[key] = f.hazards_by_kind.get(key, 0) + count

    closed = db.session.execute(
        select(
            Household.grid_id,
            Hazard.reported_at,
            Hazard.closed_at,
            or_(Hazard.deadline.is_(None), Hazard.closed_at < day_after_utc(Hazard.deadline)),
        )
        .join(Household, Household.id == Hazard.household_id)
        .where(
            in_area,
            Hazard.status == HazardStatus.closed,
            Hazard.closed_at >= period.start_utc,
            Hazard.closed_at < period.end_utc,
        )
    )
    for grid_id, reported_at, closed_at, in_time in closed:
        f = result[grid_id]
        f.hazards_closed += 1
        f.hazards_closed_in_time += bool(in_time)
        f.days_to_close.append((closed_at - reported_at).days)

    still_open = or_(Hazard.closed_at.is_(None), Hazard.closed_at >= period.end_utc)
    rows = db.session.execute(
        select(
            Household.grid_id,
            func.count(Hazard.id),
            count_if(Hazard.deadline < period.end),
        )
        .join(Household, Household.id == Hazard.household_id)
        .where(in_area, Hazard.reported_at < period.end_utc, still_open)
        .group_by(Household.grid_id)
    )
    for grid_id, open_count, past_deadline in rows:
        result[grid_id].hazards_open_at_end = open_count
        result[grid_id].hazards_open_past_deadline = past_deadline


def _registry_figures(result: dict[int, Figures], in_area, period: Period) -> None:
    elderly = Resident.birth_date <= years_before(period.end, DEFAULT_RULES.elderly_age)
    categories = [count_if(Resident.disability_category == c) for c in DISABILITY_CATEGORIES]
    grades = [count_if(Resident.disability_grade == g) for g in DISABILITY_GRADES]
    rows = db.session.execute(
        select(
            Household.grid_id,
            count_if(and_(elderly, Resident.lives_alone.is_(True))),
            count_if(and_(elderly, Resident.empty_nest.is_(True))),
            count_if(Resident.disability_category.is_not(None)),
            *categories,
            *grades,
        )
        .join(Household, Household.id == Resident.household_id)
        .where(in_area, _active_at_end(period))
        .group_by(Household.grid_id)
    )
    for grid_id, alone, nest, disabled, *rest in rows:
        f = result[grid_id]
        f.living_alone, f.empty_nest, f.disabled = alone, nest, disabled
        by_category = rest[: len(DISABILITY_CATEGORIES)]
        by_grade = rest[len(DISABILITY_CATEGORIES) :]
        f.disabled_by_category = {
            str(c): n for c, n in zip(DISABILITY_CATEGORIES, by_category, strict=True) if n
        }
        f.disabled_by_grade = {
            str(g): n for g, n in zip(DISABILITY_GRADES, by_grade, strict=True) if n
        }


def coverage(area: Area, period: Period, today: date | None = None) -> Coverage:
    """The area's figures for the period, by child area and by grid worker."""
    per_grid = grid_figures(area, period, today)
    children = child_areas(area) or [area]
    grid_paths = dict(
        db.session.execute(select(Area.id, Area.path).where(Area.id.in_(list(per_grid)))).all()
    )
    child_rows = {child.id: Row(child.name, Figures(), area=child) for child in children}
    for grid_id, figures in per_grid.items():
        for child in children:
            if grid_paths[grid_id].startswith(child.path):
                child_rows[child.id].figures.add(figures)
                break

    workers_by_grid = grid_workers(list(per_grid))
    people = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_(set(workers_by_grid.values()))))
    }
    worker_rows: dict[int | None, Row] = {}
    for grid_id, figures in per_grid.items():
        worker_id = workers_by_grid.get(grid_id)
        if worker_id not in worker_rows:
            worker = people.get(worker_id)
            worker_rows[worker_id] = Row(
                worker.display_name if worker else "—", Figures(), worker=worker
            )
        worker_rows[worker_id].figures.add(figures)

    total = Figures()
    for figures in per_grid.values():
        total.add(figures)
    return Coverage(
        area=area,
        period=period,
        total=total,
        children=list(child_rows.values()),
        workers=sorted(worker_rows.values(), key=lambda r: r.label),
    )


def unvisited_households(area: Area, period: Period) -> list[Household]:
    """Target households under `area` with no in-person home visit done in the period."""
    visited = _done_in_period(
        period,
        VisitKind.home_visit,
        Visit.status == VisitStatus.done,
        Visit.method == VisitMethod.in_person,
    )
    stmt = (
        select(Household, Area)
        .join(Area, Area.id == Household.grid_id)
        .where(
            Area.path.startswith(area.path),
            Household.created_at < period.end_utc,
            _target_condition(period),
            ~visited,
        )
        .order_by(Household.address, Household.building, Household.unit, Household.room)
    )
    rows = db.session.execute(stmt).all()
    grids = in_tree_order({grid.id: grid for _, grid in rows}.values())
    rank = {grid.id: n for n, grid in enumerate(grids)}
    return [household for household, grid in sorted(rows, key=lambda row: rank[row[1].id])]


def trend(
    area: Area, months: list[Period], snapshots: dict[str, Figures]
) -> list[tuple[Period, Figures]]:
    """The area's total per month: stored snapshots where there are any, else live."""
    out = []
    for period in months:
        figures = snapshots.get(period.key)
        if figures is None:
            figures = Figures()
            for grid in grid_figures(area, period).values():
                figures.add(grid)
        out.append((period, figures))
    return out


def snapshot_month(period: Period) -> int:
    """Store every area's figures for a closed month, once; returns how many were stored."""
    taken = set(
        db.session.scalars(
            select(ReportSnapshot.area_id).where(ReportSnapshot.period_key == period.key)
        )
    )
    rows = []
    for area in db.session.scalars(select(Area).order_by(Area.path)):
        if area.id in taken:
            continue
        per_grid = grid_figures(area, period)
        total = Figures()
        for figures in per_grid.values():
            total.add(figures)
        rows.append({"area_id": area.id, "period_key": period.key, "figures": total.to_dict()})
    if not rows:
        return 0
    stored = db.session.execute(
        insert_ignoring_conflicts(ReportSnapshot).returning(ReportSnapshot.id), rows
    )
    count = len(stored.all())
    db.session.commit()
    return count


def snapshots_for(area: Area, keys: list[str]) -> dict[str, Figures]:
    """The stored figures of `area` for these period keys."""
    rows = db.session.execute(
        select(ReportSnapshot.period_key, ReportSnapshot.figures).where(
            ReportSnapshot.area_id == area.id, ReportSnapshot.period_key.in_(keys)
        )
    )
    return {key: Figures.from_dict(data) for key, data in rows}


@dataclass
class CoveragePage:
    report: Coverage
    previous: Figures
    reported: Figures | None  # the month's snapshot, when one was stored
    trend: list[tuple[Period, Figures]]


def coverage_page(area: Area, period: Period) -> CoveragePage:
    """What the report page shows: this period, the previous one beside it, the stored
    snapshot of this period if any, and the 12 months to its end."""
    months = last_months(period, 12)
    snapshots = snapshots_for(area, [m.key for m in months] + [period.key])
    return CoveragePage(
        report=coverage(area, period),
        previous=coverage(area, period.previous()).total,
        reported=snapshots.get(period.key),
        trend=trend(area, months, snapshots),
    )
