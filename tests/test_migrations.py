"""The migrations build exactly the schema the models describe, and can be undone."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from gridcare import create_app
from gridcare.config import TestConfig
from gridcare.extensions import db


def schema_differences(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def test_migrations_match_the_models(app):
    # The session's database was built by `upgrade()` alone (tests/conftest.py).
    assert schema_differences(db.session.connection()) == []


def test_every_migration_downgrades_and_upgrades_again(tmp_path):
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    fresh = create_app({**settings, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    fresh.instance_path = str(tmp_path)
    with fresh.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()
