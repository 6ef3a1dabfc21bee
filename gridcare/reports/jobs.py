"""Scheduled work of the reports domain."""

from datetime import timedelta

from gridcare.clock import today
from gridcare.reports.coverage import snapshot_month
from gridcare.reports.periods import month, parse, quarter


def monthly_snapshot() -> str:
    """On the 1st (and after downtime): keep last month's figures as they were reported,
    and the quarter's and the year's when the month closed one (the report page shows
    them beside the next quarter or year as the previous period)."""
    closed = month(today().replace(day=1) - timedelta(days=1))
    periods = [closed]
    if closed.end == quarter(closed.end).end:
        periods.append(quarter(closed.end))
    if closed.end.month == 12:
        periods.append(parse(str(closed.end.year)))
    return ", ".join(f"{p.key}: snapshots={snapshot_month(p)}" for p in periods)
