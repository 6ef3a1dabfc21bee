"""Coverage: how much of the target population was reached, exactly as DESIGN.md defines it.

- `figures`: what one area's or worker's figures hold, and how they add up;
- `per_grid`: every figure counted per grid by aggregate SQL;
- `report`: grids assembled into child areas, workers and a total; the report page;
- `snapshots`: a closed month's figures, stored once.

Everything is re-exported here, so `from gridcare.reports.coverage import coverage` works.
"""

from gridcare.reports.coverage.figures import Coverage, Figures, Row
from gridcare.reports.coverage.per_grid import grid_figures
from gridcare.reports.coverage.report import (
    CoveragePage,
    coverage,
    coverage_page,
    trend,
    unvisited_households,
)
from gridcare.reports.coverage.snapshots import snapshot_month, snapshots_for

__all__ = [
    "Coverage",
    "CoveragePage",
    "Figures",
    "Row",
    "coverage",
    "coverage_page",
    "grid_figures",
    "snapshot_month",
    "snapshots_for",
    "trend",
    "unvisited_households",
]
