"""The quarter's page, live while the quarter is open and frozen once it is closed.

Closing stores every worker's result and the indicators they were scored with, as the
monthly report snapshots store a month: later corrections to visits, ratings or the set
no longer move it. Only an admin re-opens a quarter, and says why.
"""

from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from gridcare.accounts.models import Role
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import under
from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.performance.models import (
    Indicator,
    IndicatorKind,
    IndicatorSource,
    PerformanceQuarter,
    PerformanceResult,
)
from gridcare.performance.services.errors import PerformanceError
from gridcare.performance.services.indicator_sets import set_for
from gridcare.performance.services.months import parse_quarter, quarter_row
from gridcare.performance.services.people import street_of
from gridcare.performance.services.results import WorkerResult, street_results
from gridcare.reports.periods import Period


@dataclass(frozen=True)
class IndicatorLine:
    """An indicator as the page shows it (and as a closed quarter keeps it)."""

    id: int
    kind: IndicatorKind
    name: str
    source: IndicatorSource
    weight: int
    full_mark: int
    rater_weights: dict

    @classmethod
    def of(cls, indicator: Indicator) -> "IndicatorLine":
        return cls(
            indicator.id,
            indicator.kind,
            indicator.name,
            indicator.source,
            indicator.weight,
            indicator.full_mark,
            dict(indicator.rater_weights),
        )

    def to_dict(self) -> dict:
        return {**asdict(self), "kind": self.kind.value, "source": self.source.value}

    @classmethod
    def from_dict(cls, data: dict) -> "IndicatorLine":
        return cls(
            **{
                **data,
                "kind": IndicatorKind(data["kind"]),
                "source": IndicatorSource(data["source"]),
            }
        )


@dataclass
class PerformancePage:
    area: Area
    quarter: Period
    closed: bool
    state: PerformanceQuarter | None
    set_name: str | None
    indicators: list[IndicatorLine]
    results: list[WorkerResult]  # best first


def _streets(area: Area) -> list[Area]:
    if area.kind in (AreaKind.district,):
        return list(
            db.session.scalars(
                select(Area).where(Area.kind == AreaKind.street, under(Area.path, area.path))
            )
        )
    return [street_of(area)]


def _sorted(results: list[WorkerResult]) -> list[WorkerResult]:
    return sorted(results, key=lambda r: (r.score is None, -(r.score or 0), r.name))


def _in_area(area: Area, results: list[WorkerResult]) -> list[WorkerResult]:
    ids = {r.community_id for r in results} | {r.street_id for r in results}
    paths = dict(db.session.execute(select(Area.id, Area.path).where(Area.id.in_(ids))).all())
    # A grid's page is its community's: workers are ranked by community, not by grid.
    prefix = area.path
    if area.kind is AreaKind.grid:
        prefix = "/".join(area.path.split("/")[:-2]) + "/"
    return [
        r
        for r in results
        if paths.get(r.community_id, paths.get(r.street_id, "")).startswith(prefix)
    ]


def performance_page(area: Area, quarter_key: str, today: date) -> PerformancePage:
    """Every worker of the area for the quarter: score, ranks, each indicator, each month."""
    q = parse_quarter(quarter_key)
    state = quarter_row(q.key)
    if state is not None and state.closed:
        rows = db.session.scalars(
            select(PerformanceResult.record).where(PerformanceResult.quarter_key == q.key)
        )
        results = _in_area(area, [WorkerResult.from_dict(r) for r in rows])
        indicators = [IndicatorLine.from_dict(d) for d in state.indicators]
        chosen = set_for(q.start)
        name = chosen.name if chosen is not None and chosen.id == state.set_id else None
        return PerformancePage(area, q, True, state, name, indicators, _sorted(results))
    results, indicators = [], []
    for street in _streets(area):
        indicators, found = street_results(street, q, today)
        results.extend(found)
    chosen = set_for(q.start)
    return PerformancePage(
        area,
        q,
        False,
        state,
        chosen.name if chosen else None,
        [IndicatorLine.of(i) for i in indicators],
        _sorted(_in_area(area, results)),
    )


def worker_result(worker_id: int, area: Area, quarter_key: str, today: date):
    """One worker's result and the page it sits on (for their own page)."""
    page = performance_page(area, quarter_key, today)
    return page, next((r for r in page.results if r.worker_id == worker_id), None)


def close_quarter(actor, quarter_key: str, today: date) -> PerformanceQuarter:
    """Freeze every worker's result of an ended quarter; audited."""
    q = parse_quarter(quarter_key)
    if q.end >= today:
        raise PerformanceError("quarter", _l("A quarter can be closed once it has ended."))
    state = quarter_row(q.key) or PerformanceQuarter(key=q.key)
    if state.closed:
        raise PerformanceError("quarter", _l("This quarter is already closed."))
    indicator_set = set_for(q.start)
    if indicator_set is None:
        raise PerformanceError("quarter", _l("No indicator set applies to this quarter."))
    db.session.execute(delete(PerformanceResult).where(PerformanceResult.quarter_key == q.key))
    streets = db.session.scalars(select(Area).where(Area.kind == AreaKind.street))
    stored = set()
    for street in streets:
        indicators, results = street_results(street, q, today)
        for result in results:
            if result.worker_id in stored:
                continue
            stored.add(result.worker_id)
            db.session.add(
                PerformanceResult(
                    quarter_key=q.key,
                    worker_id=result.worker_id,
                    street_id=result.street_id,
                    community_id=result.community_id,
                    record=result.to_dict(),
                )
            )
    state.closed = True
    state.set_id = indicator_set.id
    state.indicators = [IndicatorLine.of(i).to_dict() for i in indicator_set.indicators]
    state.closed_at, state.closed_by_id = utcnow(), actor.user_id
    db.session.add(state)
    db.session.flush()
    actor.audit("close", "performance_quarter", state.id, ["key", "results"])
    db.session.commit()
    return state


def reopen_quarter(actor, quarter_key: str, reason: str) -> PerformanceQuarter:
    """Re-open a closed quarter: admins only, with a reason; its frozen results go."""
    q = parse_quarter(quarter_key)
    if actor.role != Role.admin:
        raise PerformanceError("reason", _l("Only an admin re-opens a quarter."))
    state = quarter_row(q.key)
    if state is None or not state.closed:
        raise PerformanceError("quarter", _l("This quarter is not closed."))
    reason = (reason or "").strip()
    if not reason:
        raise PerformanceError("reason", _l("Say why the quarter is re-opened."))
    if len(reason) > 500:
        raise PerformanceError("reason", _l("At most 500 characters."))
    db.session.execute(delete(PerformanceResult).where(PerformanceResult.quarter_key == q.key))
    state.closed = False
    state.reopened_at, state.reopened_by_id, state.reopen_reason = utcnow(), actor.user_id, reason
    actor.audit("reopen", "performance_quarter", state.id, ["key", "reason"])
    db.session.commit()
    return state
