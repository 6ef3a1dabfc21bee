import enum
import uuid
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
    case,
    false,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridcare.accounts.models import User
from gridcare.areas.models import Area
from gridcare.clock import utcnow
from gridcare.dialects import day_after_utc
from gridcare.extensions import db
from gridcare.registry.models import Household, Resident, household_area_path


class VisitKind(enum.StrEnum):
    home_visit = "home_visit"
    safety_check = "safety_check"

    @property
    def label(self):
        return {VisitKind.home_visit: _l("Home visit"), VisitKind.safety_check: _l("Safety check")}[
            self
        ]


class VisitStatus(enum.StrEnum):
    planned = "planned"
    done = "done"
    not_home = "not_home"
    missed = "missed"
    cancelled = "cancelled"

    @property
    def label(self):
        return {
            VisitStatus.planned: _l("Planned"),
            VisitStatus.done: _l("Done"),
            VisitStatus.not_home: _l("Not home"),
            VisitStatus.missed: _l("Missed"),
            VisitStatus.cancelled: _l("Cancelled"),
        }[self]


class VisitMethod(enum.StrEnum):
    in_person = "in_person"
    phone = "phone"
    video = "video"

    @property
    def label(self):
        return {
            VisitMethod.in_person: _l("In person"),
            VisitMethod.phone: _l("By phone"),
            VisitMethod.video: _l("By video call"),
        }[self]

    @property
    def remote(self) -> bool:
        """A contact at a distance: it counts as a visit, but leaves the task open."""
        return self != VisitMethod.in_person


class Outcome(enum.StrEnum):
    well = "well"
    concerns = "concerns"

    @property
    def label(self):
        return {Outcome.well: _l("All well"), Outcome.concerns: _l("Concerns")}[self]


class CheckResult(enum.StrEnum):
    passed = "pass"
    failed = "fail"
    not_applicable = "na"


class LocationVerdict(enum.StrEnum):
    near = "near"
    far = "far"
    unknown = "unknown"

    @property
    def label(self):
        return {
            LocationVerdict.near: _l("At the home"),
            LocationVerdict.far: _l("Away from the home"),
            LocationVerdict.unknown: _l("Location unknown"),
        }[self]


def _enum(kind: type[enum.Enum]) -> db.Enum:
    return db.Enum(kind, native_enum=False, length=16, validate_strings=True)


class CareSchedule(db.Model):
    """How often a household gets one kind of task, and who does it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    kind: Mapped[VisitKind] = mapped_column(_enum(VisitKind))
    interval_days: Mapped[int]
    window_days: Mapped[int]
    # None: the grid's worker, resolved when visits are planned.
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # An officer's adjustment survives re-derivation from the care level.
    adjusted: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    household: Mapped[Household] = relationship(lazy="raise")
    worker: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (
        Index("uq_care_schedule_household_kind", "household_id", "kind", unique=True),
        CheckConstraint("interval_days BETWEEN 1 AND 366", name="interval_range"),
        CheckConstraint("window_days BETWEEN 0 AND 366", name="window_range"),
    )

    @classmethod
    def scope_path(cls):
        return household_area_path(cls.household_id)


class Campaign(db.Model):
    """An officer's one-off round: one visit per matching household, created once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[VisitKind] = mapped_column(_enum(VisitKind))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    care_levels: Mapped[list[int]] = mapped_column(JSON, default=list)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    due_date: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Made by the form when it is shown: a double click starts the campaign once.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)

    area: Mapped[Area] = relationship(lazy="joined")

    @classmethod
    def scope_path(cls):
        return select(Area.path).where(Area.id == cls.area_id).scalar_subquery()


def new_client_uuid() -> str:
    return str(uuid.uuid4())


def canonical_client_uuid(value: str) -> str:
    """The 36-character lower-case form of a UUID sent as `urn:uuid:…`, `{…}` or in capitals,
    so that a resend matches and the column (String(36)) holds it; ValueError otherwise."""
    return str(uuid.UUID(value.strip()))


def days_overdue(due_date: date, today: date) -> int:
    """How many days a task due on `due_date` is overdue on `today` (0 when not yet)."""
    return max((today - due_date).days, 0)


class Visit(db.Model):
    """One task at a household: planned, then done, not home, missed or cancelled.

    Overdue is never stored: it is a planned visit past its due date.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    kind: Mapped[VisitKind] = mapped_column(_enum(VisitKind))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("care_schedule.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    due_date: Mapped[date]
    window_end: Mapped[date]
    status: Mapped[VisitStatus] = mapped_column(_enum(VisitStatus), default=VisitStatus.planned)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    completed_at: Mapped[datetime | None]
    method: Mapped[VisitMethod | None] = mapped_column(_enum(VisitMethod))
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome))
    checklist: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    distance_m: Mapped[float | None]
    location_verdict: Mapped[LocationVerdict | None] = mapped_column(_enum(LocationVerdict))
    # Set on an urgent task (after a life event): the moment it is due by, within hours.
    due_at: Mapped[datetime | None]
    # A visit logged without a task (a phone call, a not-home attempt, an extra visit):
    # history, not a task that fell due.
    extra: Mapped[bool] = mapped_column(default=False)
    # Made by the form when it is shown: a resent form finds the visit it already stored.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    household: Mapped[Household] = relationship(lazy="raise")
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id], lazy="raise")
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id], lazy="raise")
    campaign: Mapped[Campaign | None] = relationship(lazy="raise")

    __table_args__ = (
        # One open schedule-born visit per household and kind: generation is idempotent,
        # even when two processes run it at once.
        Index(
            "uq_visit_open_schedule_task",
            "household_id",
            "kind",
            unique=True,
            sqlite_where=text("status = 'planned' AND schedule_id IS NOT NULL"),
            postgresql_where=text("status = 'planned' AND schedule_id IS NOT NULL"),
        ),
        # A campaign reaches each household once.
        Index("uq_visit_campaign_household", "campaign_id", "household_id", unique=True),
        Index("ix_visit_worker_status_due", "worker_id", "status", "due_date"),
        Index("ix_visit_household_kind_status", "household_id", "kind", "status"),
        Index("ix_visit_status_window_end", "status", "window_end"),
        Index("ix_visit_completed_at", "completed_at"),
        # Work done by each worker since a date: the workload's "done this week" (without it,
        # every visit of the city's week is read from the heap: 440 ms at 120k households).
        Index("ix_visit_completed_by_completed_at", "completed_by_id", "completed_at"),
        CheckConstraint("window_end >= due_date", name="window_after_due"),
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    @classmethod
    def scope_path(cls):
        return household_area_path(cls.household_id)

    def days_overdue(self, today: date) -> int:
        if self.status != VisitStatus.planned:
            return 0
        return days_overdue(self.due_date, today)

    @property
    def urgent(self) -> bool:
        return self.due_at is not None

    @property
    def failed_items(self) -> list[str]:
        return [code for code, result in (self.checklist or {}).items() if result == "fail"]


# What a visit did, one bit each (the coverage report's outcomes). A household reached by
# several visits in a month has the OR of their bits; `reached` is any done home visit,
# whatever its method.
VISITED, PHONE, VIDEO, NOT_HOME, CHECKED = 1, 2, 4, 8, 16


def outcome_bit():
    """The bit of what a visit row did (0: nothing the coverage report counts)."""
    home = Visit.kind == VisitKind.home_visit
    done = Visit.status == VisitStatus.done
    return case(
        (and_(home, Visit.status == VisitStatus.not_home), NOT_HOME),
        (and_(home, done, Visit.method == VisitMethod.in_person), VISITED),
        (and_(home, done, Visit.method == VisitMethod.phone), PHONE),
        (and_(home, done), VIDEO),
        (
            and_(Visit.kind == VisitKind.safety_check, done, Visit.method == VisitMethod.in_person),
            CHECKED,
        ),
        else_=0,
    )


def completed_in(spans) -> ColumnElement[bool]:
    """A done or not-home visit completed within one of the `(start, end)` UTC spans
    (half-open): what the coverage report counts as reaching, or trying to reach, a home."""
    return and_(
        or_(false(), *(and_(Visit.completed_at >= a, Visit.completed_at < b) for a, b in spans)),
        Visit.status.in_((VisitStatus.done, VisitStatus.not_home)),
    )


def window_closed_in(spans) -> ColumnElement[bool]:
    """A done or missed visit whose window closed within one of the `(first day, day
    after the last)` spans: the visits whose timeliness counts."""
    return and_(
        or_(false(), *(and_(Visit.window_end >= a, Visit.window_end < b) for a, b in spans)),
        Visit.status.in_((VisitStatus.done, VisitStatus.missed)),
    )


def timeliness(closed: ColumnElement[bool]) -> dict[str, ColumnElement[bool]]:
    """Of the visits meeting `closed` (`window_closed_in`): done within the window,
    done after it, missed."""
    done = and_(closed, Visit.status == VisitStatus.done)
    in_time = Visit.completed_at < day_after_utc(Visit.window_end)
    return {
        "on_time": and_(done, in_time),
        "late": and_(done, ~in_time),
        "missed": and_(closed, Visit.status == VisitStatus.missed),
    }


class VisitMonth(db.Model):
    """What one household's visits did in a month, up to the day its month is stored
    through (`StoredMonth`), kept so that a report over a quarter or a year reads a row
    per household and month instead of every visit again (only the days after that are
    read from the visits: today's, in the running month).

    `outcomes`: the OR of the bits of its visits completed in those days (local time).
    `on_time`, `late`, `missed`: its visits whose window closed in those days, done
    within the window, done after it, or missed. Rows only grow: a done or missed visit
    stays so, and a record that lands late on a stored day rewrites its household's row
    (`services.months`).
    """

    month: Mapped[date] = mapped_column(primary_key=True)  # its first day
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), primary_key=True)
    outcomes: Mapped[int] = mapped_column(default=0)
    on_time: Mapped[int] = mapped_column(default=0)
    late: Mapped[int] = mapped_column(default=0)
    missed: Mapped[int] = mapped_column(default=0)


class StoredMonth(db.Model):
    """A month whose `VisitMonth` rows are all written from its first day through
    `through`: its last day once it has closed, yesterday while it runs. Readers use the
    rows for those days only, and count any other day from its visits."""

    month: Mapped[date] = mapped_column(primary_key=True)
    through: Mapped[date]
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChecklistItem(db.Model):
    """A row of the safety-check template; a failed item pre-fills a hazard."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    hazard_category: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    # A retired item is asked no more; past checks that answered it still read it.
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Earlier wordings, oldest first, each with the moment it was replaced
    # ({"until", "label_zh", "label_en"}): a past check reads as it was asked.
    label_history: Mapped[list[dict]] = mapped_column(JSON, default=list)

    def label(self, locale: str, asked_at: datetime | None = None) -> str:
        """The label in the reader's language, as worded when a check `asked_at` asked it."""
        zh, en = self.label_zh, self.label_en
        if asked_at is not None:
            for earlier in self.label_history or ():
                if asked_at < datetime.fromisoformat(earlier["until"]):
                    zh, en = earlier["label_zh"], earlier["label_en"]
                    break
        return zh if locale.startswith("zh") else en


class LifeEventKind(enum.StrEnum):
    """A major change in a resident's life (重大变故) that calls for a visit within hours."""

    hospitalised = "hospitalised"
    discharged = "discharged"
    bereaved = "bereaved"
    fell = "fell"
    fire_or_gas = "fire_or_gas"
    lost_contact = "lost_contact"
    extreme_weather = "extreme_weather"

    @property
    def label(self):
        return {
            LifeEventKind.hospitalised: _l("Taken into hospital"),
            LifeEventKind.discharged: _l("Back from hospital"),
            LifeEventKind.bereaved: _l("Bereaved"),
            LifeEventKind.fell: _l("Had a fall"),
            LifeEventKind.fire_or_gas: _l("Fire or gas incident"),
            LifeEventKind.lost_contact: _l("Lost contact"),
            LifeEventKind.extreme_weather: _l("Extreme weather"),
        }[self]


class LifeEvent(db.Model):
    """A resident's major change, recorded by a worker or officer, and the urgent visit it
    called for. `escalated_at` is set once the officers were told it was not done in time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    kind: Mapped[LifeEventKind] = mapped_column(_enum(LifeEventKind))
    occurred_on: Mapped[date]
    notes: Mapped[str] = mapped_column(Text, default="")
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    escalated_at: Mapped[datetime | None]
    # Made by the form when it is shown: a resent form records the event once.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)

    household: Mapped[Household] = relationship(lazy="raise")
    resident: Mapped[Resident] = relationship(lazy="raise")
    visit: Mapped[Visit | None] = relationship(lazy="raise")
    recorded_by: Mapped[User | None] = relationship(lazy="raise")

    @classmethod
    def scope_path(cls):
        return household_area_path(cls.household_id)
