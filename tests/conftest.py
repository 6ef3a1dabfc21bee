"""Fixtures: one migrated database per run, a rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when GRIDCARE_TEST_DATABASE_URL
names one (its tables are dropped and migrated afresh at the start of the run).
"""

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from gridcare import create_app
from gridcare.config import TestConfig, database_url
from gridcare.extensions import db, limiter
from tests.factories import Factory

PASSWORD = "correct horse battery"


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
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(app) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back afterwards.

    Sessions commit into a SAVEPOINT, so services behave as in production.
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint"}
        )
        limiter.reset()
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


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
