"""Rounds for weather and festivals: campaigns an officer starts in two taps (choose the
round, confirm the filled-in form), and the message each worker gets about their tasks."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from gridcare.accounts.services import notify
from gridcare.extensions import db
from gridcare.visits.models import Campaign, Visit, VisitKind, VisitStatus

# 除夕, the eve of the Spring Festival, when the round should be done (Chinese lunar
# calendar, as published by the Purple Mountain Observatory).
SPRING_FESTIVAL_EVES = (
    date(2026, 2, 16),
    date(2027, 2, 5),
    date(2028, 1, 25),
    date(2029, 2, 12),
    date(2030, 2, 2),
    date(2031, 1, 22),
    date(2032, 2, 10),
    date(2033, 1, 30),
    date(2034, 2, 18),
    date(2035, 2, 7),
)


def _heating_season_due(today: date) -> date:
    """15 December (DESIGN's example), or in the heating season itself within two weeks."""
    deadline = date(today.year, 12, 15)
    if today.month <= 3 or today > deadline - timedelta(days=7):
        return today + timedelta(days=14)
    return deadline


def _spring_festival_due(today: date) -> date:
    """The coming Spring Festival's eve, if it leaves a few days for the round."""
    for eve in SPRING_FESTIVAL_EVES:
        if eve >= today + timedelta(days=3):
            return eve
    return today + timedelta(days=14)


@dataclass(frozen=True)
class CampaignTemplate:
    code: str
    name: object  # a lazy string: the campaign is named in the officer's language
    hint: object
    kind: VisitKind
    care_levels: tuple[int, ...]
    flags: tuple[str, ...]
    due: Callable[[date], date]


CAMPAIGN_TEMPLATES: dict[str, CampaignTemplate] = {
    t.code: t
    for t in (
        CampaignTemplate(
            "heating_gas",
            _l("Heating-season gas check"),
            _l("A safety check of gas hoses, valves and alarms in every level-1 home."),
            VisitKind.safety_check,
            (1,),
            (),
            _heating_season_due,
        ),
        CampaignTemplate(
            "heat_wave",
            _l("Heat wave visits"),
            _l("Level 1 and 2 homes within two days: cooling, water, medicines."),
            VisitKind.home_visit,
            (1, 2),
            (),
            lambda today: today + timedelta(days=2),
        ),
        CampaignTemplate(
            "cold_wave",
            _l("Cold wave visits"),
            _l("Level 1 and 2 homes within two days: heating, warm clothes, pipes."),
            VisitKind.home_visit,
            (1, 2),
            (),
            lambda today: today + timedelta(days=2),
        ),
        CampaignTemplate(
            "spring_festival",
            _l("Spring Festival visits"),
            _l("Every home with a care level, before the Spring Festival's eve."),
            VisitKind.home_visit,
            (),
            (),
            _spring_festival_due,
        ),
    )
}


def notify_campaign_workers(campaign: Campaign) -> int:
    """Tell each worker how many open tasks the campaign gives them, by its due date.

    Sent again only when their count grew (households added later), never twice for the
    same count: the dedupe key carries it.
    """
    counts = db.session.execute(
        select(Visit.worker_id, func.count(Visit.id))
        .where(
            Visit.campaign_id == campaign.id,
            Visit.status == VisitStatus.planned,
            Visit.worker_id.is_not(None),
        )
        .group_by(Visit.worker_id)
    ).all()
    sent = 0
    for worker_id, count in counts:
        sent += notify(
            [worker_id],
            "campaign_tasks",
            entity="campaign",
            entity_id=campaign.id,
            params={"name": campaign.name, "count": count, "due": campaign.due_date.isoformat()},
            dedupe=f"campaign:{campaign.id}:{count}",
        )
    return sent
