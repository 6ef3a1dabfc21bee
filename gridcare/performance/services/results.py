"""Monthly records and the quarter's result: scores and ranks computed from the records.

A month's score is 100 × the points earned over the weights of the indicators that had
something to count (an indicator with nothing to count is left out, never a zero), plus
its bonus and less its deductions. Each indicator earns its weight × figure / full mark,
at most its weight. The quarter's score is the mean of its months' scores; ranks are
within the community and within the street, ties sharing a rank.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from gridcare.accounts.lookups import workers_under
from gridcare.areas.models import Area
from gridcare.performance.models import AdjustmentKind, Indicator, IndicatorSource
from gridcare.performance.services.indicator_sets import set_for
from gridcare.performance.services.months import months_of
from gridcare.performance.services.people import placements
from gridcare.performance.services.points import adjustments_for
from gridcare.performance.services.ratings import ratings_for
from gridcare.performance.services.sources import Count, month_figures
from gridcare.reports.periods import Period


@dataclass
class Mark:
    """One indicator's figure and points in one month (or the quarter)."""

    indicator_id: int
    done: float | None = None  # computed figures: what was done …
    out_of: float | None = None  # … of how many; ratings: None
    figure: float | None = None  # per cent for computed figures, the rating for ratings
    points: float | None = None  # of the indicator's weight; None = nothing to count
    raters: dict[str, float] = field(default_factory=dict)  # ratings: mean per rater kind


@dataclass
class MonthRecord:
    month: str
    marks: list[Mark]
    bonus: float = 0.0
    deduction: float = 0.0
    base: float | None = None
    score: float | None = None
    far_check_ins: int = 0


@dataclass
class WorkerResult:
    worker_id: int
    name: str
    community_id: int | None
    street_id: int | None
    months: list[MonthRecord]
    marks: list[Mark]  # the quarter's, per indicator
    bonus: float = 0.0
    deduction: float = 0.0
    score: float | None = None
    community_rank: int | None = None
    street_rank: int | None = None
    far_check_ins: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "WorkerResult":
        months = [
            MonthRecord(**{**m, "marks": [Mark(**k) for k in m["marks"]]}) for m in data["months"]
        ]
        return cls(**{**data, "months": months, "marks": [Mark(**k) for k in data["marks"]]})

    def mark(self, indicator_id: int) -> Mark | None:
        return next((m for m in self.marks if m.indicator_id == indicator_id), None)


def _computed_mark(indicator: Indicator, count: Count) -> Mark:
    share = count.share
    if share is None:
        return Mark(indicator.id, count.done, count.out_of)
    figure = 100 * share
    points = indicator.weight * min(1.0, figure / indicator.full_mark)
    return Mark(indicator.id, count.done, count.out_of, round(figure, 1), round(points, 2))


def _rated_mark(indicator: Indicator, given: dict[str, list[float]]) -> Mark:
    means = {kind: sum(v) / len(v) for kind, v in given.items() if v}
    weights = {k: w for k, w in indicator.rater_weights.items() if k in means}
    if not weights:
        return Mark(indicator.id)
    combined = sum(w * means[k] for k, w in weights.items()) / sum(weights.values())
    points = indicator.weight * min(1.0, combined / indicator.full_mark)
    return Mark(
        indicator.id,
        figure=round(combined, 2),
        points=round(points, 2),
        raters={k: round(v, 2) for k, v in means.items()},
    )


def month_score(indicators: list[Indicator], marks: list[Mark], bonus: float, deduction: float):
    """(base, score) of a month: None when no indicator had anything to count."""
    weight_of = {i.id: i.weight for i in indicators}
    counted = [m for m in marks if m.points is not None]
    if not counted:
        return None, None
    base = 100 * sum(m.points for m in counted) / sum(weight_of[m.indicator_id] for m in counted)
    return round(base, 2), round(base + bonus - deduction, 2)


def _quarter_marks(indicators: list[Indicator], months: list[MonthRecord]) -> list[Mark]:
    """Per indicator: counts added over the months, points the mean of the months'."""
    result = []
    for position, indicator in enumerate(indicators):
        monthly = [m.marks[position] for m in months]
        scored = [m.points for m in monthly if m.points is not None]
        mark = Mark(indicator.id)
        if indicator.source.computed:
            mark.done = sum(m.done or 0 for m in monthly)
            mark.out_of = sum(m.out_of or 0 for m in monthly)
            if mark.out_of:
                mark.figure = round(100 * mark.done / mark.out_of, 1)
        else:
            figures = [m.figure for m in monthly if m.figure is not None]
            mark.figure = round(sum(figures) / len(figures), 2) if figures else None
        mark.points = round(sum(scored) / len(scored), 2) if scored else None
        result.append(mark)
    return result


def rank(results: list[WorkerResult], attribute: str) -> None:
    """Competition ranking (1, 1, 3) by score; a worker without a score has no rank."""
    scored = sorted((r for r in results if r.score is not None), key=lambda r: -r.score)
    for position, result in enumerate(scored, start=1):
        previous = scored[position - 2] if position > 1 else None
        same = previous is not None and previous.score == result.score
        setattr(result, attribute, getattr(previous, attribute) if same else position)


def street_results(street: Area, q: Period, today: date) -> tuple[list[Indicator], list]:
    """The set's indicators and every worker of the street's result for the quarter, live."""
    indicator_set = set_for(q.start)
    if indicator_set is None:
        return [], []
    indicators = list(indicator_set.indicators)
    workers = workers_under(street)
    placed = placements(workers)
    months = months_of(q, today)
    keys = [m.key for m in months]
    ids = [w.id for w in workers]
    given: dict = defaultdict(lambda: defaultdict(list))
    for rating in ratings_for(ids, keys):
        given[(rating.worker_id, rating.month, rating.indicator_id)][
            rating.rater_kind.value
        ].append(rating.value)
    points: dict = defaultdict(float)
    for adjustment in adjustments_for(ids, keys):
        points[(adjustment.worker_id, adjustment.month, adjustment.kind)] += adjustment.points
    figures = {m.key: month_figures(street, m, today) for m in months}

    results = []
    for worker in workers:
        where = placed.get(worker.id)
        if where is None or where.street_id not in (street.id, None):
            continue  # ranked in the street of their first grid
        records = []
        for m in months:
            computed = figures[m.key].get(worker.id)
            marks = [
                _computed_mark(i, computed.counts[i.source] if computed else Count())
                if i.source is not IndicatorSource.rating
                else _rated_mark(i, given.get((worker.id, m.key, i.id), {}))
                for i in indicators
            ]
            bonus = round(points[(worker.id, m.key, AdjustmentKind.bonus)], 1)
            deduction = round(points[(worker.id, m.key, AdjustmentKind.deduction)], 1)
            base, score = month_score(indicators, marks, bonus, deduction)
            far = computed.far_check_ins if computed else 0
            records.append(MonthRecord(m.key, marks, bonus, deduction, base, score, far))
        scores = [r.score for r in records if r.score is not None]
        results.append(
            WorkerResult(
                worker_id=worker.id,
                name=worker.display_name,
                community_id=where.community_id,
                street_id=where.street_id,
                months=records,
                marks=_quarter_marks(indicators, records),
                bonus=round(sum(r.bonus for r in records), 1),
                deduction=round(sum(r.deduction for r in records), 1),
                score=round(sum(scores) / len(scores), 1) if scores else None,
                far_check_ins=sum(r.far_check_ins for r in records),
            )
        )
    rank(results, "street_rank")
    by_community = defaultdict(list)
    for result in results:
        by_community[result.community_id].append(result)
    for members in by_community.values():
        rank(members, "community_rank")
    return indicators, results
