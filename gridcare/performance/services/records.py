"""The records behind each figure of a worker's month, for the figure's link."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from gridcare.accounts.models import User, user_area
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import under
from gridcare.clock import utc_to_local_date
from gridcare.extensions import db
from gridcare.hazards.models import Hazard
from gridcare.performance.models import IndicatorSource, Rating
from gridcare.performance.services.sources import (
    far_check_ins_condition,
    followed_up_condition,
    open_hazards_condition,
    urgent_visits_condition,
)
from gridcare.registry.models import Household
from gridcare.reports.coverage.per_grid import done_in_period, target_condition
from gridcare.reports.periods import Period
from gridcare.reports.scorecards import worker_records
from gridcare.visits.models import Visit, VisitKind, VisitMethod, VisitStatus

FAR_CHECK_INS = "far_check_ins"


@dataclass
class Records:
    visits: list[Visit] = field(default_factory=list)
    hazards: list[tuple[Hazard, bool]] = field(default_factory=list)  # (hazard, counts)
    households: list[tuple[Household, bool]] = field(default_factory=list)  # (home, reached)
    ratings: list[tuple[Rating, User]] = field(default_factory=list)


def _own_grids(worker_id: int, street: Area) -> list[Area]:
    return list(
        db.session.scalars(
            select(Area)
            .join(user_area, user_area.c.area_id == Area.id)
            .where(
                user_area.c.user_id == worker_id,
                Area.kind == AreaKind.grid,
                under(Area.path, street.path),
            )
            .order_by(Area.path)
        )
    )


def _target_households(worker_id: int, street: Area, month: Period, kind: VisitKind):
    grids = [g.id for g in _own_grids(worker_id, street)]
    if not grids:
        return []
    reached = done_in_period(
        month, kind, Visit.status == VisitStatus.done, Visit.method == VisitMethod.in_person
    )
    rows = db.session.execute(
        select(Household, reached)
        .where(
            Household.grid_id.in_(grids),
            Household.created_at < month.end_utc,
            target_condition(month),
        )
        .order_by(Household.address, Household.building, Household.unit, Household.room)
    ).all()
    return [(household, bool(was_reached)) for household, was_reached in rows]


def records_behind(
    worker_id: int, street: Area, month: Period, what: str, today: date, indicator_id=None
) -> Records:
    """What a figure counted: households reached or not, tasks, hazards, ratings."""
    found = Records()
    if what == IndicatorSource.coverage:
        found.households = _target_households(worker_id, street, month, VisitKind.home_visit)
    elif what == IndicatorSource.safety_coverage:
        found.households = _target_households(worker_id, street, month, VisitKind.safety_check)
    elif what == IndicatorSource.timeliness:
        found.visits = worker_records(worker_id, street, month, today, "tasks_due")[1]
    elif what == IndicatorSource.hazards_in_time:
        found.hazards = [
            (h, h.deadline is None or utc_to_local_date(h.closed_at) <= h.deadline)
            for h in worker_records(worker_id, street, month, today, "hazards_closed")[1]
        ]
    elif what == IndicatorSource.follow_ups:
        rows = db.session.execute(
            select(Hazard, followed_up_condition(month))
            .where(open_hazards_condition([worker_id], street, month))
            .order_by(Hazard.reported_at)
        ).all()
        found.hazards = [(hazard, bool(done)) for hazard, done in rows]
    elif what == IndicatorSource.urgent_visits_in_time:
        found.visits = list(
            db.session.scalars(
                select(Visit)
                .where(urgent_visits_condition([worker_id], street, month, today))
                .order_by(Visit.due_at)
            )
        )
    elif what == FAR_CHECK_INS:
        found.visits = list(
            db.session.scalars(
                select(Visit)
                .where(far_check_ins_condition([worker_id], street, month))
                .order_by(Visit.completed_at)
            )
        )
    elif what == IndicatorSource.rating and indicator_id is not None:
        found.ratings = [
            (rating, rater)
            for rating, rater in db.session.execute(
                select(Rating, User)
                .join(User, User.id == Rating.rater_id)
                .where(
                    Rating.worker_id == worker_id,
                    Rating.month == month.key,
                    Rating.indicator_id == indicator_id,
                )
                .order_by(Rating.rater_kind, Rating.id)
            )
        ]
    return found
