"""Geometry for the report's inline SVG charts: the template only draws what this returns."""

from dataclasses import dataclass

from gridcare.reports.coverage import Figures, Row
from gridcare.reports.periods import Period

# Drawn at their own size (the page does not stretch them), so 16 units are the body's 16 px.
WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH, VALUE_WIDTH = 600, 26, 10, 170, 70
TREND_HEIGHT, TREND_PADDING = 220, 36


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: float
    percent: float | None


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float | None
    percent: float | None


def coverage_bars(rows: list[Row]) -> tuple[list[Bar], int]:
    """One horizontal bar per child area, its length the coverage %; and the chart height."""
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, row in enumerate(rows):
        share = row.figures.coverage
        bars.append(
            Bar(
                label=row.label,
                y=index * (BAR_HEIGHT + GAP),
                width=round(span * (share or 0), 1),
                percent=None if share is None else round(share * 100, 1),
            )
        )
    return bars, max(len(rows), 1) * (BAR_HEIGHT + GAP)


def trend_points(series: list[tuple[Period, Figures]]) -> list[Point]:
    """One point per month on a 0-100 % scale; months without target households have none."""
    inner = WIDTH - 2 * TREND_PADDING
    step = inner / max(len(series) - 1, 1)
    points = []
    for index, (period, figures) in enumerate(series):
        share = figures.coverage
        y = (
            None
            if share is None
            else TREND_PADDING + (1 - share) * (TREND_HEIGHT - 2 * TREND_PADDING)
        )
        points.append(
            Point(
                label=period.key[2:],
                x=round(TREND_PADDING + index * step, 1),
                y=None if y is None else round(y, 1),
                percent=None if share is None else round(share * 100, 1),
            )
        )
    return points


def polyline(points: list[Point]) -> str:
    return " ".join(f"{p.x},{p.y}" for p in points if p.y is not None)
