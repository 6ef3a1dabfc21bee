"""Coverage: how much of the target population was reached, exactly as DESIGN.md defines it.

Every figure is counted per grid by aggregate SQL; areas and workers are sums of their
grids, so an area's numerators and denominators always equal the sums over its
children. Indexes used: ix_area_path (prefix match on the area), ix_household_grid_id,
ix_resident_household_id, ix_visit_household_kind_status (the EXISTS tests),
ix_visit_status_window_end (timeliness), ix_hazard_reported_at and
ix_hazard_status_deadline (hazards).
"""

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select

from gridcare.areas.models import Area, AreaKind
from gridcare.clock import local_zone, years_before
from gridcare.clock import today as local_today
from gridcare.dialects import count_if
from gridcare.extensions import db
from gridcare.hazards.models import Hazard, HazardStatus
from gridcare.registry.care_levels import care_rules
from gridcare.registry.models import Household, Resident, ResidentStatus
from gridcare.reports.coverage.figures import Figures
from gridcare.reports.periods import Period
from gridcare.reports.resident_counts import resident_counts
from gridcare.visits.models import Visit, VisitKind, VisitMethod, VisitStatus


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


def target_condition(period: Period):
    """A household with a resident active at the period's end who is of care level 1-3,
    under the care-level rules in force at the period's end (a later version leaves it be)."""
    elderly_age = care_rules(period.end).elderly_age
    elderly = Resident.birth_date <= years_before(period.end, elderly_age)
    return exists().where(
        Resident.household_id == Household.id,
        _active_at_end(period),
        or_(
            elderly,
            Resident.disability_category.is_not(None),
            Household.care_level_override.is_not(None),
        ),
    )


def done_in_period(period: Period, kind: VisitKind, *conditions):
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
                done_in_period(
                    period, VisitKind.home_visit, done, Visit.method == VisitMethod.in_person
                )
            ),
            count_if(
                done_in_period(
                    period, VisitKind.home_visit, done, Visit.method == VisitMethod.phone
                )
            ),
            count_if(
                done_in_period(period, VisitKind.home_visit, Visit.status == VisitStatus.not_home)
            ),
            count_if(
                done_in_period(
                    period, VisitKind.safety_check, done, Visit.method == VisitMethod.in_person
                )
            ),
        )
        .where(in_area, Household.created_at < period.end_utc, target_condition(period))
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
    """The registry counts of each grid, as of the period's end, in the figures' form."""
    for grid_id, counts in resident_counts(in_area, period.end, _active_at_end(period)).items():
        f = result[grid_id]
        f.living_alone, f.empty_nest, f.disabled = (
            counts.living_alone,
            counts.empty_nest,
            counts.disabled,
        )
        f.disabled_by_category = {str(c): n for c, n in counts.disabled_by_category.items() if n}
        f.disabled_by_grade = {str(g): n for g, n in counts.disabled_by_grade.items() if n}
