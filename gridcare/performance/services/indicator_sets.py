"""Indicator sets: an admin's half-yearly versions of the indicators (绩效指标).

A set applies from its start date (1 January or 1 July) until the next one starts, so a
new version never changes a past quarter. A set that a closed quarter was scored with
is kept as it was: the next half year gets a new version instead.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gridcare.converters import as_id
from gridcare.extensions import db
from gridcare.performance.models import (
    Indicator,
    IndicatorKind,
    IndicatorSet,
    IndicatorSource,
    PerformanceQuarter,
    RaterKind,
    Rating,
)
from gridcare.performance.services.errors import PerformanceError
from gridcare.reports.periods import FIRST_YEAR, LAST_YEAR, quarter

HALF_STARTS = {1: (1, 1), 2: (7, 1)}
MAX_LIMIT = 100


def half_year_start(year: int, half: int) -> date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PerformanceError("year", _l("Choose a year between 1950 and 2100."))
    if half not in HALF_STARTS:
        raise PerformanceError("half", _l("Choose the first or the second half of the year."))
    return date(year, *HALF_STARTS[half])


def half_year_of(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def all_sets() -> list[IndicatorSet]:
    """Every set, newest first, with its indicators."""
    return list(
        db.session.scalars(
            select(IndicatorSet)
            .options(selectinload(IndicatorSet.indicators))
            .order_by(IndicatorSet.starts_on.desc())
        )
    )


def get_set(set_id) -> IndicatorSet | None:
    """The set with this id (any text that is no id gives None), with its indicators."""
    set_id = as_id(set_id)
    if set_id is None:
        return None
    return db.session.scalar(
        select(IndicatorSet)
        .options(selectinload(IndicatorSet.indicators))
        .where(IndicatorSet.id == set_id)
    )


def set_for(day: date) -> IndicatorSet | None:
    """The set that applies on `day`: the latest one started by then."""
    return db.session.scalar(
        select(IndicatorSet)
        .options(selectinload(IndicatorSet.indicators))
        .where(IndicatorSet.starts_on <= day)
        .order_by(IndicatorSet.starts_on.desc())
        .limit(1)
    )


def _next_start(indicator_set: IndicatorSet) -> date | None:
    return db.session.scalar(
        select(IndicatorSet.starts_on)
        .where(IndicatorSet.starts_on > indicator_set.starts_on)
        .order_by(IndicatorSet.starts_on)
        .limit(1)
    )


def used_by_closed_quarter(indicator_set: IndicatorSet) -> bool:
    """Whether a closed quarter was scored with this set (then it stays as it was)."""
    return (
        db.session.scalar(
            select(PerformanceQuarter.id).where(
                PerformanceQuarter.set_id == indicator_set.id, PerformanceQuarter.closed
            )
        )
        is not None
    )


def _closed_quarter_from(start: date) -> bool:
    keys = db.session.scalars(select(PerformanceQuarter.key).where(PerformanceQuarter.closed))
    return any(quarter(_quarter_start(key)).end >= start for key in keys)


def _quarter_start(key: str) -> date:
    year, number = key.split("-Q")
    return date(int(year), 3 * int(number) - 2, 1)


def _check_editable(indicator_set: IndicatorSet) -> None:
    if used_by_closed_quarter(indicator_set):
        raise PerformanceError(
            "name",
            _l("A closed quarter was scored with this set; start a new version instead."),
        )


def _check_limits(bonus_limit: float, deduction_limit: float) -> None:
    for name, value in (("bonus_limit", bonus_limit), ("deduction_limit", deduction_limit)):
        if value is None or not 0 <= value <= MAX_LIMIT:
            raise PerformanceError(name, _l("A monthly limit is from 0 to 100 points."))


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise PerformanceError("name", _l("Give it a name."))
    if len(name) > 100:
        raise PerformanceError("name", _l("At most 100 characters."))
    return name


def create_set(
    actor,
    *,
    name: str,
    year: int,
    half: int,
    bonus_limit: float,
    deduction_limit: float,
    copy_from: IndicatorSet | None = None,
    today: date,
) -> IndicatorSet:
    """A new version from the start of a half year, optionally with another set's indicators.

    It may not start before the current half year, nor where a closed quarter lies."""
    name = _check_name(name)
    starts_on = half_year_start(year, half)
    if starts_on < half_year_of(today):
        raise PerformanceError(
            "year", _l("A new version starts in the current half year or later.")
        )
    if db.session.scalar(select(IndicatorSet.id).where(IndicatorSet.starts_on == starts_on)):
        raise PerformanceError("half", _l("A set already starts on this date; edit that one."))
    if _closed_quarter_from(starts_on):
        raise PerformanceError("half", _l("A quarter from this date on is already closed."))
    _check_limits(bonus_limit, deduction_limit)
    new = IndicatorSet(
        name=name,
        starts_on=starts_on,
        bonus_limit=bonus_limit,
        deduction_limit=deduction_limit,
        created_by_id=actor.user_id,
    )
    if copy_from is not None:
        for old in copy_from.indicators:
            new.indicators.append(
                Indicator(
                    position=old.position,
                    kind=old.kind,
                    name=old.name,
                    source=old.source,
                    weight=old.weight,
                    full_mark=old.full_mark,
                    rater_weights=dict(old.rater_weights),
                )
            )
    db.session.add(new)
    db.session.flush()
    actor.audit("create", "indicator_set", new.id, ["name", "starts_on", "limits"])
    db.session.commit()
    return new


def update_set(actor, indicator_set, *, name: str, bonus_limit: float, deduction_limit: float):
    """Rename a set or change its monthly limits, while no closed quarter used it."""
    _check_editable(indicator_set)
    indicator_set.name = _check_name(name)
    _check_limits(bonus_limit, deduction_limit)
    indicator_set.bonus_limit, indicator_set.deduction_limit = bonus_limit, deduction_limit
    actor.audit("update", "indicator_set", indicator_set.id, ["name", "limits"])
    db.session.commit()
    return indicator_set


def _indicator_values(kind, name, source, weight, full_mark, rater_weights) -> dict:
    try:
        kind, source = IndicatorKind(kind), IndicatorSource(source)
    except ValueError as exc:
        raise PerformanceError("source", _l("Choose one of the list.")) from exc
    if weight is None or not 1 <= weight <= 100:
        raise PerformanceError("weight", _l("A weight is a whole number from 1 to 100."))
    if full_mark is None or not 1 <= full_mark <= 100:
        raise PerformanceError("full_mark", _l("A full mark is a whole number from 1 to 100."))
    weights = {}
    if source is IndicatorSource.rating:
        for rater in RaterKind:
            value = rater_weights.get(rater.value) or 0
            if not 0 <= value <= 100:
                raise PerformanceError(
                    f"{rater.value}_weight", _l("A weight is a whole number from 0 to 100.")
                )
            if value:
                weights[rater.value] = value
        if not weights:
            raise PerformanceError(
                "officer_weight", _l("A rating needs at least one rater with a weight.")
            )
    return {
        "kind": kind,
        "name": _check_name(name),
        "source": source,
        "weight": weight,
        "full_mark": full_mark,
        "rater_weights": weights,
    }


def add_indicator(actor, indicator_set, *, kind, name, source, weight, full_mark, rater_weights):
    """Add an indicator at the end of the set."""
    _check_editable(indicator_set)
    values = _indicator_values(kind, name, source, weight, full_mark, rater_weights or {})
    last = db.session.scalar(
        select(func.max(Indicator.position)).where(Indicator.set_id == indicator_set.id)
    )
    position = (last or 0) + 1
    indicator = Indicator(set_id=indicator_set.id, position=position, **values)
    db.session.add(indicator)
    db.session.flush()
    actor.audit("create", "indicator", indicator.id, list(values))
    db.session.commit()
    return indicator


def update_indicator(actor, indicator, *, kind, name, source, weight, full_mark, rater_weights):
    """Change one indicator of a set no closed quarter used."""
    _check_editable(indicator.indicator_set)
    values = _indicator_values(kind, name, source, weight, full_mark, rater_weights or {})
    for field_name, value in values.items():
        setattr(indicator, field_name, value)
    actor.audit("update", "indicator", indicator.id, list(values))
    db.session.commit()
    return indicator


def remove_indicator(actor, indicator) -> None:
    """Take an indicator out of a set no closed quarter used (its ratings go with it)."""
    _check_editable(indicator.indicator_set)
    db.session.execute(Rating.__table__.delete().where(Rating.indicator_id == indicator.id))
    actor.audit("delete", "indicator", indicator.id, ["name"])
    db.session.delete(indicator)
    db.session.commit()


def get_indicator(indicator_id) -> Indicator | None:
    """The indicator with this id (any text that is no id gives None), with its set."""
    indicator_id = as_id(indicator_id)
    if indicator_id is None:
        return None
    return db.session.scalar(
        select(Indicator)
        .options(selectinload(Indicator.indicator_set))
        .where(Indicator.id == indicator_id)
    )


def applies_until(indicator_set: IndicatorSet) -> date | None:
    """The day before the next version starts, or None while it is the newest."""
    following = _next_start(indicator_set)
    return None if following is None else date.fromordinal(following.toordinal() - 1)
