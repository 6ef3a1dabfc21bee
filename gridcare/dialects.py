"""SQL that SQLite and PostgreSQL both speak, but through their own dialect's constructs."""

from sqlalchemy import case, func
from sqlalchemy.dialects import postgresql, sqlite

from gridcare.extensions import db


def insert_ignoring_conflicts(model):
    """`INSERT … ON CONFLICT DO NOTHING` for the session's database.

    Unique indexes then make writes idempotent: a row that is already there is skipped,
    whoever got there first, instead of failing the transaction.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing()


def count_if(condition):
    """How many rows of a group meet `condition` (0, never NULL, for an empty group)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
