"""The scheduling rule: how often each care level is visited and checked.

Frequencies follow published local practice: high-risk elderly weekly, key groups
monthly, general groups quarterly. The window is how long after its due date a task may
still be done before the nightly sweep marks it missed.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from gridcare.visits.models import VisitKind


@dataclass(frozen=True)
class Cadence:
    interval_days: int
    window_days: int


CARE_PLAN: dict[int, dict[VisitKind, Cadence]] = {
    1: {VisitKind.home_visit: Cadence(7, 3), VisitKind.safety_check: Cadence(30, 7)},
    2: {VisitKind.home_visit: Cadence(30, 7), VisitKind.safety_check: Cadence(90, 14)},
    3: {VisitKind.home_visit: Cadence(90, 14), VisitKind.safety_check: Cadence(180, 30)},
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
