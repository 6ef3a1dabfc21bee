"""What the renovation pages show: a case with its history, a household's cases, a
programme's stages, overdue steps and spending, and the follow-up visits still to make."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from gridcare.areas.models import Area
from gridcare.areas.scope import Scope
from gridcare.clock import utc_to_local_date
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.renovation.models import (
    ACCEPTED_STAGES,
    PLANNED_STAGES,
    STAGE_ORDER,
    CaseFollowUp,
    CaseStep,
    PlanItem,
    RenovationCase,
    RenovationProgramme,
    Stage,
)
from gridcare.visits.models import Visit

# How long a case may stay at a stage before the programme page calls its next step overdue.
STAGE_DAYS = {
    Stage.surveyed: 30,
    Stage.assessed: 30,
    Stage.planned: 30,
    Stage.under_construction: 90,
}

CASE_RECORD = (
    joinedload(RenovationCase.household).joinedload(Household.grid),
    joinedload(RenovationCase.programme).joinedload(RenovationProgramme.area),
    selectinload(RenovationCase.items).joinedload(PlanItem.need),
    selectinload(RenovationCase.steps).joinedload(CaseStep.user),
    selectinload(RenovationCase.steps).selectinload(CaseStep.photos),
    selectinload(RenovationCase.checks),
    selectinload(RenovationCase.answers),
    selectinload(RenovationCase.photos),
)


def case_detail(case_id: int, scope: Scope) -> RenovationCase | None:
    """A case with everything its page shows, or None outside `scope`."""
    return db.session.scalar(
        select(RenovationCase)
        .where(RenovationCase.id == case_id, scope.filter(RenovationCase.scope_path()))
        .options(*CASE_RECORD)
    )


def household_cases(household_id: int, scope: Scope) -> list[RenovationCase]:
    """A household's renovation cases, newest programme first, with their history."""
    return list(
        db.session.scalars(
            select(RenovationCase)
            .where(
                RenovationCase.household_id == household_id,
                scope.filter(RenovationCase.scope_path()),
            )
            .order_by(RenovationCase.id.desc())
            .options(*CASE_RECORD)
        )
    )


def overdue_days(case: RenovationCase, today: date) -> int:
    """Days past the time allowed at the case's stage; 0 when in time or at rest."""
    allowed = STAGE_DAYS.get(case.stage)
    if allowed is None:
        return 0
    return max((today - utc_to_local_date(case.stage_since)).days - allowed, 0)


@dataclass
class ProgrammeOverview:
    programme: RenovationProgramme
    cases_by_stage: dict[Stage, list[RenovationCase]]
    overdue: list[tuple[RenovationCase, int]]
    follow_ups_open: int
    follow_ups_overdue: int
    cost_planned: Decimal
    cost_spent: Decimal
    counts: Counter = field(default_factory=Counter)

    @property
    def budget_left(self) -> Decimal:
        return self.programme.budget - self.cost_spent


def programme_overview(
    programme: RenovationProgramme, scope: Scope, today: date
) -> ProgrammeOverview:
    """The programme's cases by stage, those overdue (longest first), open follow-ups and
    the money: estimated for live plans, spent on accepted homes."""
    cases = list(
        db.session.scalars(
            select(RenovationCase)
            .join(Household, Household.id == RenovationCase.household_id)
            .join(Area, Area.id == Household.grid_id)
            .where(RenovationCase.programme_id == programme.id, scope.filter(Area.path))
            .order_by(Household.address, Household.building, Household.unit, Household.room)
            .options(
                joinedload(RenovationCase.household).joinedload(Household.grid),
                selectinload(RenovationCase.items),
            )
        )
    )
    by_stage = {stage: [] for stage in (*STAGE_ORDER, Stage.declined)}
    for case in cases:
        by_stage[case.stage].append(case)
    overdue = sorted(
        ((c, overdue_days(c, today)) for c in cases if overdue_days(c, today)),
        key=lambda pair: -pair[1],
    )
    case_ids = [c.id for c in cases]
    open_follow_ups = db.session.execute(
        select(CaseFollowUp.due_date, Visit.due_date)
        .outerjoin(Visit, Visit.id == CaseFollowUp.visit_id)
        .where(CaseFollowUp.case_id.in_(case_ids), CaseFollowUp.answered_at.is_(None))
    ).all()
    return ProgrammeOverview(
        programme=programme,
        cases_by_stage=by_stage,
        overdue=overdue,
        follow_ups_open=len(open_follow_ups),
        follow_ups_overdue=sum(1 for own, task in open_follow_ups if (task or own) < today),
        cost_planned=sum(
            (c.estimated_cost for c in cases if c.stage in PLANNED_STAGES), Decimal("0")
        ),
        cost_spent=sum(
            (c.actual_cost or Decimal("0") for c in cases if c.stage in ACCEPTED_STAGES),
            Decimal("0"),
        ),
        counts=Counter({stage: len(rows) for stage, rows in by_stage.items()}),
    )


@dataclass(frozen=True)
class FollowUpRow:
    follow_up: CaseFollowUp
    household: Household
    due_date: date
    days_overdue: int


def open_follow_ups(scope: Scope, today: date, days_ahead: int = 30) -> list[FollowUpRow]:
    """Follow-up visits to accepted homes not answered yet, in `scope`, soonest first."""
    rows = db.session.execute(
        select(CaseFollowUp, Household, func.coalesce(Visit.due_date, CaseFollowUp.due_date))
        .join(RenovationCase, RenovationCase.id == CaseFollowUp.case_id)
        .join(Household, Household.id == RenovationCase.household_id)
        .join(Area, Area.id == Household.grid_id)
        .outerjoin(Visit, Visit.id == CaseFollowUp.visit_id)
        .where(
            CaseFollowUp.answered_at.is_(None),
            scope.filter(Area.path),
            func.coalesce(Visit.due_date, CaseFollowUp.due_date)
            <= today + timedelta(days=days_ahead),
        )
        .order_by(func.coalesce(Visit.due_date, CaseFollowUp.due_date), Household.address)
        .options(joinedload(CaseFollowUp.case))
    ).all()
    return [
        FollowUpRow(follow_up, household, due, max((today - due).days, 0))
        for follow_up, household, due in rows
    ]


def follow_up_in_scope(follow_up_id: int, scope: Scope) -> CaseFollowUp | None:
    return db.session.scalar(
        select(CaseFollowUp)
        .where(CaseFollowUp.id == follow_up_id, scope.filter(CaseFollowUp.scope_path()))
        .options(
            joinedload(CaseFollowUp.case)
            .joinedload(RenovationCase.household)
            .joinedload(Household.grid)
        )
    )
