"""Registry service tests act as officers and workers (as `Actor`s, not users) on a
household in grid1, and read back what was stored and audited."""

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, inspect, select

from gridcare.accounts.services import actor_for
from gridcare.audit.models import AuditEvent
from gridcare.extensions import db
from gridcare.registry import services
from gridcare.registry.models import (
    Resident,
)

OLD = date(1940, 5, 1)  # 86 in 2026: far from every age boundary
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture(autouse=True)
def _english(app):
    """Messages are checked in English; outside a request they follow the zh_CN default."""
    with force_locale("en"):
        yield


@pytest.fixture
def officer(make, tree):
    return actor_for(make.user("officer", areas=[tree["community1"]]), "10.0.0.1")


@pytest.fixture
def worker(make, tree):
    return actor_for(make.user("grid_worker", areas=[tree["grid1"]]), "10.0.0.2")


@pytest.fixture
def household(make, tree):
    return make.household(tree["grid1"], address="新华路12号")


def resident_count() -> int:
    return db.session.scalar(select(func.count(Resident.id)))


def audit_rows(entity: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    return list(db.session.scalars(stmt))


def every_stored_value() -> str:
    """Every value of every row of every table, as one string."""
    chunks = []
    existing = set(inspect(db.session.connection()).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name not in existing:
            continue
        for row in db.session.execute(select(table)):
            chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def add(actor, household, make, **fields):
    values = {"name": "王桂兰", "id_number": make.id_number(OLD, male=False)}
    values.update(fields)
    return services.add_resident(actor, household, **values)
