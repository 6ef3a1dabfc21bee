"""SQL that SQLite and PostgreSQL both speak, but through their own dialect's constructs."""

from datetime import datetime

from sqlalchemy import case, event, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from gridcare.clock import local_zone
from gridcare.extensions import db


def insert_ignoring_conflicts(model):
    """`INSERT … ON CONFLICT DO NOTHING` for the session's database.

    Unique indexes then make writes idempotent: a row that is already there is skipped,
    whoever got there first, instead of failing the transaction.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing()


def insert_replacing_conflicts(model, keys: list[str], names: list[str], rows):
    """`INSERT … SELECT … ON CONFLICT (keys) DO UPDATE`: the rows of `rows` (a select whose
    columns are `names`, in order), each replacing the row with the same `keys`."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    stmt = insert.from_select(names, rows)
    updated = {name: stmt.excluded[name] for name in names if name not in keys}
    return stmt.on_conflict_do_update(index_elements=keys, set_=updated)


def advisory_lock(key: int, shared: bool = False) -> None:
    """Hold PostgreSQL's advisory lock `key` until the transaction ends: `shared` with
    other sharers, or alone. SQLite runs one writing transaction at a time: no lock."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    take = func.pg_advisory_xact_lock_shared if shared else func.pg_advisory_xact_lock
    db.session.execute(select(take(key)))


def count_if(condition):
    """How many rows of a group meet `condition` (0, never NULL, for an empty group)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def day_after_utc(day_column):
    """The stored UTC moment at which the local day after `day_column` begins.

    Compared in SQL with completion and closing times ("within the window / deadline").
    """
    hours = _utc_offset_hours()
    if db.session.get_bind().dialect.name == "postgresql":
        return func.cast(day_column, db.DateTime) + func.make_interval(0, 0, 0, 1, -hours)
    return func.datetime(day_column, "+1 day", f"{-hours:+d} hours")


def _utc_offset_hours() -> int:
    # The zone's offset now: right for zones without daylight saving, such as China's.
    return int(datetime.now(local_zone()).utcoffset().total_seconds() // 3600)


def configure_postgresql(engine) -> None:
    """Plan every statement for its own values, on PostgreSQL.

    psycopg prepares a statement after its fifth run, and PostgreSQL may then switch to a
    generic plan that ignores the values: the reports' date ranges and area paths then get
    plans made for "any range", several times slower (a city's coverage figures took 3.4 s
    instead of 0.5 s). Planning each run costs about a millisecond.
    """
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()


# What a report's aggregates over a city's visits ask of PostgreSQL, for the rest of
# their transaction. Measured on the city (120,000 households, a quarter's 416,000
# visits; docs/performance.md): with the default 4 MB of work memory the grouping spills
# to disk in 49 batches and the bitmap of the quarter's visits turns lossy; and the JIT
# compiler spends 370 ms compiling a query that runs for about a second.
REPORT_SETTINGS = {"work_mem": "64MB", "jit": "off"}


def settle_for_reports() -> None:
    """Give the session's transaction the settings of `REPORT_SETTINGS` (PostgreSQL)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    calls = ", ".join(f"set_config('{name}', :{name}, true)" for name in REPORT_SETTINGS)
    db.session.execute(text(f"SELECT {calls}"), REPORT_SETTINGS)
