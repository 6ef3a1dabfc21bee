"""The report's queries use the indexes their comments name (gridcare/reports/coverage).

On PostgreSQL, EXPLAIN with sequential scans priced out (the test city is small enough
that a scan would win otherwise) must show each named index; on SQLite, EXPLAIN QUERY
PLAN shows the area's range on ix_area_path.
"""

import re
from datetime import date

import pytest
from sqlalchemy import select, text

from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import under
from gridcare.extensions import db
from gridcare.hazards.models import Hazard
from gridcare.registry.models import Household
from gridcare.reports.coverage import grid_figures
from gridcare.reports.periods import parse
from gridcare.visits import services

pytestmark = pytest.mark.usefixtures("test_day")
OCTOBER = parse("2026-10")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _plans_of_report(area, period=OCTOBER) -> str:
    """Every plan PostgreSQL makes for the coverage figures of `area`, as one text."""
    plans = []
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    original = db.session.execute

    def explained(statement, *args, **kwargs):
        if getattr(statement, "is_select", False):
            sql = statement.compile(connection, compile_kwargs={"literal_binds": True})
            rows = connection.exec_driver_sql(f"EXPLAIN {sql}").all()
            plans.append("\n".join(row[0] for row in rows))
        return original(statement, *args, **kwargs)

    db.session.execute = explained
    try:
        grid_figures(area, period, date(2026, 11, 23))
    finally:
        del db.session.execute
    return "\n\n".join(plans)


def test_the_coverage_queries_use_the_indexes_they_name(make):
    if _dialect() != "postgresql":
        pytest.skip("PostgreSQL's EXPLAIN; SQLite's counterpart is the test below")
    tree = make.tree()
    make.resident(make.household(tree["grid1"]), birth_date=date(1940, 1, 1))
    plans = _plans_of_report(tree["district"])
    used = sorted(set(re.findall(r"(?:ix|pk|uq)_\w+", plans)))
    for index in (
        "ix_area_path",
        "ix_household_grid_id",
        "ix_resident_household_id",
    ):
        assert index in plans, (index, used)
    # The period's visits are reached by their completion time or from the households,
    # and the windows that closed in it by their end (timeliness, in the same scan).
    assert "ix_visit_completed_at" in plans or "ix_visit_household_kind_status" in plans, used
    timeliness_indexes = ("ix_visit_status_window_end", "ix_visit_household_kind_status")
    assert any(index in plans for index in timeliness_indexes), used
    # A small area's hazards are reached from its households or from the period's dates,
    # as the statistics of the moment decide; never by reading the whole table.
    hazard_indexes = ("ix_hazard_household_id", "ix_hazard_closed_at", "ix_hazard_reported_at")
    assert any(index in plans for index in hazard_indexes), used
    assert "Seq Scan on hazard" not in plans and "Seq Scan on visit" not in plans


def test_a_stored_month_is_read_from_its_rows_by_their_key(make):
    if _dialect() != "postgresql":
        pytest.skip("PostgreSQL's EXPLAIN")
    tree = make.tree()
    make.resident(make.household(tree["grid1"]), birth_date=date(1940, 1, 1))
    services.store_months(date(2026, 11, 23))
    plans = _plans_of_report(tree["district"], parse("2026-Q4"))
    # October, and November through yesterday, from their rows; today from the visits by
    # an index (which one, the statistics of the moment decide), never by reading the
    # table.
    assert re.search(r"Index Cond: .*month.*2026-10-01,2026-11-01", plans), plans
    start = plans.index("CTE household_visits")
    visits_side = plans[start : plans.index("\n  ->", start)]
    assert re.search(r"Index Scan (using|on) ix_visit_\w+", visits_side), visits_side
    assert "Seq Scan on visit" not in plans


def test_the_area_range_and_closed_hazards_use_their_index_on_sqlite(make):
    if _dialect() != "sqlite":
        pytest.skip("SQLite's EXPLAIN QUERY PLAN; PostgreSQL's EXPLAIN is the test above")
    tree = make.tree()
    connection = db.session.connection()

    def plan(statement) -> str:
        sql = statement.compile(connection, compile_kwargs={"literal_binds": True})
        return " ".join(r[-1] for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))

    grids = select(Area.id).where(
        Area.kind == AreaKind.grid, under(Area.path, tree["street1"].path)
    )
    assert "ix_area_path" in plan(grids)
    closed = select(Hazard.id).where(
        Hazard.closed_at >= OCTOBER.start_utc, Hazard.closed_at < OCTOBER.end_utc
    )
    assert "ix_hazard_closed_at" in plan(closed)
    households = select(Household.id).where(Household.grid_id == tree["grid1"].id)
    assert "ix_household_grid_id" in plan(households)


def test_name_search_uses_trigrams_on_postgresql(make):
    if _dialect() != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = connection.execute(
        text("EXPLAIN SELECT household_id FROM resident WHERE name ILIKE '%秀英%'")
    ).all()
    assert "ix_resident_name_search" in "\n".join(r[0] for r in plan)
