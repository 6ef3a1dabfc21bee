"""The demo city's renovation programme (一户一策): about 120 homes of severely disabled
residents in every stage, so that the programme page and the report show real figures.

Every case is moved through the same services the pages use, by the community officer of
its home and its grid's worker; only the dates are set back afterwards, so that some steps
are overdue and the history reads like a year's work.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from PIL import Image
from sqlalchemy import select, update

from gridcare.accounts.lookups import grid_worker, officers_over
from gridcare.accounts.models import Role
from gridcare.accounts.services import Actor
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import EVERYWHERE
from gridcare.clock import today as local_today
from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.registry.models import Household, Resident, ResidentStatus
from gridcare.renovation import services
from gridcare.renovation.models import (
    STAGE_ORDER,
    AcceptancePoint,
    CaseStep,
    RenovationCase,
    Satisfaction,
    Stage,
)

TARGET = 120
# Of every 20 homes: how many rest at each stage.
SHARES = {
    Stage.surveyed: 2,
    Stage.assessed: 2,
    Stage.planned: 2,
    Stage.under_construction: 3,
    Stage.accepted: 6,
    Stage.followed_up: 4,
    Stage.declined: 1,
}
CONTRACTORS = ("雄关建设工程有限公司", "安居无障碍装修队", "嘉峪关市康居建筑公司")
COSTS = {
    "grab_bars": 600,
    "ramps": 1800,
    "wider_doors": 1500,
    "bathroom": 3500,
    "kitchen": 2500,
    "lighting": 400,
    "alarms": 800,
    "electrical": 1200,
    "other": 500,
}


@dataclass(frozen=True)
class RenovationDemo:
    households: int
    by_stage: dict[Stage, int]

    @property
    def summary(self) -> str:
        stages = ", ".join(f"{count} {stage.value}" for stage, count in self.by_stage.items())
        return f"Renovation programme: {self.households} households ({stages})."


def _photo(rng: random.Random) -> bytes:
    out = BytesIO()
    colour = tuple(rng.randrange(60, 220) for _ in range(3))
    Image.new("RGB", (160, 120), colour).save(out, "JPEG")
    return out.getvalue()


def _households() -> list[Household]:
    """Homes with a resident of grade 1–2 first, then grade 3, up to TARGET."""
    chosen: list[Household] = []
    for grades in ((1, 2), (3,)):
        stmt = (
            select(Household)
            .where(
                Household.active.is_(True),
                Household.id.in_(
                    select(Resident.household_id).where(
                        Resident.status == ResidentStatus.active,
                        Resident.disability_grade.in_(grades),
                    )
                ),
                Household.id.not_in([h.id for h in chosen]),
            )
            .order_by(Household.id)
            .limit(TARGET - len(chosen))
        )
        chosen += db.session.scalars(stmt)
    return chosen


def _stages(count: int) -> list[Stage]:
    whole = sum(SHARES.values())
    stages = [stage for stage, share in SHARES.items() for _ in range(share * count // whole)]
    stages += [Stage.accepted] * (count - len(stages))
    return stages


def load_renovation_demo(today: date | None = None, seed: int = 2026) -> RenovationDemo:
    """Open the district's programme for this year and take its cases to their stages."""
    today = today or local_today()
    rng = random.Random(seed)
    district = db.session.scalar(select(Area).where(Area.kind == AreaKind.district))
    households = _households()
    if district is None or not households:
        return RenovationDemo(0, {})
    paths = dict(
        db.session.execute(
            select(Household.id, Area.path).join(Area, Area.id == Household.grid_id)
        ).all()
    )
    grids = {h.id: h.grid_id for h in households}
    officer_of = {h.id: (officers_over(paths[h.id]) or [None])[0] for h in households}
    # The federation's programme for the whole district, opened by the first officer.
    opener = Actor(next(o for o in officer_of.values() if o), Role.officer, EVERYWHERE, "demo")
    programme = services.open_programme(
        opener,
        district,
        year=today.year,
        name=f"{today.year}年重度残疾人家庭无障碍改造（一户一策）",
        budget=Decimal(TARGET * 7000),
    )
    services.add_cases(opener, programme, [h.id for h in households])
    cases = {
        c.household_id: c
        for c in db.session.scalars(
            select(RenovationCase).where(RenovationCase.programme_id == programme.id)
        )
    }
    needs = [n.code for n in services.catalogue()]
    stages = _stages(len(households))
    rng.shuffle(stages)
    for household, stage in zip(households, stages, strict=True):
        officer = Actor(officer_of[household.id], Role.officer, EVERYWHERE, "demo")
        worker_user = grid_worker(grids[household.id])
        worker = (
            Actor(worker_user.id, Role.grid_worker, EVERYWHERE, "demo") if worker_user else officer
        )
        _take(cases[household.id], stage, officer, worker, needs, today, rng)
    _follow_up(programme, households, cases, stages, today, rng)
    _set_back_dates(programme.id, today, rng)
    counts = {stage: stages.count(stage) for stage in (*STAGE_ORDER, Stage.declined)}
    return RenovationDemo(len(households), counts)


def _take(case, stage, officer, worker, needs, today, rng) -> None:
    if stage == Stage.declined:
        reason = rng.choice(("家属不同意改造", "住户已搬离", "房屋为租住，房东不同意"))
        services.decline(officer, case, reason=reason)
        return
    target = STAGE_ORDER.index(Stage.accepted if stage == Stage.followed_up else stage)
    if target >= 1:
        chosen = rng.sample(needs[:-1], rng.randint(2, 4))
        services.assess(
            worker,
            case,
            needs=chosen,
            measurements={
                "door_width": float(rng.randrange(60, 90)),
                "threshold_height": float(rng.randrange(0, 12)),
            },
            note="入户评估：需加装扶手，门槛较高。",
            photos=[_photo(rng) for _ in range(2)],
        )
    if target >= 2:
        items = [
            services.PlannedItem(code, "", Decimal(COSTS[code] + rng.randrange(0, 5) * 100))
            for code in case.needs
        ]
        services.plan(
            officer,
            case,
            items=items,
            consent_by=rng.choice(("本人", "刘明", "王芳", "张伟")),
            consent_relation=rng.choice(("本人", "儿子", "女儿", "配偶")),
            consent_on=today - timedelta(days=rng.randrange(30, 120)),
            today=today,
        )
    if target >= 3:
        services.start_construction(officer, case, contractor=rng.choice(CONTRACTORS))
        services.supervise(worker, case, note="施工中，质量良好。", photos=[_photo(rng)])
    if target >= 4:
        spent = sum(item.estimated_cost for item in items) - Decimal(rng.randrange(0, 4) * 100)
        answer = rng.choices(list(Satisfaction), weights=(80, 17, 3))[0]
        services.accept(
            officer,
            case,
            points={
                point: services.PointResult(True, "", [_photo(rng)]) for point in AcceptancePoint
            },
            actual_cost=spent,
            answer=services.Answer(answer, "", case.consent_by),
        )


def _follow_up(programme, households, cases, stages, today, rng) -> None:
    """A follow-up round for the accepted homes; those meant to be followed up answer it,
    the others stay on their workers' lists."""
    accepted = [
        h
        for h, s in zip(households, stages, strict=True)
        if s in (Stage.accepted, Stage.followed_up)
    ]
    if not accepted:
        return
    opener = Actor(programme.created_by_id, Role.officer, EVERYWHERE, "demo")
    services.request_follow_up_round(
        opener, programme, due_date=today + timedelta(days=7), today=today
    )
    rows = {r.household.id: r for r in services.open_follow_ups(EVERYWHERE, today, days_ahead=60)}
    for household, stage in zip(households, stages, strict=True):
        if stage != Stage.followed_up or household.id not in rows:
            continue
        worker_user = grid_worker(household.grid_id)
        worker = Actor(
            worker_user.id if worker_user else opener.user_id, Role.grid_worker, EVERYWHERE, "demo"
        )
        answer = rng.choices(list(Satisfaction), weights=(85, 13, 2))[0]
        services.answer_follow_up(
            worker, rows[household.id].follow_up, household, answer=services.Answer(answer)
        )


def _set_back_dates(programme_id: int, today: date, rng: random.Random) -> None:
    """Spread the history over the past months: each case's steps a few weeks apart, and its
    current stage reached that long ago (some are overdue)."""
    now = utcnow()
    case_ids = db.session.scalars(
        select(RenovationCase.id).where(RenovationCase.programme_id == programme_id)
    ).all()
    for case_id in case_ids:
        steps = db.session.scalars(
            select(CaseStep.id).where(CaseStep.case_id == case_id).order_by(CaseStep.id.desc())
        ).all()
        at = now - timedelta(days=rng.randrange(0, 50))
        last = at
        for step_id in steps:
            db.session.execute(update(CaseStep).where(CaseStep.id == step_id).values(at=at))
            at -= timedelta(days=rng.randrange(7, 30))
        db.session.execute(
            update(RenovationCase).where(RenovationCase.id == case_id).values(stage_since=last)
        )
    db.session.commit()
