"""The one place that reads the clock.

Times are stored as naive UTC; dates that people reason about ("today", a birthday) are
in the configured time zone.
"""

from datetime import UTC, date, datetime, timedelta
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


def local_to_utc(moment: datetime) -> datetime:
    """A naive local time (as a form gives it) as the naive UTC the database stores."""
    return moment.replace(tzinfo=local_zone()).astimezone(UTC).replace(tzinfo=None)


def utc_to_local_date(moment: datetime) -> date:
    """The local calendar day of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(local_zone()).date()


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def day_start_utc(day: date) -> datetime:
    """The stored (naive UTC) moment at which a local calendar day begins."""
    return local_to_utc(datetime.combine(day, datetime.min.time()))


def month_start(day: date) -> date:
    """The first day of the month that holds `day`."""
    return day.replace(day=1)


def next_month_start(day: date) -> date:
    """The first day of the month after the one that holds `day`."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def month_end(day: date) -> date:
    """The last day of the month that holds `day`."""
    return next_month_start(day) - timedelta(days=1)
