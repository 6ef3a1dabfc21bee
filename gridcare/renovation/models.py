"""One plan per household (一户一策): a renovation programme, its cases and their history."""

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridcare.accounts.models import User
from gridcare.areas.models import Area
from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.registry.models import Household, household_area_path


class Stage(enum.StrEnum):
    surveyed = "surveyed"
    assessed = "assessed"
    planned = "planned"
    under_construction = "under_construction"
    accepted = "accepted"
    followed_up = "followed_up"
    declined = "declined"

    @property
    def label(self):
        return {
            Stage.surveyed: _l("Surveyed"),
            Stage.assessed: _l("Assessed"),
            Stage.planned: _l("Planned"),
            Stage.under_construction: _l("Under construction"),
            Stage.accepted: _l("Accepted"),
            Stage.followed_up: _l("Followed up"),
            Stage.declined: _l("Declined"),
        }[self]


# The stages in the order a case goes through them (declined stands apart).
STAGE_ORDER = (
    Stage.surveyed,
    Stage.assessed,
    Stage.planned,
    Stage.under_construction,
    Stage.accepted,
    Stage.followed_up,
)
# A case with a plan that was not given up: the denominator of the completion rate.
PLANNED_STAGES = (Stage.planned, Stage.under_construction, Stage.accepted, Stage.followed_up)
ACCEPTED_STAGES = (Stage.accepted, Stage.followed_up)


class AcceptancePoint(enum.StrEnum):
    """The four points a home is accepted on (验收)."""

    person = "person"
    items = "items"
    money = "money"
    supervision = "supervision"

    @property
    def label(self):
        return {
            AcceptancePoint.person: _l("The right person was served"),
            AcceptancePoint.items: _l("The planned items were built"),
            AcceptancePoint.money: _l("The money was spent as planned"),
            AcceptancePoint.supervision: _l("The work was supervised"),
        }[self]


class Satisfaction(enum.StrEnum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    not_satisfied = "not_satisfied"

    @property
    def label(self):
        return {
            Satisfaction.satisfied: _l("Satisfied"),
            Satisfaction.basically_satisfied: _l("Basically satisfied"),
            Satisfaction.not_satisfied: _l("Not satisfied"),
        }[self]


class Occasion(enum.StrEnum):
    acceptance = "acceptance"
    follow_up = "follow_up"

    @property
    def label(self):
        return {Occasion.acceptance: _l("At acceptance"), Occasion.follow_up: _l("Follow-up")}[self]


class PhotoPurpose(enum.StrEnum):
    assessment = "assessment"
    supervision = "supervision"
    acceptance = "acceptance"


def _enum(kind: type[enum.Enum]) -> db.Enum:
    return db.Enum(kind, native_enum=False, length=20, validate_strings=True)


MONEY = Numeric(12, 2)


class RenovationNeed(db.Model):
    """A row of the needs catalogue (grab bars, ramps, …); admins edit it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def label(self, locale: str) -> str:
        return self.label_zh if locale.startswith("zh") else self.label_en


class RenovationProgramme(db.Model):
    """An officer's programme for an area and a year, with its budget."""

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(100))
    budget: Mapped[Decimal] = mapped_column(MONEY)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Made by the form when it is shown: a double click opens the programme once.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)

    area: Mapped[Area] = relationship(lazy="raise")

    __table_args__ = (CheckConstraint("budget >= 0", name="budget_not_negative"),)

    @classmethod
    def scope_path(cls):
        return select(Area.path).where(Area.id == cls.area_id).scalar_subquery()


class RenovationCase(db.Model):
    """One household's plan within a programme, from survey to follow-up."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("renovation_programme.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    stage: Mapped[Stage] = mapped_column(_enum(Stage), default=Stage.surveyed)
    # When the case reached its stage: what "overdue" is measured from.
    stage_since: Mapped[datetime] = mapped_column(default=utcnow)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Centimetres, by name (door_width, threshold_height, corridor_width).
    measurements: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    assessment_note: Mapped[str] = mapped_column(Text, default="")
    consent_by: Mapped[str] = mapped_column(String(50), default="")
    consent_relation: Mapped[str] = mapped_column(String(30), default="")
    consent_on: Mapped[date | None]
    contractor: Mapped[str] = mapped_column(String(100), default="")
    actual_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    programme: Mapped[RenovationProgramme] = relationship(lazy="raise")
    household: Mapped[Household] = relationship(lazy="raise")
    items: Mapped[list["PlanItem"]] = relationship(
        back_populates="case", lazy="raise", order_by="PlanItem.id"
    )
    steps: Mapped[list["CaseStep"]] = relationship(
        back_populates="case", lazy="raise", order_by="CaseStep.id"
    )
    photos: Mapped[list["CasePhoto"]] = relationship(
        back_populates="case", lazy="raise", order_by="CasePhoto.id"
    )
    checks: Mapped[list["AcceptanceCheck"]] = relationship(
        lazy="raise", order_by="AcceptanceCheck.id"
    )
    answers: Mapped[list["SatisfactionAnswer"]] = relationship(
        lazy="raise", order_by="SatisfactionAnswer.id"
    )

    __table_args__ = (
        Index(
            "uq_renovation_case_programme_household", "programme_id", "household_id", unique=True
        ),
        Index("ix_renovation_case_programme_stage", "programme_id", "stage"),
        CheckConstraint("actual_cost >= 0", name="actual_cost_not_negative"),
    )

    @classmethod
    def scope_path(cls):
        return household_area_path(cls.household_id)

    @property
    def estimated_cost(self) -> Decimal:
        return sum((item.estimated_cost for item in self.items), Decimal("0"))


class PlanItem(db.Model):
    """One item of a household's plan, from the catalogue, with its estimated cost."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("renovation_case.id"), index=True)
    need_code: Mapped[str] = mapped_column(ForeignKey("renovation_need.code"))
    description: Mapped[str] = mapped_column(Text, default="")
    estimated_cost: Mapped[Decimal] = mapped_column(MONEY)

    case: Mapped[RenovationCase] = relationship(back_populates="items", lazy="raise")
    need: Mapped[RenovationNeed] = relationship(lazy="raise")

    __table_args__ = (CheckConstraint("estimated_cost >= 0", name="estimated_cost_not_negative"),)


STEP_LABELS = {
    "survey": _l("Surveyed and taken into the programme"),
    "assess": _l("Home assessed"),
    "plan": _l("Plan agreed"),
    "start_construction": _l("Construction started"),
    "supervise": _l("Supervision visit"),
    "accept": _l("Accepted"),
    "acceptance_failed": _l("Acceptance failed, work to be redone"),
    "follow_up": _l("Follow-up visit"),
    "decline": _l("Declined"),
}


class CaseStep(db.Model):
    """One move or record on a case: who, when, what, from which stage to which."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("renovation_case.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_stage: Mapped[Stage | None] = mapped_column(_enum(Stage))
    to_stage: Mapped[Stage] = mapped_column(_enum(Stage))
    note: Mapped[str] = mapped_column(Text, default="")
    # Made by the form when it is shown: a resent form finds the step it already stored.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)

    case: Mapped[RenovationCase] = relationship(back_populates="steps", lazy="raise")
    user: Mapped[User | None] = relationship(lazy="raise")
    photos: Mapped[list["CasePhoto"]] = relationship(lazy="raise", order_by="CasePhoto.id")

    @property
    def label(self):
        return STEP_LABELS.get(self.action, self.action)


class CasePhoto(db.Model):
    """A photo of a case (assessment, supervision, acceptance point), stored like hazards'."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("renovation_case.id"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("case_step.id"), index=True)
    purpose: Mapped[PhotoPurpose] = mapped_column(_enum(PhotoPurpose))
    point: Mapped[AcceptancePoint | None] = mapped_column(_enum(AcceptancePoint))
    filename: Mapped[str] = mapped_column(String(80), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[RenovationCase] = relationship(back_populates="photos", lazy="raise")

    @classmethod
    def scope_path(cls):
        return (
            select(Area.path)
            .join(Household, Household.grid_id == Area.id)
            .join(RenovationCase, RenovationCase.household_id == Household.id)
            .where(RenovationCase.id == cls.case_id)
            .scalar_subquery()
        )


class AcceptanceCheck(db.Model):
    """One of the four points of an acceptance, passed or failed, with a note."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("renovation_case.id"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("case_step.id"))
    point: Mapped[AcceptancePoint] = mapped_column(_enum(AcceptancePoint))
    passed: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="")


class FollowUpRound(db.Model):
    """An officer's request for follow-up visits to a programme's accepted homes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("renovation_programme.id"), index=True)
    due_date: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)


class CaseFollowUp(db.Model):
    """A follow-up visit to one accepted home: the home visit task the worker's list carries,
    and the satisfaction answer once it is given."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("follow_up_round.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("renovation_case.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    due_date: Mapped[date]
    answered_at: Mapped[datetime | None]

    round: Mapped[FollowUpRound] = relationship(lazy="raise")
    case: Mapped[RenovationCase] = relationship(lazy="raise")

    __table_args__ = (Index("uq_case_follow_up_round_case", "round_id", "case_id", unique=True),)

    @classmethod
    def scope_path(cls):
        return (
            select(Area.path)
            .join(Household, Household.grid_id == Area.id)
            .join(RenovationCase, RenovationCase.household_id == Household.id)
            .where(RenovationCase.id == cls.case_id)
            .scalar_subquery()
        )


class SatisfactionAnswer(db.Model):
    """The resident's or family's answer: at acceptance or on a follow-up visit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("renovation_case.id"), index=True)
    occasion: Mapped[Occasion] = mapped_column(_enum(Occasion))
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("case_follow_up.id"))
    answer: Mapped[Satisfaction] = mapped_column(_enum(Satisfaction))
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(50), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)
