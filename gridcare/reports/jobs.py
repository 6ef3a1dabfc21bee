"""Scheduled work of the reports domain."""

from datetime import date, timedelta

from gridcare.clock import today
from gridcare.reports.coverage import snapshot_month
from gridcare.reports.periods import Period, month, parse, quarter
from gridcare.visits.services import store_months


def closed_on(first_of_month: date) -> list[Period]:
    """What closed the day before `first_of_month`: that month, and the quarter and the
    year when the month ended one."""
    closed = month(first_of_month - timedelta(days=1))
    periods = [closed]
    if closed.end == quarter(closed.end).end:
        periods.append(quarter(closed.end))
    if closed.end.month == 12:
        periods.append(parse(str(closed.end.year)))
    return periods


def closed_since(day: date, until: date) -> list[Period]:
    """Every month, quarter and year that closed after `day` began and before `until`, in
    the order `monthly_snapshot` would have stored them on each 1st."""
    periods, first = [], month(day).end + timedelta(days=1)
    while first <= until:
        periods += closed_on(first)
        first = month(first).end + timedelta(days=1)
    return periods


def monthly_snapshot() -> str:
    """On the 1st (and after downtime): keep last month's figures as they were reported,
    and the quarter's and the year's when the month closed one (the report page shows
    them beside the next quarter or year as the previous period). First, what each
    household's visits did in any month not stored through its last day (`VisitMonth`;
    the nightly `store_visit_months` has normally done it), which the snapshots then read
    instead of those months' visits."""
    stored = store_months()
    periods = closed_on(today().replace(day=1))
    snapshots = ", ".join(f"{p.key}: snapshots={snapshot_month(p)}" for p in periods)
    return f"household months={len(stored)}, {snapshots}"
