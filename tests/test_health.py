"""`/healthz`: what a load balancer asks, and nothing more than it needs."""

from datetime import timedelta

import pytest

from gridcare.clock import utcnow
from gridcare.extensions import db
from gridcare.scheduling import services as scheduling
from gridcare.scheduling.models import SchedulerLease
from tests.test_cli import UNREACHABLE, app_with_database


def test_health_answers_without_logging_in_and_says_no_scheduler_yet(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "scheduler_lease_age_seconds": None}


def test_health_gives_the_age_of_the_lease_and_not_its_holder(client):
    scheduling.acquire_lease("scheduler-host:4242", 60)
    lease = db.session.get(SchedulerLease, scheduling.LEASE)
    lease.renewed_at = utcnow() - timedelta(seconds=95)
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"database", "scheduler_lease_age_seconds"}
    assert 94 <= body["scheduler_lease_age_seconds"] <= 100
    assert b"scheduler-host" not in response.data


@pytest.mark.committed  # its own app and engine, not the test's shared connection
@pytest.mark.parametrize("database", UNREACHABLE)
def test_health_is_503_when_the_database_is_unreachable(tmp_path, database):
    app = app_with_database(UNREACHABLE[database](tmp_path), tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "unreachable"}
    assert b"127.0.0.1" not in response.data and b"secret" not in response.data
