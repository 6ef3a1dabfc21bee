"""Benchmark: planning the demo city and serving a worker's day.

    .venv/bin/python -m tests.benchmarks.visits [--scale small|city] [--repeat 7]

Builds a throwaway SQLite database in a temporary folder: migrates it, loads the demo
city (with two weeks of simulated history, so lists hold overdue and done work), then
measures, and prints medians:
- generate_visits on the unplanned city (rolled back after each run, so every run
  plans from nothing), and a second run that must create nothing;
- GET /visits/today for worker1, by address and in walking order from a position.
"""

import argparse
import time

from tests.benchmarks.city import build_app, median_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small", choices=["small", "city"])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()

    app = build_app()
    from flask_migrate import upgrade
    from sqlalchemy import delete, func, select

    from gridcare.clock import today
    from gridcare.demo import DEMO_PASSWORD, load_demo
    from gridcare.extensions import db
    from gridcare.visits import services
    from gridcare.visits.models import CareSchedule, Visit

    with app.app_context():
        upgrade()
        load = load_demo(args.scale, history_days=0)
        # Planned from nothing, as after registering the whole city at once.
        db.session.execute(delete(Visit))
        db.session.execute(delete(CareSchedule))
        db.session.commit()
        print(f"demo city ({args.scale}): {load.households} households, {load.residents} residents")

        first, second = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            created = services.sync_schedules(today())
            created.visits_created = services.plan_due_visits(today())
            db.session.flush()
            first.append(time.perf_counter() - started)
            started = time.perf_counter()
            again = services.sync_schedules(today())
            again.visits_created = services.plan_due_visits(today())
            second.append(time.perf_counter() - started)
            assert again.visits_created == 0 and again.schedules_created == 0
            db.session.rollback()
        print(f"generate_visits, first plan: {median_ms(first)}; created {created.visits_created}")
        print(f"generate_visits, second run (creates nothing): {median_ms(second)}")

        services.generate_visits(today())
        planned = db.session.scalar(select(func.count(Visit.id)).where(Visit.status == "planned"))
        print(f"after the first plan: {planned} planned visits")

    client = app.test_client()
    client.post("/login", data={"username": "worker1", "password": DEMO_PASSWORD})
    for label, url in (
        ("by address", "/visits/today"),
        ("walking order", "/visits/today?lat=39.7712&lon=98.2893"),
    ):
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200
        rows = response.get_data(as_text=True).count('<li class="task')
        print(f"GET /visits/today ({label}, {rows} rows): {median_ms(samples)}")


if __name__ == "__main__":
    main()
