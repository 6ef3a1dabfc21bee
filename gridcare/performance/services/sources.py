"""The computed figures behind indicators, per worker and month.

Each is a rate against the worker's own work — target households of their grids, their
own tasks, their own hazards — so entering more records never raises it. None of them
looks at mileage, tracks or the time of day a visit was made: an evening visit counts
like a morning one. The visit and hazard counts come from the scorecards (reports), so a
figure here is the same number the scorecard page shows.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, or_, select

from gridcare.areas.models import Area
from gridcare.areas.scope import under
from gridcare.clock import day_start_utc
from gridcare.dialects import count_if
from gridcare.extensions import db
from gridcare.hazards.models import FollowUp, Hazard
from gridcare.performance.models import IndicatorSource
from gridcare.registry.models import Household
from gridcare.reports.periods import Period
from gridcare.reports.scorecards import scorecards
from gridcare.visits.models import LocationVerdict, Visit, VisitStatus


@dataclass(frozen=True)
class Count:
    """`done` of `out_of`: the figure as a share, None when there was nothing to do."""

    done: int = 0
    out_of: int = 0

    @property
    def share(self) -> float | None:
        return self.done / self.out_of if self.out_of else None


@dataclass
class WorkerMonth:
    """The computed figures of one worker's month, and what the officer is shown apart."""

    counts: dict[IndicatorSource, Count]
    far_check_ins: int = 0  # shown to the officer; never deducted


def _under(area: Area, household_id):
    return household_id.in_(
        select(Household.id)
        .join(Area, Area.id == Household.grid_id)
        .where(under(Area.path, area.path))
    )


def month_figures(area: Area, month: Period, today: date) -> dict[int, WorkerMonth]:
    """Each worker of `area`'s computed figures for one month, on the area's work only."""
    result: dict[int, WorkerMonth] = {}
    for card in scorecards(area, month, today):
        result[card.worker.id] = WorkerMonth(
            counts={
                IndicatorSource.coverage: Count(card.coverage.visited, card.coverage.target),
                IndicatorSource.safety_coverage: Count(card.coverage.checked, card.coverage.target),
                IndicatorSource.timeliness: Count(card.done_on_time, card.tasks_due),
                IndicatorSource.hazards_in_time: Count(
                    card.hazards_closed_in_time, card.hazards_closed
                ),
                IndicatorSource.follow_ups: Count(),
                IndicatorSource.urgent_visits_in_time: Count(),
            }
        )
    if not result:
        return result
    ids = list(result)
    for worker_id, followed, open_hazards in _follow_ups(ids, area, month):
        result[worker_id].counts[IndicatorSource.follow_ups] = Count(followed, open_hazards)
    for worker_id, count in urgent_visits_in_time(ids, area, month, today).items():
        result[worker_id].counts[IndicatorSource.urgent_visits_in_time] = count
    for worker_id, far in db.session.execute(
        select(Visit.completed_by_id, func.count(Visit.id))
        .where(far_check_ins_condition(ids, area, month))
        .group_by(Visit.completed_by_id)
    ):
        result[worker_id].far_check_ins = far
    return result


def open_hazards_condition(worker_ids, area: Area, month: Period):
    """The worker's hazards that were open at some moment of the month."""
    return and_(
        Hazard.assignee_id.in_(worker_ids),
        Hazard.reported_at < month.end_utc,
        or_(Hazard.closed_at.is_(None), Hazard.closed_at >= month.start_utc),
        _under(area, Hazard.household_id),
    )


def followed_up_condition(month: Period):
    """A follow-up on the hazard by its assignee in the month (a step, a note, a fix)."""
    return exists().where(
        FollowUp.hazard_id == Hazard.id,
        FollowUp.user_id == Hazard.assignee_id,
        FollowUp.at >= month.start_utc,
        FollowUp.at < month.end_utc,
    )


def _follow_ups(worker_ids, area: Area, month: Period):
    return db.session.execute(
        select(Hazard.assignee_id, count_if(followed_up_condition(month)), func.count(Hazard.id))
        .where(open_hazards_condition(worker_ids, area, month))
        .group_by(Hazard.assignee_id)
    ).all()


def far_check_ins_condition(worker_ids, area: Area, month: Period):
    """Visits the worker logged in the month with the phone away from the home."""
    return and_(
        Visit.completed_by_id.in_(worker_ids),
        Visit.location_verdict == LocationVerdict.far,
        Visit.completed_at >= month.start_utc,
        Visit.completed_at < month.end_utc,
        _under(area, Visit.household_id),
    )


def urgent_visits_condition(worker_ids, area: Area, month: Period, today: date):
    """The worker's urgent visits (after a life event) due in the month and settled: done,
    or due before today began. One still open and not yet due cannot lower the figure."""
    return and_(
        Visit.worker_id.in_(worker_ids),
        Visit.due_at.is_not(None),
        Visit.due_at >= month.start_utc,
        Visit.due_at < month.end_utc,
        Visit.status != VisitStatus.cancelled,
        or_(Visit.status == VisitStatus.done, Visit.due_at < day_start_utc(today)),
        _under(area, Visit.household_id),
    )


def urgent_in_time():
    """Done by the hour it was due, as the life-events report counts it."""
    return and_(Visit.status == VisitStatus.done, Visit.completed_at <= Visit.due_at)


def urgent_visits_in_time(worker_ids, area: Area, month: Period, today: date) -> dict[int, Count]:
    """Urgent visits after a life event, due in the month: done by their due time / due."""
    rows = db.session.execute(
        select(Visit.worker_id, count_if(urgent_in_time()), func.count(Visit.id))
        .where(urgent_visits_condition(worker_ids, area, month, today))
        .group_by(Visit.worker_id)
    )
    return {worker_id: Count(done, due) for worker_id, done, due in rows}
