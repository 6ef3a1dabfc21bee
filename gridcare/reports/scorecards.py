"""Worker scorecards: per worker and period, what fell due and what was done.

They are figures, not a score: the performance system (gridcare.performance) scores and
ranks workers, with these figures as the sources of its computed indicators.

Counts come from grouped SQL over ix_visit_worker_status_due (tasks), ix_visit_completed_at
(attempts) and ix_hazard_reported_at; coverage reuses the per-grid coverage figures.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select

from gridcare.accounts.lookups import grid_workers, workers_under
from gridcare.accounts.models import User
from gridcare.areas.models import Area
from gridcare.areas.scope import under
from gridcare.dialects import count_if, day_after_utc
from gridcare.extensions import db
from gridcare.hazards.models import Hazard, HazardStatus
from gridcare.registry.models import Household
from gridcare.reports.coverage import Figures, grid_figures
from gridcare.reports.periods import Period
from gridcare.visits.models import Visit, VisitStatus


@dataclass
class Scorecard:
    worker: User
    tasks_due: int = 0
    done_on_time: int = 0
    done_late: int = 0
    missed: int = 0
    not_home: int = 0
    coverage: Figures = field(default_factory=Figures)
    hazards_found: int = 0
    hazards_closed: int = 0
    hazards_closed_in_time: int = 0


def _in_area(area: Area, household_id):
    """Only records of households under `area`: a worker who also covers grids elsewhere
    is scored here on this area's work alone."""
    return household_id.in_(
        select(Household.id)
        .join(Area, Area.id == Household.grid_id)
        .where(under(Area.path, area.path))
    )


def _settled(today: date):
    """Tasks whose window closed by today: done, missed, or still planned past it. Work not
    yet due must not lower a score in the middle of a period, nor work done early raise it
    while nothing can be missed yet (as coverage's timeliness)."""
    return and_(
        Visit.window_end < today,
        Visit.status.in_((VisitStatus.done, VisitStatus.missed, VisitStatus.planned)),
    )


def _tasks(worker_ids, area: Area, period: Period, today: date):
    return and_(
        Visit.worker_id.in_(worker_ids),
        Visit.extra.is_(False),
        _settled(today),
        Visit.due_date >= period.start,
        Visit.due_date <= period.end,
        _in_area(area, Visit.household_id),
    )


def _not_home(worker_ids, area: Area, period: Period):
    return and_(
        Visit.completed_by_id.in_(worker_ids),
        Visit.status == VisitStatus.not_home,
        Visit.completed_at >= period.start_utc,
        Visit.completed_at < period.end_utc,
        _in_area(area, Visit.household_id),
    )


def _found(worker_ids, area: Area, period: Period):
    return and_(
        Hazard.reported_by_id.in_(worker_ids),
        Hazard.reported_at >= period.start_utc,
        Hazard.reported_at < period.end_utc,
        _in_area(area, Hazard.household_id),
    )


def _closed(worker_ids, area: Area, period: Period):
    return and_(
        Hazard.assignee_id.in_(worker_ids),
        Hazard.status == HazardStatus.closed,
        Hazard.closed_at >= period.start_utc,
        Hazard.closed_at < period.end_utc,
        _in_area(area, Hazard.household_id),
    )


def scorecards(area: Area, period: Period, today: date) -> list[Scorecard]:
    """Every worker of `area` for the period, on the area's work only, by username."""
    workers = workers_under(area)
    cards = {w.id: Scorecard(w) for w in workers}
    if not cards:
        return []
    ids = list(cards)

    done = Visit.status == VisitStatus.done
    in_time = Visit.completed_at < day_after_utc(Visit.window_end)
    for worker_id, due, on_time, late, missed in db.session.execute(
        select(
            Visit.worker_id,
            func.count(Visit.id),
            count_if(and_(done, in_time)),
            count_if(and_(done, ~in_time)),
            count_if(Visit.status != VisitStatus.done),  # missed, or planned past its window
        )
        .where(_tasks(ids, area, period, today))
        .group_by(Visit.worker_id)
    ):
        card = cards[worker_id]
        card.tasks_due, card.done_on_time, card.done_late, card.missed = due, on_time, late, missed

    for worker_id, attempts in db.session.execute(
        select(Visit.completed_by_id, func.count(Visit.id))
        .where(_not_home(ids, area, period))
        .group_by(Visit.completed_by_id)
    ):
        cards[worker_id].not_home = attempts

    for worker_id, found in db.session.execute(
        select(Hazard.reported_by_id, func.count(Hazard.id))
        .where(_found(ids, area, period))
        .group_by(Hazard.reported_by_id)
    ):
        cards[worker_id].hazards_found = found

    hazard_in_time = or_(
        Hazard.deadline.is_(None), Hazard.closed_at < day_after_utc(Hazard.deadline)
    )
    for worker_id, closed, closed_in_time in db.session.execute(
        select(Hazard.assignee_id, func.count(Hazard.id), count_if(hazard_in_time))
        .where(_closed(ids, area, period))
        .group_by(Hazard.assignee_id)
    ):
        cards[worker_id].hazards_closed = closed
        cards[worker_id].hazards_closed_in_time = closed_in_time

    # In-person coverage of each worker's own grids.
    per_grid = grid_figures(area, period, today)
    for grid_id, worker_id in grid_workers(list(per_grid)).items():
        if worker_id in cards:
            cards[worker_id].coverage.add(per_grid[grid_id])

    return list(cards.values())


def worker_records(worker_id: int, area: Area, period: Period, today: date, what: str):
    """The visits or hazards behind one figure of a scorecard, for its link."""
    ids = [worker_id]
    if what in ("hazards_found", "hazards_closed"):
        condition = (
            _found(ids, area, period) if what == "hazards_found" else _closed(ids, area, period)
        )
        return "hazards", list(
            db.session.scalars(select(Hazard).where(condition).order_by(Hazard.reported_at))
        )
    tasks = _tasks(ids, area, period, today)
    done = Visit.status == VisitStatus.done
    in_time = Visit.completed_at < day_after_utc(Visit.window_end)
    condition = {
        "tasks_due": tasks,
        "done_on_time": and_(tasks, done, in_time),
        "done_late": and_(tasks, done, ~in_time),
        "missed": and_(tasks, Visit.status != VisitStatus.done),
        "not_home": _not_home(ids, area, period),
    }.get(what)
    if condition is None:
        return "visits", []
    return "visits", list(
        db.session.scalars(select(Visit).where(condition).order_by(Visit.due_date))
    )
