"""Scheduled work of the reports domain."""

from datetime import timedelta

from gridcare.clock import today
from gridcare.reports.coverage import snapshot_month
from gridcare.reports.periods import month


def monthly_snapshot() -> str:
    """On the 1st (and after downtime): keep last month's figures as they were reported."""
    closed = month(today().replace(day=1) - timedelta(days=1))
    return f"{closed.key}: snapshots={snapshot_month(closed)}"
