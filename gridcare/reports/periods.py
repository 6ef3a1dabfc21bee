"""Reporting periods: a month, a quarter, a year or a range of days, in local dates."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from gridcare.clock import day_start_utc
from gridcare.errors import FieldError

# Reports cover the years records can exist in; far dates overflow the clock's arithmetic.
FIRST_YEAR, LAST_YEAR = 1950, 2100


class PeriodError(FieldError):
    def __init__(self, message, field: str = "period"):
        super().__init__(field, message)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    key: str  # "2026-11", "2026-Q4", "2026", "2026-11-01..2026-11-20"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_utc(self) -> datetime:
        return day_start_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        """The first stored moment after the period (exclusive bound)."""
        return day_start_utc(self.end + timedelta(days=1))

    def previous(self) -> "Period":
        """The period of the same kind just before this one."""
        if re.fullmatch(r"\d{4}-\d{2}", self.key):
            return month(self.start - timedelta(days=1))
        if "Q" in self.key:
            return quarter(self.start - timedelta(days=1))
        if re.fullmatch(r"\d{4}", self.key):
            year = self.start.year - 1
            return Period(date(year, 1, 1), date(year, 12, 31), str(year))
        start, end = self.start - timedelta(days=self.days), self.start - timedelta(days=1)
        return Period(start, end, f"{start}..{end}")


def month(day: date) -> Period:
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period(start, following - timedelta(days=1), f"{start:%Y-%m}")


def quarter(day: date) -> Period:
    number = (day.month - 1) // 3 + 1
    start = date(day.year, 3 * number - 2, 1)
    end = month(date(day.year, 3 * number, 1)).end
    return Period(start, end, f"{day.year}-Q{number}")


def last_months(until: Period, count: int, today: date | None = None) -> list[Period]:
    """`count` months ending with the month that holds `until.end`, oldest first; given
    `today`, never past the month that holds it (a month still to come has no figures)."""
    end = until.end if today is None else min(until.end, today)
    months = [month(end)]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months


def parse(text: str) -> Period:
    """Read "2026-11", "2026-Q4", "2026" or "2026-11-01..2026-11-20"."""
    text = (text or "").strip()
    for year in re.findall(r"\d{4}", text):
        if not FIRST_YEAR <= int(year) <= LAST_YEAR:
            raise PeriodError(
                _l(
                    "Choose a period between %(first)s and %(last)s.",
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                )
            )
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            return month(date(int(m[1]), int(m[2]), 1))
        if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text, re.IGNORECASE):
            return quarter(date(int(m[1]), 3 * int(m[2]), 1))
        if re.fullmatch(r"\d{4}", text):
            return Period(date(int(text), 1, 1), date(int(text), 12, 31), text)
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if end < start:
                raise PeriodError(_l("The period ends before it starts."))
            if (end - start).days > 366 * 5:
                raise PeriodError(_l("A period can be at most five years long."))
            return Period(start, end, f"{start}..{end}")
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(_l("This date does not exist.")) from exc
    raise PeriodError(
        _l(
            "Give a month (2026-11), a quarter (2026-Q4), a year (2026) or a range "
            "(2026-11-01..2026-11-20)."
        )
    )
