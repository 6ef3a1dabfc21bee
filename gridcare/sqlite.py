"""SQLite settings that make the embedded database safe for a small office."""

import contextlib
import os

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, a busy timeout, and real transactions.

    pysqlite's own transaction handling does not support SAVEPOINT properly; SQLAlchemy's
    documented recipe hands BEGIN back to SQLAlchemy. Transactions that may write begin
    IMMEDIATE: a deferred one that reads and then writes fails at once (SQLITE_BUSY, not
    retried) when another writer got there first, whereas IMMEDIATE waits its turn under
    busy_timeout. Page views (GET) read, so they begin deferred and never hold the lock.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "do_connect")
    def _before_connect(_dialect, _record, _cargs, _cparams):
        _create_owner_only(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL stays consistent after a crash and skips an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        dbapi_connection.create_aggregate("bit_or", 1, BitOr)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN" if _reading_request() else "BEGIN IMMEDIATE")


class BitOr:
    """PostgreSQL's `bit_or` aggregate, which SQLite lacks: the OR of a group's integers
    (the coverage report's outcome bits per household), NULL for none."""

    def __init__(self) -> None:
        self.bits: int | None = None

    def step(self, value: int | None) -> None:
        if value is not None:
            self.bits = value if self.bits is None else self.bits | value

    def finalize(self) -> int | None:
        return self.bits


def _create_owner_only(path: str | None) -> None:
    """Create the database file readable by its owner only before SQLite creates it
    world-readable; SQLite gives its -wal and -shm files the database file's mode."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    # If it exists, or its folder does not, SQLite deals with it when it opens the file.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _reading_request() -> bool:
    return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
