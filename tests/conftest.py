"""Fixtures: one migrated database per run, a rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when GRIDCARE_TEST_DATABASE_URL
names one (its tables are dropped and migrated afresh at the start of the run).
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session
from sqlalchemy import event, func, select, text

from gridcare import create_app
from gridcare.audit.models import AuditEvent
from gridcare.config import TestConfig, database_url
from gridcare.extensions import db, limiter
from tests.factories import Factory

PASSWORD = "correct horse battery"
# The day the date-bound tests live on (see the test_day fixture).
TEST_DAY = date(2026, 11, 23)


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    url = os.environ.get("GRIDCARE_TEST_DATABASE_URL")
    if url:
        return database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'gridcare-test.db'}"


@pytest.fixture(scope="session")
def app(database_uri, tmp_path_factory) -> Iterator[Flask]:
    app = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": database_uri,
        }
    )
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


class ConnectionBoundSession(Session):
    """Flask-SQLAlchemy's session picks the app's engine over a bind given to the session
    (pallets-eco/flask-sqlalchemy#1167); the per-test transaction needs the bind to win."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


class FreshContextClient(FlaskClient):
    """Each request in an app context of its own, as in production.

    Without it a request reuses the test's app context, and `g` (which caches the
    logged-in user) would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


# Rows that migrations seed and every test expects to find.
SEEDED_TABLES = {"alembic_version", "checklist_item", "care_rule_set", "care_level_rule"}


@pytest.fixture(autouse=True)
def _transaction(request, app) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back afterwards.

    Sessions commit into a SAVEPOINT, so services behave as in production. Tests marked
    `committed` (concurrency between real connections) commit for real instead, and
    every table but the seeded ones is emptied after them.
    """
    if request.node.get_closest_marker("committed"):
        with app.app_context():
            limiter.reset()
            try:
                yield
            finally:
                db.session.remove()
                _empty_tables()
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "class_": ConnectionBoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        limiter.reset()
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in SEEDED_TABLES:
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


def new_client(app: Flask, **environ) -> FlaskClient:
    """Another browser: its own cookies, and `environ` (e.g. REMOTE_ADDR) on every request."""
    client = app.test_client()
    client.environ_base.update(environ)
    return client


@pytest.fixture
def new_events():
    """A function listing the audit events written since the test began, oldest first."""
    start = db.session.scalar(select(func.max(AuditEvent.id))) or 0

    def events(action: str | None = None, entity: str | None = None) -> list[AuditEvent]:
        db.session.expire_all()
        stmt = select(AuditEvent).where(AuditEvent.id > start).order_by(AuditEvent.id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        if entity:
            stmt = stmt.where(AuditEvent.entity == entity)
        return list(db.session.scalars(stmt))

    return events


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def test_day() -> Iterator[date]:
    """Noon in Shanghai on TEST_DAY, so that the factories' clock and the test agree."""
    noon = datetime.combine(TEST_DAY, time(12), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(noon):
        yield TEST_DAY


@pytest.fixture
def make(app) -> Factory:
    return Factory(PASSWORD)


@pytest.fixture
def login(client):
    """Log `client` in as a user made by the factory; returns the response."""

    def _login(user, password: str = PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, "login failed in a test"
        return response

    return _login


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a `with count_queries() as counted:` block:
    `counted.n` afterwards. For tests that a page's queries do not grow with its rows."""

    class Counted:
        n = 0

    @contextmanager
    def counting() -> Iterator[Counted]:
        counted = Counted()

        def count(*_args) -> None:
            counted.n += 1

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            yield counted
        finally:
            event.remove(engine, "before_cursor_execute", count)

    return counting
