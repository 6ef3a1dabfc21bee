"""Benchmark: the whole demo city's quarterly coverage report.

    .venv/bin/python -m tests.benchmarks.reports [--scale small|city] [--requests 30]

A throwaway SQLite demo city with two weeks of simulated visits and a few hazards; then
the median server time of GET /reports/coverage for the district and the current
quarter as civil1 (the page computes this quarter and the previous one live, and the
12-month trend from monthly snapshots where they exist), and of the figures alone.
"""

import argparse
import time

from tests.benchmarks.city import build_app, median_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small", choices=["small", "city"])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    app = build_app()

    from flask_migrate import upgrade
    from sqlalchemy import select

    from gridcare.areas.models import Area
    from gridcare.clock import today
    from gridcare.demo import DEMO_PASSWORD, load_demo
    from gridcare.extensions import db
    from gridcare.reports.coverage import coverage
    from gridcare.reports.periods import quarter

    with app.app_context():
        upgrade()
        load = load_demo(args.scale)
        district = db.session.scalar(select(Area).where(Area.parent_id.is_(None)))
        period = quarter(today())
        print(f"demo city ({args.scale}): {load.households} households; period {period.key}")
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            report = coverage(district, period)
            samples.append(time.perf_counter() - started)
        print(
            f"coverage(district, {period.key}) figures: {median_ms(samples)}; "
            f"target {report.total.target}, visited {report.total.visited}"
        )
        district_id = district.id

    client = app.test_client()
    client.post("/login", data={"username": "civil1", "password": DEMO_PASSWORD})
    url = f"/reports/coverage?area={district_id}&period={period.key}"
    samples = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    print(f"GET /reports/coverage (district, quarter): {median_ms(samples)}")


if __name__ == "__main__":
    main()
