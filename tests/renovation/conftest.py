"""People, homes and cases the renovation tests start from, and a helper that walks a case
to any stage through the services, as the pages would."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from PIL import Image

from gridcare.accounts.services import actor_for
from gridcare.renovation import services
from gridcare.renovation.models import (
    STAGE_ORDER,
    AcceptancePoint,
    RenovationCase,
    Satisfaction,
    Stage,
)
from tests.conftest import TEST_DAY


def jpeg(color=(90, 140, 200)) -> bytes:
    out = BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def people(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]], full_name="李网格")
    officer = make.user("officer", areas=[tree["community1"]], full_name="王干部")
    other_officer = make.user("officer", areas=[tree["community2"]], full_name="赵干部")
    civil = make.user("civil_affairs", areas=[tree["district"]])
    severe = make.household(tree["grid1"], address="明珠路1号")
    make.resident(severe, disability_category=4, disability_grade=1, lives_alone=True)
    grade2 = make.household(tree["grid2"], address="明珠路2号")
    make.resident(grade2, disability_category=1, disability_grade=2)
    mild = make.household(tree["grid1"], address="明珠路3号")
    make.resident(mild, disability_category=4, disability_grade=3)
    elderly = make.household(tree["grid1"], address="明珠路4号")
    make.resident(elderly, birth_date=date(1938, 3, 1), lives_alone=True)
    elsewhere = make.household(tree["grid3"], address="朝阳路9号")
    make.resident(elsewhere, disability_category=4, disability_grade=1)
    return {
        "tree": tree,
        "worker": worker,
        "officer": officer,
        "other_officer": other_officer,
        "civil": civil,
        "severe": severe,
        "grade2": grade2,
        "mild": mild,
        "elderly": elderly,
        "elsewhere": elsewhere,
    }


@pytest.fixture
def programme(people):
    return services.open_programme(
        actor_for(people["officer"]),
        people["tree"]["community1"],
        year=2026,
        name="2026年重度残疾人家庭无障碍改造",
        budget=Decimal("100000"),
    )


def full_acceptance(passed=True):
    return {
        point: services.PointResult(passed, "" if passed else "未完成", [jpeg()])
        for point in AcceptancePoint
    }


def walk(officer_user, case: RenovationCase, to: Stage, *, cost="3000", answer=None):
    """Take `case` through the moves up to stage `to` (not beyond accepted)."""
    officer = actor_for(officer_user)
    if case.stage == to:
        return case
    if to == Stage.declined:
        return services.decline(officer, case, reason="家属不同意")
    steps = [
        (
            Stage.assessed,
            lambda: services.assess(
                officer,
                case,
                needs=["grab_bars", "ramps"],
                measurements={"door_width": 72.0},
                photos=[jpeg()],
            ),
        ),
        (
            Stage.planned,
            lambda: services.plan(
                officer,
                case,
                items=[
                    services.PlannedItem("grab_bars", "卫生间扶手", Decimal(cost)),
                    services.PlannedItem("ramps", "", Decimal("1000")),
                ],
                consent_by="刘明",
                consent_relation="儿子",
                consent_on=TEST_DAY,
                today=TEST_DAY,
            ),
        ),
        (
            Stage.under_construction,
            lambda: services.start_construction(officer, case, contractor="雄关建设"),
        ),
        (
            Stage.accepted,
            lambda: services.accept(
                officer,
                case,
                points=full_acceptance(),
                actual_cost=Decimal(cost),
                answer=services.Answer(answer or Satisfaction.satisfied, "很好", "刘明"),
            ),
        ),
    ]
    for stage, move in steps:
        if STAGE_ORDER.index(case.stage) >= STAGE_ORDER.index(stage):
            continue  # done already
        move()
        if case.stage == to:
            break
    return case
