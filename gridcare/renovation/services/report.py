"""The renovation report for an area (and everything under it), a year and optionally one
programme: households by stage, completion and satisfaction rates, money planned and spent.

- completion rate = accepted (or followed up) cases ÷ planned cases, a planned case being
  one whose plan was agreed and not given up (planned … followed up);
- satisfaction rate = (satisfied + basically satisfied) ÷ answered, counting each case's
  latest answer once, so a home asked again on a follow-up round counts by what it says now.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from gridcare.areas.models import Area
from gridcare.areas.scope import under
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.renovation.models import (
    ACCEPTED_STAGES,
    PLANNED_STAGES,
    STAGE_ORDER,
    PlanItem,
    RenovationCase,
    RenovationProgramme,
    Satisfaction,
    SatisfactionAnswer,
    Stage,
)


@dataclass(frozen=True)
class RenovationReport:
    area: Area
    year: int
    programme: RenovationProgramme | None
    by_stage: dict[Stage, int]
    budget: Decimal
    cost_planned: Decimal
    cost_spent: Decimal
    answers: dict[Satisfaction, int]

    @property
    def households(self) -> int:
        return sum(self.by_stage.values())

    @property
    def planned(self) -> int:
        return sum(self.by_stage[s] for s in PLANNED_STAGES)

    @property
    def accepted(self) -> int:
        return sum(self.by_stage[s] for s in ACCEPTED_STAGES)

    @property
    def answered(self) -> int:
        return sum(self.answers.values())

    @property
    def satisfied(self) -> int:
        return self.answers[Satisfaction.satisfied] + self.answers[Satisfaction.basically_satisfied]

    @property
    def completion_rate(self) -> float | None:
        return self.accepted / self.planned if self.planned else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.answered if self.answered else None


def renovation_report(
    area: Area, year: int, programme: RenovationProgramme | None = None
) -> RenovationReport:
    """The figures for cases of `year`'s programmes (or `programme`) in homes under `area`."""
    cases = (
        select(RenovationCase.id)
        .join(RenovationProgramme, RenovationProgramme.id == RenovationCase.programme_id)
        .join(Household, Household.id == RenovationCase.household_id)
        .join(Area, Area.id == Household.grid_id)
        .where(RenovationProgramme.year == year, under(Area.path, area.path))
    )
    programmes = select(RenovationProgramme.budget).join(
        Area, Area.id == RenovationProgramme.area_id
    )
    if programme is not None:
        cases = cases.where(RenovationCase.programme_id == programme.id)
        programmes = programmes.where(RenovationProgramme.id == programme.id)
    else:
        programmes = programmes.where(RenovationProgramme.year == year, under(Area.path, area.path))
    case_ids = cases.scalar_subquery()
    stage_rows = db.session.execute(
        select(RenovationCase.stage, func.count())
        .where(RenovationCase.id.in_(case_ids))
        .group_by(RenovationCase.stage)
    ).all()
    by_stage = dict.fromkeys((*STAGE_ORDER, Stage.declined), 0)
    by_stage.update(dict(stage_rows))
    planned_cost = db.session.scalar(
        select(func.coalesce(func.sum(PlanItem.estimated_cost), 0))
        .join(RenovationCase, RenovationCase.id == PlanItem.case_id)
        .where(RenovationCase.id.in_(case_ids), RenovationCase.stage.in_(PLANNED_STAGES))
    )
    spent = db.session.scalar(
        select(func.coalesce(func.sum(RenovationCase.actual_cost), 0)).where(
            RenovationCase.id.in_(case_ids), RenovationCase.stage.in_(ACCEPTED_STAGES)
        )
    )
    latest = (
        select(func.max(SatisfactionAnswer.id))
        .where(SatisfactionAnswer.case_id.in_(case_ids))
        .group_by(SatisfactionAnswer.case_id)
    )
    answer_rows = db.session.execute(
        select(SatisfactionAnswer.answer, func.count())
        .where(SatisfactionAnswer.id.in_(latest))
        .group_by(SatisfactionAnswer.answer)
    ).all()
    answers = dict.fromkeys(Satisfaction, 0)
    answers.update(dict(answer_rows))
    budget = db.session.scalar(select(func.coalesce(func.sum(programmes.subquery().c.budget), 0)))
    return RenovationReport(
        area=area,
        year=year,
        programme=programme,
        by_stage=by_stage,
        budget=Decimal(budget),
        cost_planned=Decimal(planned_cost),
        cost_spent=Decimal(spent),
        answers=answers,
    )
