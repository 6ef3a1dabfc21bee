import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridcare.accounts.models import User
from gridcare.areas.models import Area
from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.registry.models import Household, household_area_path


class HazardCategory(enum.StrEnum):
    fire = "fire"
    electrical = "electrical"
    gas = "gas"
    structural = "structural"
    fall = "fall"
    health = "health"
    other = "other"

    @property
    def label(self):
        return {
            HazardCategory.fire: _l("Fire"),
            HazardCategory.electrical: _l("Electrical"),
            HazardCategory.gas: _l("Gas"),
            HazardCategory.structural: _l("Structural"),
            HazardCategory.fall: _l("Fall risk"),
            HazardCategory.health: _l("Health"),
            HazardCategory.other: _l("Other"),
        }[self]


class Severity(enum.StrEnum):
    minor = "minor"  # 一般隐患
    major = "major"  # 重大隐患

    @property
    def label(self):
        return {Severity.minor: _l("Minor"), Severity.major: _l("Major")}[self]


class HazardStatus(enum.StrEnum):
    open = "open"
    rectifying = "rectifying"
    awaiting_review = "awaiting_review"
    closed = "closed"

    @property
    def label(self):
        return {
            HazardStatus.open: _l("Open"),
            HazardStatus.rectifying: _l("Being fixed"),
            HazardStatus.awaiting_review: _l("Awaiting review"),
            HazardStatus.closed: _l("Closed"),
        }[self]


class PhotoStage(enum.StrEnum):
    before = "before"
    after = "after"
    progress = "progress"


def _enum(kind: type[enum.Enum]) -> db.Enum:
    return db.Enum(kind, native_enum=False, length=20, validate_strings=True)


class Hazard(db.Model):
    """A danger found in a home, followed until an officer has seen it fixed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    checklist_code: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[HazardCategory] = mapped_column(_enum(HazardCategory))
    severity: Mapped[Severity] = mapped_column(_enum(Severity), index=True)
    description: Mapped[str] = mapped_column(Text)
    fixed_on_spot: Mapped[bool] = mapped_column(default=False)
    # Fix-by date (限期整改); None when fixed on the spot (即查即改).
    deadline: Mapped[date | None]
    status: Mapped[HazardStatus] = mapped_column(_enum(HazardStatus), default=HazardStatus.open)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    # Made by the form when it is shown: a resent form finds the hazard it already stored.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)
    # How many deadline escalations have been sent: each is sent once.
    escalations: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    household: Mapped[Household] = relationship(lazy="raise")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="raise")
    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id], lazy="raise")
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        back_populates="hazard", lazy="raise", order_by="FollowUp.id"
    )
    photos: Mapped[list["Photo"]] = relationship(
        back_populates="hazard", lazy="raise", order_by="Photo.id"
    )

    __table_args__ = (
        Index("ix_hazard_status_deadline", "status", "deadline"),
        Index("ix_hazard_reported_at", "reported_at"),
        # Reports: hazards closed in a period.
        Index("ix_hazard_closed_at", "closed_at"),
    )

    @classmethod
    def scope_path(cls):
        return household_area_path(cls.household_id)

    def days_past_deadline(self, today: date) -> int:
        if self.status == HazardStatus.closed or self.deadline is None:
            return 0
        return max((today - self.deadline).days, 0)


class FollowUp(db.Model):
    """One change to a hazard: who, when, what, with an optional note and photo."""

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[HazardStatus | None] = mapped_column(_enum(HazardStatus))
    to_status: Mapped[HazardStatus] = mapped_column(_enum(HazardStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id"))
    # Made by the phone's form: a fix or note sent again by the outbox is stored once.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)

    hazard: Mapped[Hazard] = relationship(back_populates="follow_ups", lazy="raise")
    user: Mapped[User | None] = relationship(lazy="raise")
    photo: Mapped["Photo | None"] = relationship(foreign_keys=[photo_id], lazy="raise")


class Photo(db.Model):
    """A checked, EXIF-free, downscaled JPEG under the instance folder, served in scope only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id"), index=True)
    stage: Mapped[PhotoStage] = mapped_column(_enum(PhotoStage))
    filename: Mapped[str] = mapped_column(String(80), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    hazard: Mapped[Hazard] = relationship(back_populates="photos", lazy="raise")

    @classmethod
    def scope_path(cls):
        return (
            select(Area.path)
            .join(Household, Household.grid_id == Area.id)
            .join(Hazard, Hazard.household_id == Household.id)
            .where(Hazard.id == cls.hazard_id)
            .scalar_subquery()
        )
