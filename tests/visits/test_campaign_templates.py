"""Rounds for weather and festivals: their due dates, and the message to each worker."""

from datetime import date

import pytest
from sqlalchemy import select

from gridcare.accounts.models import Notification
from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.visits import services
from gridcare.visits.models import VisitKind
from gridcare.visits.services.campaign_templates import CAMPAIGN_TEMPLATES
from tests.conftest import TEST_DAY

pytestmark = pytest.mark.usefixtures("test_day")


@pytest.mark.parametrize(
    ("code", "today", "due"),
    [
        ("heating_gas", date(2026, 11, 23), date(2026, 12, 15)),
        ("heating_gas", date(2026, 12, 12), date(2026, 12, 26)),
        ("heating_gas", date(2027, 1, 10), date(2027, 1, 24)),
        ("heat_wave", date(2027, 7, 20), date(2027, 7, 22)),
        ("cold_wave", date(2026, 12, 1), date(2026, 12, 3)),
        ("spring_festival", date(2026, 11, 23), date(2027, 2, 5)),
        ("spring_festival", date(2027, 2, 4), date(2028, 1, 25)),
    ],
)
def test_each_round_falls_due_when_it_should(code, today, due):
    assert CAMPAIGN_TEMPLATES[code].due(today) == due


def test_every_round_starts_as_an_officers_campaign(community):
    officer = actor_for(community["officer"])
    services.generate_visits(TEST_DAY)
    reached = {}
    for template in CAMPAIGN_TEMPLATES.values():
        campaign, added = services.create_campaign(
            officer,
            name=str(template.name),
            kind=template.kind,
            area=community["tree"]["community1"],
            care_levels=template.care_levels,
            flags=template.flags,
            due_date=template.due(TEST_DAY),
            today=TEST_DAY,
        )
        reached[template.code] = added.created + added.taken_in
    # The first home-visit round takes in the open tasks; the next ones find them taken.
    assert reached["heating_gas"] > 0 and reached["heat_wave"] > 0


def test_workers_hear_of_their_tasks_once_per_count(community):
    officer = actor_for(community["officer"])
    campaign, _ = services.create_campaign(
        officer,
        name="寒潮探访",
        kind=VisitKind.home_visit,
        area=community["tree"]["community1"],
        care_levels=[1, 2],
        flags=[],
        due_date=date(2026, 11, 25),
        today=TEST_DAY,
    )
    notes = list(
        db.session.scalars(select(Notification).where(Notification.kind == "campaign_tasks"))
    )
    # Grid 1's worker has two homes in it; grid 2 has no worker, so nobody is told for it.
    assert [(n.user_id, n.params["count"]) for n in notes] == [(community["worker"].id, 2)]
    services.refresh_campaign(officer, campaign)
    assert (
        len(
            list(
                db.session.scalars(
                    select(Notification).where(Notification.kind == "campaign_tasks")
                )
            )
        )
        == 1
    )
