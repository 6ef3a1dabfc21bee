"""Weeks of made-up visits for the demo city, so every page has something to show.

Replays the real services day by day: the nightly sweep and plan, then each worker doing
most of what is due, sometimes finding nobody home, sometimes letting a task slip.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from gridcare.accounts.models import User
from gridcare.accounts.services import actor_for
from gridcare.clock import local_zone, today
from gridcare.extensions import db
from gridcare.registry.models import Household
from gridcare.visits import services
from gridcare.visits.models import Outcome, Visit, VisitKind, VisitMethod, VisitStatus

NOTES = ["", "", "", "身体状况良好", "血压偏高，已提醒按时服药", "子女本周来探望过", "需要助餐服务"]


@dataclass
class History:
    done: int = 0
    not_home: int = 0
    missed: int = 0
    planned: int = 0


def simulate_history(days: int, seed: int = 2026) -> History:
    """Replay `days` days up to yesterday, then plan today; returns what happened."""
    rng = random.Random(seed)
    items = services.checklist_items()
    # Built once: an Actor reads the user's areas, and this loop logs thousands of visits.
    actors = {u.id: actor_for(u) for u in db.session.scalars(select(User))}
    start = today() - timedelta(days=days)
    for offset in range(days):
        day = start + timedelta(days=offset)
        services.close_missed(day)
        services.generate_visits(day)
        due = db.session.execute(
            select(Visit.id, Visit.household_id, Visit.kind, Visit.worker_id).where(
                Visit.status == VisitStatus.planned, Visit.due_date <= day
            )
        ).all()
        for visit_id, household_id, kind, worker_id in due:
            if worker_id is None or rng.random() < 0.25:  # left for another day
                continue
            household = db.session.get(Household, household_id)
            roll = rng.random()
            at = datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)), local_zone())
            position = _near(household, rng)
            services.log_visit(
                actors[worker_id],
                household,
                kind=kind,
                client_uuid=f"00000000-0000-4000-8000-{visit_id:012d}",
                outcome=Outcome.concerns if roll > 0.9 else Outcome.well,
                method=VisitMethod.phone
                if roll < 0.08 and kind == VisitKind.home_visit
                else VisitMethod.in_person,
                not_home=0.08 <= roll < 0.14,
                notes=rng.choice(NOTES),
                checklist=_answers(items, rng) if kind == VisitKind.safety_check else None,
                position=position,
                completed_at=at.astimezone(UTC).replace(tzinfo=None),
                visit_id=visit_id,
            )
    services.close_missed(today())
    services.generate_visits(today())
    counts = dict(
        db.session.execute(select(Visit.status, func.count()).group_by(Visit.status)).all()
    )
    return History(
        done=counts.get(VisitStatus.done, 0),
        not_home=counts.get(VisitStatus.not_home, 0),
        missed=counts.get(VisitStatus.missed, 0),
        planned=counts.get(VisitStatus.planned, 0),
    )


def _near(household: Household, rng: random.Random) -> services.Position | None:
    if household.lat is None or rng.random() < 0.1:
        return None
    spread = 0.0004 if rng.random() < 0.9 else 0.01  # now and then far from the door
    return services.Position(
        household.lat + rng.uniform(-spread, spread),
        household.lon + rng.uniform(-spread, spread),
        float(rng.choice((8, 15, 30, 65))),
    )


def _answers(items, rng: random.Random) -> dict[str, str]:
    answers = {}
    for item in items:
        roll = rng.random()
        answers[item.code] = "fail" if roll < 0.04 else "na" if roll < 0.1 else "pass"
    return answers
