"""The scheduling rule: how often each care level is visited and checked.

The cadences are part of the care-level rules an admin edits (`registry.care_levels`);
planning reads the version in force on the day it plans. The window is how long after
its due date a task may still be done before the nightly sweep marks it missed.
"""

from datetime import date, timedelta

from gridcare.registry.care_levels import Cadence, care_rules
from gridcare.visits.models import VisitKind

__all__ = ["Cadence", "care_plan", "first_due"]


def care_plan(on: date) -> dict[int, dict[VisitKind, Cadence]]:
    """Each care level's cadence per kind of task, under the rules in force on `on`."""
    return {
        level: {VisitKind(kind): cadence for kind, cadence in kinds.items()}
        for level, kinds in care_rules(on).cadences.items()
    }


def first_due(household_id: int, kind: VisitKind, interval_days: int, today: date) -> date:
    """When a new schedule's first task falls due.

    Spread over the first interval (at most a week) by household, so that registering a
    whole grid does not put every household on the same day's list.
    """
    spread = min(interval_days, 7)
    # 7919 is prime, so consecutive households land on different days of the spread.
    offset = (household_id * 7919 + (3 if kind == VisitKind.safety_check else 0)) % spread
    return today + timedelta(days=offset)
