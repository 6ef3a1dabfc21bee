"""Performance services, one module per thing they do, re-exported here.

- `indicator_sets`: the admin's half-yearly versions of the indicators;
- `sources`: the computed figures behind indicators, per worker and month;
- `people`: where a worker is ranked, and how an officer rates them;
- `ratings`, `points`: what officers enter: ratings and points with a basis;
- `results`: monthly records, quarterly scores and ranks;
- `quarters`: the page, live or frozen, and closing and re-opening a quarter;
- `records`: the records behind each figure, for its link.
"""

from gridcare.performance.services.errors import PerformanceError
from gridcare.performance.services.indicator_sets import (
    add_indicator,
    all_sets,
    applies_until,
    create_set,
    get_indicator,
    get_set,
    half_year_of,
    remove_indicator,
    set_for,
    update_indicator,
    update_set,
    used_by_closed_quarter,
)
from gridcare.performance.services.months import is_closed, parse_month, parse_quarter
from gridcare.performance.services.people import placement, rater_kind, street_of, worker_in_scope
from gridcare.performance.services.points import (
    add_points,
    adjustments_for,
    basis_households,
    basis_kinds,
)
from gridcare.performance.services.quarters import (
    IndicatorLine,
    PerformancePage,
    close_quarter,
    performance_page,
    reopen_quarter,
    worker_result,
)
from gridcare.performance.services.ratings import rate, ratings_for
from gridcare.performance.services.results import Mark, MonthRecord, WorkerResult

__all__ = [
    "IndicatorLine",
    "Mark",
    "MonthRecord",
    "PerformanceError",
    "PerformancePage",
    "WorkerResult",
    "add_indicator",
    "add_points",
    "adjustments_for",
    "all_sets",
    "applies_until",
    "basis_households",
    "basis_kinds",
    "close_quarter",
    "create_set",
    "get_indicator",
    "get_set",
    "half_year_of",
    "is_closed",
    "parse_month",
    "parse_quarter",
    "performance_page",
    "placement",
    "rate",
    "rater_kind",
    "ratings_for",
    "remove_indicator",
    "reopen_quarter",
    "set_for",
    "street_of",
    "update_indicator",
    "update_set",
    "used_by_closed_quarter",
    "worker_in_scope",
    "worker_result",
]
