import enum
import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridcare.areas.models import Area
from gridcare.clock import utcnow
from gridcare.extensions import db


class Gender(enum.StrEnum):
    male = "male"
    female = "female"

    @property
    def label(self):
        return {Gender.male: _l("Male"), Gender.female: _l("Female")}[self]


class ResidentStatus(enum.StrEnum):
    active = "active"
    moved_out = "moved_out"
    deceased = "deceased"

    @property
    def label(self):
        return {
            ResidentStatus.active: _l("Living here"),
            ResidentStatus.moved_out: _l("Moved out"),
            ResidentStatus.deceased: _l("Deceased"),
        }[self]


class DisabilityCategory(enum.IntEnum):
    """GB/T 26341 disability categories; the number is what is stored and printed."""

    vision = 1
    hearing = 2
    speech = 3
    physical = 4
    intellectual = 5
    mental = 6
    multiple = 7

    @property
    def label(self):
        return {
            DisabilityCategory.vision: _l("Vision"),
            DisabilityCategory.hearing: _l("Hearing"),
            DisabilityCategory.speech: _l("Speech"),
            DisabilityCategory.physical: _l("Physical"),
            DisabilityCategory.intellectual: _l("Intellectual"),
            DisabilityCategory.mental: _l("Mental"),
            DisabilityCategory.multiple: _l("Multiple"),
        }[self]


class CareLevel(enum.IntEnum):
    """How closely a household is cared for; the number is what is stored and printed."""

    weekly = 1
    monthly = 2
    quarterly = 3

    @property
    def label(self):
        return {
            CareLevel.weekly: _l("Level 1 · weekly"),
            CareLevel.monthly: _l("Level 2 · monthly"),
            CareLevel.quarterly: _l("Level 3 · quarterly"),
        }[self]


DISABILITY_CATEGORIES = {category.value: category.name for category in DisabilityCategory}
DISABILITY_GRADES = (1, 2, 3, 4)
CARE_LEVELS = tuple(level.value for level in CareLevel)


def new_door_token() -> str:
    return secrets.token_urlsafe(12)


def _enum(kind: type[enum.Enum]) -> db.Enum:
    return db.Enum(kind, native_enum=False, length=16, validate_strings=True)


class Household(db.Model):
    """A home in a grid; its care level is derived from its residents unless overridden."""

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    building: Mapped[str] = mapped_column(String(20), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    room: Mapped[str] = mapped_column(String(20), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    # Effective level (override, else derived); None means no target resident.
    care_level: Mapped[int | None] = mapped_column(index=True)
    care_level_override: Mapped[int | None]
    care_level_override_reason: Mapped[str] = mapped_column(Text, default="")
    door_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_door_token)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # raise_on_sql: scope checks read it on households whose grid is already loaded.
    grid: Mapped[Area] = relationship(lazy="raise_on_sql", innerjoin=True)
    residents: Mapped[list["Resident"]] = relationship(
        back_populates="household", lazy="raise", order_by="Resident.id"
    )

    __table_args__ = (
        CheckConstraint("care_level BETWEEN 1 AND 3", name="care_level_range"),
        CheckConstraint("care_level_override BETWEEN 1 AND 3", name="care_level_override_range"),
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    def __repr__(self) -> str:
        return f"<Household {self.id} {self.full_address}>"

    @classmethod
    def scope_path(cls):
        return select(Area.path).where(Area.id == cls.grid_id).scalar_subquery()

    @property
    def full_address(self) -> str:
        door = "-".join(part for part in (self.building, self.unit, self.room) if part)
        return f"{self.address} {door}".strip()

    @property
    def active_residents(self) -> list["Resident"]:
        return [r for r in self.residents if r.status == ResidentStatus.active]


def household_area_path(household_id):
    """The area path of the household a row belongs to, as a SQL expression: what scopes
    every record that hangs off a household (residents, visits, schedules, hazards)."""
    return (
        select(Area.path)
        .join(Household, Household.grid_id == Area.id)
        .where(Household.id == household_id)
        .scalar_subquery()
    )


class Resident(db.Model):
    """A person in a household. The ID number is stored only encrypted and as a keyed hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    gender: Mapped[Gender] = mapped_column(_enum(Gender))
    birth_date: Mapped[date]
    id_number_encrypted: Mapped[str] = mapped_column(Text)
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)
    lives_alone: Mapped[bool] = mapped_column(default=False)
    empty_nest: Mapped[bool] = mapped_column(default=False)
    disability_category: Mapped[int | None]
    disability_grade: Mapped[int | None]
    # Holds the ID number in its first 18 digits, so it is encrypted too.
    disability_certificate_encrypted: Mapped[str | None] = mapped_column(Text)
    health_notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ResidentStatus] = mapped_column(
        _enum(ResidentStatus), default=ResidentStatus.active, index=True
    )
    status_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # raise_on_sql: as Household.grid, read where the household is already loaded.
    household: Mapped[Household] = relationship(back_populates="residents", lazy="raise_on_sql")
    contacts: Mapped[list["EmergencyContact"]] = relationship(
        back_populates="resident",
        lazy="raise",
        order_by="EmergencyContact.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint("disability_category BETWEEN 1 AND 7", name="disability_category_range"),
        CheckConstraint("disability_grade BETWEEN 1 AND 4", name="disability_grade_range"),
        Index("ix_resident_flags", "lives_alone", "empty_nest"),
    )

    def __repr__(self) -> str:
        return f"<Resident {self.id} {self.name}>"

    @classmethod
    def scope_path(cls):
        return household_area_path(cls.household_id)

    @property
    def is_disabled(self) -> bool:
        return self.disability_category is not None

    @property
    def disability(self) -> DisabilityCategory | None:
        if self.disability_category is None:
            return None
        return DisabilityCategory(self.disability_category)


class EmergencyContact(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str] = mapped_column(String(30), default="")
    phone: Mapped[str] = mapped_column(String(20))

    resident: Mapped[Resident] = relationship(back_populates="contacts", lazy="raise")


class CareRuleSet(db.Model):
    """One version of the care-level rules an admin saved, in force from `effective_from`
    until the next version's date. Versions are never changed once saved, so a past
    period is always read with the rules that were in force then."""

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(index=True)
    elderly_age: Mapped[int]
    very_old_age: Mapped[int]
    # Disability grades that put someone living alone at level 1 (1 most severe … 4).
    severe_grades: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Whether empty-nest residents (not only those living alone) are a key group (level 2).
    empty_nest_is_key: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    levels: Mapped[list["CareLevelRule"]] = relationship(
        back_populates="rule_set", lazy="raise", order_by="CareLevelRule.level"
    )

    __table_args__ = (
        CheckConstraint("elderly_age BETWEEN 40 AND 120", name="elderly_age_range"),
        CheckConstraint("very_old_age BETWEEN elderly_age AND 120", name="very_old_age_range"),
    )


class CareLevelRule(db.Model):
    """How often one care level is visited and checked under a rule set, and how many days
    after the due date each task may still be done."""

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("care_rule_set.id"))
    level: Mapped[int]
    home_visit_interval_days: Mapped[int]
    home_visit_window_days: Mapped[int]
    safety_check_interval_days: Mapped[int]
    safety_check_window_days: Mapped[int]

    rule_set: Mapped[CareRuleSet] = relationship(back_populates="levels", lazy="raise")

    __table_args__ = (
        Index("uq_care_level_rule_set_level", "rule_set_id", "level", unique=True),
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        CheckConstraint(
            "home_visit_interval_days BETWEEN 1 AND 366", name="home_visit_interval_range"
        ),
        CheckConstraint(
            "home_visit_window_days >= 0 AND home_visit_window_days < home_visit_interval_days",
            name="home_visit_window_range",
        ),
        CheckConstraint(
            "safety_check_interval_days BETWEEN 1 AND 366", name="safety_check_interval_range"
        ),
        CheckConstraint(
            "safety_check_window_days >= 0 "
            "AND safety_check_window_days < safety_check_interval_days",
            name="safety_check_window_range",
        ),
    )
