"""Life events in the reports: how many were recorded in an area and period, and how many
of their urgent visits were done in time (by the hour they were due)."""

from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from gridcare.areas.models import Area
from gridcare.areas.scope import under
from gridcare.dialects import count_if
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.reports.periods import Period
from gridcare.visits.models import LifeEvent, Visit, VisitStatus


@dataclass
class LifeEventCounts:
    events: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    urgent_visits: int = 0  # urgent visits the period's events called for
    done_in_time: int = 0  # of those, done by the hour they were due

    @property
    def in_time_rate(self) -> float | None:
        return self.done_in_time / self.urgent_visits if self.urgent_visits else None


def life_event_counts(area: Area, period: Period) -> LifeEventCounts:
    """Events recorded in the period for households under `area`, and their urgent visits.

    Several events of one household may share one urgent visit; it is counted once.
    """
    in_area = (
        select(Household.id)
        .join(Area, Area.id == Household.grid_id)
        .where(under(Area.path, area.path))
    )
    in_period = and_(
        LifeEvent.household_id.in_(in_area),
        LifeEvent.recorded_at >= period.start_utc,
        LifeEvent.recorded_at < period.end_utc,
    )
    counts = LifeEventCounts()
    for kind, count in db.session.execute(
        select(LifeEvent.kind, func.count(LifeEvent.id)).where(in_period).group_by(LifeEvent.kind)
    ):
        counts.by_kind[kind.value] = count
        counts.events += count
    visits = select(LifeEvent.visit_id).where(in_period).distinct().subquery()
    total, in_time = db.session.execute(
        select(
            func.count(Visit.id),
            count_if(and_(Visit.status == VisitStatus.done, Visit.completed_at <= Visit.due_at)),
        ).where(Visit.id.in_(select(visits.c.visit_id)))
    ).one()
    counts.urgent_visits, counts.done_in_time = total, in_time or 0
    return counts
