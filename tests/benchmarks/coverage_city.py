"""Benchmark: the city coverage report against its raw SQL, side by side in one run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gridcare_city \\
        .venv/bin/python -m tests.benchmarks.coverage_city [--area CODE] [--period 2026-Q4]

On the database it is given (migrated, with a city in it), every round runs, one after
the other: the raw SQL aggregate that gives the period's target and visited households
(one statement, the floor), `coverage()` alone, the report page, the CLI's JSON, and the
CSV and XLSX downloads. It prints the medians and each one's ratio to the raw SQL of the
same run. `measure_coverage(app, area_code, period)` is what other benchmarks call.
"""

import argparse
import json
import statistics
import time

from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import text

RAW_SQL = text(
    """
    WITH target AS (
        SELECT r.household_id
        FROM resident r JOIN household h ON h.id = r.household_id
        WHERE h.grid_id IN (
                SELECT id FROM area WHERE kind = 'grid' AND path >= :path AND path < :path_next)
          AND h.created_at < :end_utc AND r.created_at < :end_utc
          AND (r.status = 'active' OR r.status_date > :end_day)
          AND (r.birth_date <= :elderly_born OR r.disability_category IS NOT NULL
               OR h.care_level_override IS NOT NULL)
        GROUP BY r.household_id
    ), visited AS (
        SELECT DISTINCT household_id FROM visit
        WHERE kind = 'home_visit' AND status = 'done' AND method = 'in_person'
          AND completed_at >= :start_utc AND completed_at < :end_utc
    )
    SELECT count(*), count(visited.household_id)
    FROM target LEFT JOIN visited ON visited.household_id = target.household_id
    """
)


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def measure_coverage(app: Flask, area_code: str, period: str, rounds: int = 7) -> dict:
    """Medians (ms) of the raw SQL, `coverage()`, the page, the CLI JSON, CSV and XLSX for
    `area_code` and `period`, interleaved round by round, with their ratios to the raw SQL.

    The raw SQL's counts are checked against the page's figures first: the floor must
    count the same thing."""
    from sqlalchemy import select

    from gridcare.accounts.models import Role, User
    from gridcare.areas.scope import path_after
    from gridcare.areas.services import area_by_code
    from gridcare.cli import cli
    from gridcare.clock import years_before
    from gridcare.extensions import db
    from gridcare.registry.care_levels import DEFAULT_RULES
    from gridcare.reports.coverage import coverage
    from gridcare.reports.periods import parse

    chosen = parse(period)
    with app.app_context():
        area = area_by_code(area_code)
        if area is None:
            raise SystemExit(f"no area has the code {area_code}")
        viewer = db.session.scalar(
            select(User)
            .where(User.role.in_((Role.admin, Role.civil_affairs)), User.active.is_(True))
            .order_by(User.role.desc(), User.id)
        )
        cookie_id, area_id = viewer.get_id(), area.id
        params = {
            "path": area.path,
            "path_next": path_after(area.path),
            "start_utc": chosen.start_utc,
            "end_utc": chosen.end_utc,
            "end_day": chosen.end,
            "elderly_born": years_before(chosen.end, DEFAULT_RULES.elderly_age),
        }
        floor = tuple(db.session.execute(RAW_SQL, params).one())
        report = coverage(area, chosen)
        if floor != (report.total.target, report.total.visited):
            raise SystemExit(f"raw SQL counts {floor}, the report {report.total.target}, ...")

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = cookie_id, True
    runner = app.test_cli_runner()
    info = ScriptInfo(create_app=lambda: app, load_dotenv_defaults=False)
    query = f"area={area_id}&period={chosen.key}"

    def raw_sql():
        with app.app_context():
            db.session.execute(RAW_SQL, params).one()

    def figures():
        with app.app_context():
            coverage(db.session.get(type(area), area_id), chosen)

    def get(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return run

    def cli_json():
        result = runner.invoke(
            cli, ["report", "coverage", "--area", area_code, "--period", chosen.key], obj=info
        )
        assert result.exit_code == 0, (result.output, result.exception)
        json.loads(result.output)

    runs = {
        "raw_sql": raw_sql,
        "coverage": figures,
        "page": get(f"/reports/coverage?{query}"),
        "cli_json": cli_json,
        "csv": get(f"/reports/coverage.csv?{query}"),
        "xlsx": get(f"/reports/coverage.xlsx?{query}"),
    }
    for run in runs.values():  # warm: plans cached, pages compiled
        run()
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            samples[name].append(time.perf_counter() - started)
    medians = {name: _median_ms(values) for name, values in samples.items()}
    floor_ms = medians["raw_sql"]
    return {
        "area": area_code,
        "period": chosen.key,
        "rounds": rounds,
        "target": report.total.target,
        "visited": report.total.visited,
        "medians_ms": medians,
        "ratios": {
            name: round(ms / floor_ms, 2) for name, ms in medians.items() if name != "raw_sql"
        },
    }


def main() -> None:
    from gridcare import create_app
    from gridcare.clock import today
    from gridcare.reports.periods import quarter

    parser = argparse.ArgumentParser()
    parser.add_argument("--area", help="Area code (default: the first top-level area).")
    parser.add_argument("--period", help="Default: this quarter.")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        from sqlalchemy import select

        from gridcare.areas.models import Area
        from gridcare.extensions import db

        code = args.area or db.session.scalar(
            select(Area.code).where(Area.parent_id.is_(None)).order_by(Area.id)
        )
        period = args.period or quarter(today()).key
    result = measure_coverage(app, code, period, args.rounds)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    worst = max(result["ratios"][n] for n in ("page", "cli_json", "csv", "xlsx"))
    print(
        f"coverage {code} {period}: raw SQL {result['medians_ms']['raw_sql']} ms, "
        f"page {result['medians_ms']['page']} ms ({result['ratios']['page']}x), "
        f"worst of page/JSON/CSV/XLSX {worst}x the raw SQL"
    )


if __name__ == "__main__":
    main()
