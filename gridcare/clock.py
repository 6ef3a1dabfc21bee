"""The one place that reads the clock.

Times are stored as naive UTC; dates that people reason about ("today", a birthday) are
in the configured time zone.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["GRIDCARE_TIMEZONE"])


def today() -> date:
    return datetime.now(local_zone()).date()


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
