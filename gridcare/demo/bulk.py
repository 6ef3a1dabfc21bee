"""Rows straight into tables, for a city's worth of them: COPY on PostgreSQL (psycopg 3's
`cursor.copy`), one executemany INSERT per batch on SQLite.

Ids are handed out here rather than by the database, so that a resident can name its
household without a round trip per row; PostgreSQL's sequences are moved past them at
the end. A column the rows leave out takes its model default, as the ORM would give it.
"""

import json
import logging
from collections.abc import Iterable

from sqlalchemy import JSON, Table, func, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class BulkWriter:
    """Writes rows of whole tables inside the session's transaction."""

    def __init__(self, session: Session):
        self.connection = session.connection()
        self.postgres = self.connection.dialect.name == "postgresql"
        self._next_ids: dict[str, int] = {}
        self._columns: dict[str, list] = {}
        self.counts: dict[str, int] = {}

    def next_id(self, table: Table) -> int:
        """A fresh id for a row of `table` (the first after those already there)."""
        name = table.name
        if name not in self._next_ids:
            highest = self.connection.scalar(select(func.max(table.c.id)))
            self._next_ids[name] = (highest or 0) + 1
        value = self._next_ids[name]
        self._next_ids[name] = value + 1
        return value

    def write(self, table: Table, rows: Iterable[dict]) -> None:
        rows = list(rows)
        if not rows:
            return
        columns = self._columns_of(table, rows[0])
        for row in rows:
            for column in columns:
                if column.key not in row:
                    row[column.key] = self._default(table, column)
        if self.postgres:
            self._copy(table, columns, rows)
        else:
            self.connection.execute(insert(table), rows)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids handed out. (Statistics come from
        `vacuum` after the commit: ANALYZE here would hold its lock to the end.)"""
        if not self.postgres:
            return
        for name in self._next_ids:
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f'(SELECT coalesce(max(id), 1) FROM "{name}"))'
                )
            )

    def _columns_of(self, table: Table, sample: dict) -> list:
        if table.name not in self._columns:
            # A column left out that only the server fills stays out of the statement.
            self._columns[table.name] = [
                c
                for c in table.columns
                if c.key in sample or c.default is not None or c.server_default is None
            ]
        return self._columns[table.name]

    def _default(self, table: Table, column):
        """What the ORM would have put in a column the row leaves out."""
        if column.primary_key and column.key == "id":
            return self.next_id(table)
        default = column.default
        if default is None:
            return None
        return default.arg(None) if default.is_callable else default.arg

    def _copy(self, table: Table, columns: list, rows: list[dict]) -> None:
        names = ", ".join(f'"{c.name}"' for c in columns)
        keys = [c.key for c in columns]
        # COPY's text format takes JSON as its text; enums are str, so they go as they are.
        as_json = [isinstance(c.type, JSON) for c in columns]
        raw = self.connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            if not any(as_json):
                for row in rows:
                    copy.write_row([row[k] for k in keys])
                return
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[k], ensure_ascii=False)
                        if j and row[k] is not None
                        else row[k]
                        for k, j in zip(keys, as_json, strict=True)
                    ]
                )


def vacuum(engine, table_names) -> None:
    """VACUUM (ANALYZE) the tables on PostgreSQL, after the load has committed: until then
    the planner has no statistics for the new city and the visibility map of a freshly
    loaded table is empty, so every index-only scan still reads the table."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # A table another transaction still holds (a load inside a test's transaction)
        # is left to autovacuum rather than waited for.
        connection.execute(text("SET lock_timeout = '2s'"))
        for name in table_names:
            try:
                connection.execute(text(f'VACUUM (ANALYZE) "{name}"'))
            except OperationalError:
                log.info("VACUUM of %s left to autovacuum: the table is in use", name)
