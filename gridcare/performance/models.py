"""Performance (绩效): half-yearly indicator sets, ratings, points with a basis, and the
frozen results of a closed quarter."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridcare.clock import utcnow
from gridcare.extensions import db


def _enum(kind: type[enum.Enum]) -> db.Enum:
    return db.Enum(kind, native_enum=False, length=24, validate_strings=True)


class IndicatorKind(enum.StrEnum):
    common = "common"
    role_specific = "role_specific"
    key = "key"

    @property
    def label(self):
        return {
            IndicatorKind.common: _l("Common (共性)"),
            IndicatorKind.role_specific: _l("Role-specific (个性)"),
            IndicatorKind.key: _l("Key task (关键性)"),
        }[self]


class IndicatorSource(enum.StrEnum):
    """Where an indicator's figure comes from. Every computed one is a rate against the
    worker's own households, tasks or hazards: entering more never raises it."""

    coverage = "coverage"
    safety_coverage = "safety_coverage"
    timeliness = "timeliness"
    hazards_in_time = "hazards_in_time"
    urgent_visits_in_time = "urgent_visits_in_time"
    follow_ups = "follow_ups"
    rating = "rating"

    @property
    def label(self):
        return {
            IndicatorSource.coverage: _l("In-person visit coverage of own target households"),
            IndicatorSource.safety_coverage: _l("Safety-check coverage of own target households"),
            IndicatorSource.timeliness: _l("Own tasks done within their window"),
            IndicatorSource.hazards_in_time: _l("Own hazards closed within deadline"),
            IndicatorSource.urgent_visits_in_time: _l("Urgent visits done in time"),
            IndicatorSource.follow_ups: _l("Open hazards followed up in the month"),
            IndicatorSource.rating: _l("Rating by named raters"),
        }[self]

    @property
    def computed(self) -> bool:
        return self is not IndicatorSource.rating


class RaterKind(enum.StrEnum):
    """Who rates: a community officer, or a street leader (an officer over a street)."""

    officer = "officer"
    street_leader = "street_leader"

    @property
    def label(self):
        return {
            RaterKind.officer: _l("Community officer"),
            RaterKind.street_leader: _l("Street leader"),
        }[self]


class AdjustmentKind(enum.StrEnum):
    bonus = "bonus"
    deduction = "deduction"

    @property
    def label(self):
        return {AdjustmentKind.bonus: _l("Bonus"), AdjustmentKind.deduction: _l("Deduction")}[self]


class BasisKind(enum.StrEnum):
    """The record a point adjustment rests on."""

    hazard = "hazard"
    visit = "visit"
    life_event = "life_event"

    @property
    def label(self):
        return {
            BasisKind.hazard: _l("Hazard"),
            BasisKind.visit: _l("Visit"),
            BasisKind.life_event: _l("Life event"),
        }[self]


class IndicatorSet(db.Model):
    """One half-year's indicators (绩效指标), applying from `starts_on` (1 January or 1 July)
    until the next set starts. Past quarters keep the set they were scored with."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(unique=True)
    # Per worker and month: at most this many bonus points, and this many deducted.
    bonus_limit: Mapped[float] = mapped_column(default=5.0)
    deduction_limit: Mapped[float] = mapped_column(default=10.0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="indicator_set",
        lazy="raise",
        order_by="(Indicator.position, Indicator.id)",
        cascade="all, delete-orphan",
    )


class Indicator(db.Model):
    """One line of a set: its kind, where its figure comes from, its weight and full mark.

    The full mark is the figure that earns the whole weight: a rate in per cent for a
    computed figure (95 means 95 % or more earns it all), the top of the scale for a
    rating. `rater_weights` ({"officer": 60, "street_leader": 40}) is for ratings only.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("indicator_set.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[IndicatorKind] = mapped_column(_enum(IndicatorKind))
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[IndicatorSource] = mapped_column(_enum(IndicatorSource))
    weight: Mapped[int]
    full_mark: Mapped[int]
    rater_weights: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)

    indicator_set: Mapped[IndicatorSet] = relationship(back_populates="indicators", lazy="raise")


class Rating(db.Model):
    """One rater's rating of one worker on one rated indicator for one month."""

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    month: Mapped[str] = mapped_column(String(7))  # "2026-10"
    rater_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    rater_kind: Mapped[RaterKind] = mapped_column(_enum(RaterKind))
    value: Mapped[float]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("uq_rating_once", "indicator_id", "worker_id", "month", "rater_id", unique=True),
        Index("ix_rating_worker_month", "worker_id", "month"),
    )


class PointAdjustment(db.Model):
    """A bonus or a deduction for a worker's month, with its reason and, where there is one,
    the record it rests on (a hazard, a visit, a life event)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[AdjustmentKind] = mapped_column(_enum(AdjustmentKind))
    points: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)
    basis_kind: Mapped[BasisKind | None] = mapped_column(_enum(BasisKind))
    basis_id: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_point_adjustment_worker_month", "worker_id", "month"),)


class PerformanceQuarter(db.Model):
    """A quarter's state: open, or closed with its results frozen (PerformanceResult rows)
    and the indicators they were scored with. Only an admin re-opens it, with a reason."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(7), unique=True)  # "2026-Q4"
    closed: Mapped[bool] = mapped_column(default=False)
    set_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_set.id"))
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reopened_at: Mapped[datetime | None]
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")


class PerformanceResult(db.Model):
    """One worker's result in a closed quarter, kept as it was when the quarter closed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter_key: Mapped[str] = mapped_column(String(7))
    worker_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    record: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (
        Index("uq_performance_result", "quarter_key", "worker_id", unique=True),
        Index("ix_performance_result_community", "quarter_key", "community_id"),
    )
