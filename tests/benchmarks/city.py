"""The city benchmark (`make bench-city`), and a throwaway SQLite demo city for the others.

    .venv/bin/python -m tests.benchmarks.city [--database URL] [--instance DIR] [--rounds 60]

Loads the demo city into PostgreSQL (`gridcare demo load --scale city`, only when the
database holds no households yet), serves it with gunicorn as production does
(gunicorn.conf.py: 2 sync workers, gc.freeze() after start-up), and measures, each page
interleaved with a trivial route (`/healthz`) so that a busy machine shows in both:
the worker's list by address and in walking order, a household page, the one-tap quick
log (a POST that completes a task), the officer's workload and hazard queue, a name
search across the city, and the city's coverage page for a quarter — that page side by
side with the raw SQL aggregate giving the same target and visited counts. Then each
nightly job through `gridcare jobs run NAME`. It prints p50, p95 and ratios, and ends
with one summary line.

Requests go to 127.0.0.1 only, in bounded loops. The quick log and the jobs change the
database: measure a copy (`createdb -T gridcare_city gridcare_city_copy`), not a city
someone uses.
"""

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import Flask

from gridcare import create_app
from gridcare.config import TestConfig

ROOT = Path(__file__).resolve().parents[2]


def build_app() -> Flask:
    folder = Path(tempfile.mkdtemp(prefix="gridcare-bench-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "GRIDCARE_DATA_KEY": TestConfig.GRIDCARE_DATA_KEY,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    app.instance_path = str(folder)
    return app


def median_ms(samples: list[float]) -> str:
    median, fastest = statistics.median(samples) * 1000, min(samples) * 1000
    return f"{median:.1f} ms (min {fastest:.1f}, n={len(samples)})"


# What the issue asks of each figure (None: measured, no bound).
BOUNDS_MS = {
    "worker page": 30.0,
    "worker page, walking order": 50.0,
    "officer workload": 50.0,
}
COVERAGE_BOUND = 1.5  # the page at most this many times its raw SQL
JOB_BOUNDS_S = {"generate_visits": 60.0}  # the first plan; an ordinary night 20 s


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class Timing:
    name: str
    samples: list[float] = field(default_factory=list)  # seconds
    trivial: list[float] = field(default_factory=list)  # the trivial route beside each

    def line(self) -> str:
        p50, tail = statistics.median(self.samples) * 1000, p95(self.samples) * 1000
        floor = statistics.median(self.trivial) * 1000
        bound = BOUNDS_MS.get(self.name)
        verdict = "" if bound is None else ("  ok" if tail <= bound else f"  OVER {bound:.0f} ms")
        return (
            f"{self.name:28} p50 {p50:8.1f} ms  p95 {tail:8.1f} ms  "
            f"{p50 / floor:6.1f}× trivial ({floor:.1f} ms), n={len(self.samples)}{verdict}"
        )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the POST's own time, not the page it redirects to


class Browser:
    """One logged-in user: cookies, and the CSRF token of the last page read."""

    def __init__(self, base: str):
        self.base = base
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        self.posting = urllib.request.build_opener(cookies, NoRedirect)
        self.csrf = ""

    def get(self, path: str) -> tuple[float, str]:
        return self._open(self.opener, urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict, follow: bool = False) -> tuple[float, str]:
        body = urllib.parse.urlencode({"csrf_token": self.csrf, **fields}).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        return self._open(self.opener if follow else self.posting, request)

    def _open(self, opener, request) -> tuple[float, str]:
        started = time.perf_counter()
        try:
            with opener.open(request, timeout=120) as response:
                html = response.read().decode()
        except urllib.error.HTTPError as exc:
            if exc.code not in (302, 303):
                raise SystemExit(f"{request.full_url} answered {exc.code}") from exc
            html = ""
        took = time.perf_counter() - started
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        self.csrf = found.group(1) if found else self.csrf
        return took, html

    def log_in(self, username: str, password: str) -> "Browser":
        self.get("/login")
        _, html = self.post("/login", {"username": username, "password": password}, True)
        if "/logout" not in html:
            raise SystemExit(f"could not log in as {username}")
        return self


def interleaved(timing: Timing, trivial: Browser, request, rounds: int) -> Timing:
    for _ in range(rounds):
        timing.trivial.append(trivial.get("/healthz")[0])
        timing.samples.append(request())
    return timing


# The coverage page against its SQL. A separate function, so that another measurement of
# the same thing (tests/benchmarks/coverage_city.py's measure_coverage) can stand in.


@dataclass
class CoverageAgainstSql:
    page_s: list[float]
    sql_s: list[float]
    same_counts: bool
    counts: tuple[int, int]

    def line(self) -> str:
        page, sql = statistics.median(self.page_s), statistics.median(self.sql_s)
        verdict = "ok" if page <= COVERAGE_BOUND * sql else f"OVER {COVERAGE_BOUND}×"
        same = "same" if self.same_counts else "DIFFERENT"
        return (
            f"{'city coverage page':28} p50 {page * 1000:8.0f} ms  raw SQL {sql * 1000:.0f} ms: "
            f"{page / sql:.1f}× ({verdict}); target/visited {self.counts} {same} on both"
        )


TARGET_AND_VISITED = """
WITH target AS (
    SELECT DISTINCT h.id
    FROM household h
    JOIN area a ON a.id = h.grid_id
    JOIN resident r ON r.household_id = h.id
    WHERE a.path LIKE %(path)s || '%%'
      AND h.created_at < %(end_utc)s AND r.created_at < %(end_utc)s
      AND (r.status = 'active' OR r.status_date > %(end)s)
      AND (r.birth_date <= %(elderly_born)s OR r.disability_category IS NOT NULL
           OR h.care_level_override IS NOT NULL)
), visited AS (
    SELECT DISTINCT v.household_id
    FROM visit v
    WHERE v.kind = 'home_visit' AND v.status = 'done' AND v.method = 'in_person'
      AND v.completed_at >= %(start_utc)s AND v.completed_at < %(end_utc)s
)
SELECT count(*), count(visited.household_id)
FROM target LEFT JOIN visited ON visited.household_id = target.id
"""


def coverage_against_sql(
    app: Flask, area_code: str, period_key: str, page, rounds: int
) -> CoverageAgainstSql:
    """The coverage page (`page()` times one GET) beside one grouped SQL query giving the
    same target and visited counts, alternately, in the same run."""
    import psycopg

    from gridcare.areas.services import area_by_code
    from gridcare.clock import years_before
    from gridcare.extensions import db
    from gridcare.registry.care_levels import DEFAULT_RULES
    from gridcare.reports.coverage import coverage
    from gridcare.reports.periods import parse

    with app.app_context():
        area, period = area_by_code(area_code), parse(period_key)
        total = coverage(area, period).total
        params = {
            "path": area.path,
            "start_utc": period.start_utc,
            "end_utc": period.end_utc,
            "end": period.end,
            "elderly_born": years_before(period.end, DEFAULT_RULES.elderly_age),
        }
        address = db.engine.url.set(drivername="postgresql").render_as_string(False)
        db.session.remove()
    page_s, sql_s, counts = [], [], (0, 0)
    with psycopg.connect(address) as conn:
        for _ in range(rounds):
            page_s.append(page())
            started = time.perf_counter()
            counts = tuple(conn.execute(TARGET_AND_VISITED, params).fetchone())
            sql_s.append(time.perf_counter() - started)
    return CoverageAgainstSql(page_s, sql_s, counts == (total.target, total.visited), counts)


# The dataset, the server and the jobs.


def gridcare(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("gridcare")), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if check and done.returncode != 0:
        raise SystemExit(f"gridcare {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done


def ensure_city(app: Flask, env: dict) -> dict:
    """The city's size; loaded first when the database holds no households."""
    from sqlalchemy import func, inspect, select

    from gridcare.extensions import db
    from gridcare.registry.models import Household, Resident
    from gridcare.visits.models import Visit

    with app.app_context():
        empty = "household" not in inspect(db.engine).get_table_names() or not db.session.scalar(
            select(func.count(Household.id))
        )
        db.session.remove()
    if empty:
        started = time.perf_counter()
        gridcare(env, "db", "upgrade")
        loaded = gridcare(env, "demo", "load", "--scale", "city")
        print(loaded.stdout.strip())
        print(f"loaded the city in {time.perf_counter() - started:.0f} s")
    with app.app_context():
        size = {
            "households": db.session.scalar(select(func.count(Household.id))),
            "residents": db.session.scalar(select(func.count(Resident.id))),
            "visits": db.session.scalar(select(func.count(Visit.id))),
        }
        db.session.remove()
    return size


def busiest_worker(app: Flask) -> tuple[str, tuple[float, float], list[tuple[int, int]]]:
    """The worker with the longest list, a point amid their homes, and their open home
    visits as (household, visit) pairs, due first."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from gridcare.accounts.models import User
    from gridcare.clock import today
    from gridcare.extensions import db
    from gridcare.registry.models import Household
    from gridcare.visits.models import Visit, VisitKind, VisitStatus

    with app.app_context():
        worker_id, username = db.session.execute(
            select(User.id, User.username)
            .join(Visit, Visit.worker_id == User.id)
            .where(
                Visit.status == VisitStatus.planned,
                Visit.due_date <= today() + timedelta(days=7),
            )
            .group_by(User.id, User.username)
            .order_by(func.count(Visit.id).desc())
            .limit(1)
        ).one()
        homes = db.session.execute(
            select(Household.id, Visit.id, Household.lat, Household.lon)
            .join(Visit, Visit.household_id == Household.id)
            .where(
                Visit.worker_id == worker_id,
                Visit.status == VisitStatus.planned,
                Visit.kind == VisitKind.home_visit,
                Visit.due_date <= today() + timedelta(days=7),
                Household.lat.is_not(None),
            )
            .order_by(Visit.due_date, Visit.id)
        ).all()
        db.session.remove()
    start = (statistics.mean(h.lat for h in homes), statistics.mean(h.lon for h in homes))
    return username, start, [(h[0], h[1]) for h in homes]


def serve(env: dict, port: int, config: str) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    # gunicorn's error log in a file: a pipe nobody reads would fill and stop the server.
    # Open while the server runs, and kept afterwards for reading.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115
        "w+", prefix="bench-city-gunicorn-", suffix=".log", delete=False
    )
    print(f"gunicorn's error log: {log.name}")
    server = subprocess.Popen(
        [gunicorn, "--config", config, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    for _ in range(120):  # up to a minute for both workers to boot
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {log.name}") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer within a minute")


def run_jobs(env: dict) -> list[tuple[str, float, str]]:
    from gridcare.scheduling.runner import JOBS

    ran = []
    for name in JOBS:
        started = time.perf_counter()
        done = gridcare(env, "jobs", "run", name, check=False)
        took = time.perf_counter() - started
        said = (done.stdout.strip().splitlines() or [done.stderr.strip()[-200:]])[-1]
        ran.append((name, took, said if done.returncode == 0 else f"FAILED {said}"))
        print(f"{'job ' + name:28} {took:8.1f} s   {said}")
    return ran


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "GRIDCARE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/gridcare_city"
        ),
        help="PostgreSQL holding the city, or empty to load it (default: %(default)s)",
    )
    parser.add_argument(
        "--instance",
        default=os.environ.get("GRIDCARE_INSTANCE_PATH", str(ROOT / "instance-bench")),
        help="instance folder with the data key the city was loaded with (default: %(default)s)",
    )
    parser.add_argument("--port", type=int, default=5140)
    parser.add_argument(
        "--gunicorn-config",
        default=str(ROOT / "gunicorn.conf.py"),
        help="gunicorn settings to serve with, e.g. to compare one change (default: %(default)s)",
    )
    parser.add_argument("--rounds", type=int, default=60, help="requests per page")
    parser.add_argument("--coverage-rounds", type=int, default=5)
    parser.add_argument("--period", default=None, help="the coverage period (this quarter)")
    parser.add_argument("--no-jobs", action="store_true", help="skip the nightly jobs")
    args = parser.parse_args()
    rounds = max(1, min(args.rounds, 1000))

    from gridcare.config import database_url

    url = database_url(args.database)
    if not url.startswith("postgresql"):
        raise SystemExit("the city benchmark runs on PostgreSQL: --database postgresql://…")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "GRIDCARE_INSTANCE_PATH": args.instance})
    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "GRIDCARE_INSTANCE_PATH": args.instance,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "GRIDCARE_DATA_KEY": app.config.get("GRIDCARE_DATA_KEY")
        or (Path(args.instance) / "data.key").read_text().strip(),
    }
    size = ensure_city(app, env)
    today = date.today()
    period = args.period or f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    print(
        f"city: {size['households']:,} households, {size['residents']:,} residents, "
        f"{size['visits']:,} visits; gunicorn.conf.py on 127.0.0.1:{args.port}"
    )

    from gridcare.demo import DEMO_PASSWORD

    username, start, homes = busiest_worker(app)
    server = serve(env, args.port, args.gunicorn_config)
    base = f"http://127.0.0.1:{args.port}"
    try:
        trivial = Browser(base)
        worker = Browser(base).log_in(username, DEMO_PASSWORD)
        officer = Browser(base).log_in("officer1", DEMO_PASSWORD)
        civil = Browser(base).log_in("civil1", DEMO_PASSWORD)
        for browser in (worker, officer, civil, trivial):  # warm both workers
            for _ in range(4):
                browser.get("/healthz")
        walk = f"/visits/today?lat={start[0]:.6f}&lon={start[1]:.6f}"
        household = f"/visits/household/{homes[0][0]}"
        city_code = "620202"
        to_log = iter(homes[1:])  # the first stays open: the household page shows it

        def quick_log() -> float:
            household_id, visit_id = next(to_log)
            took, _ = worker.post(
                f"/visits/household/{household_id}/quick",
                {"visit_id": str(visit_id), "client_uuid": str(uuid.uuid4())},
            )
            return took

        def page(browser: Browser, path: str):
            return lambda: browser.get(path)[0]

        search = "/registry/households?q=" + urllib.parse.quote("王")
        print(f"worker {username}: {len(homes)} open home visits due within a week")
        worker.get("/visits/today")  # its CSRF token serves the quick logs
        timings = [
            interleaved(Timing("worker page"), trivial, page(worker, "/visits/today"), rounds),
            interleaved(Timing("worker page, walking order"), trivial, page(worker, walk), rounds),
            interleaved(Timing("household page"), trivial, page(worker, household), rounds),
            interleaved(Timing("quick-log POST"), trivial, quick_log, min(rounds, len(homes) - 1)),
            interleaved(
                Timing("officer workload"), trivial, page(officer, "/visits/workload"), rounds
            ),
            interleaved(Timing("hazard queue"), trivial, page(officer, "/hazards/queue"), rounds),
            interleaved(Timing("name search, whole city"), trivial, page(civil, search), rounds),
        ]
        for timing in timings:
            print(timing.line())
        coverage_path = f"/reports/coverage?period={period}"
        with app.app_context():
            from gridcare.areas.services import area_by_code

            district = area_by_code(city_code)
            coverage_path += f"&area={district.id}"
        report = coverage_against_sql(
            app,
            city_code,
            period,
            lambda: civil.get(coverage_path)[0],
            max(1, min(args.coverage_rounds, 50)),
        )
        print(report.line())
    finally:
        server.terminate()
        server.wait(timeout=30)
    jobs = [] if args.no_jobs else run_jobs(env)
    print(summary(size, timings, report, jobs))


def summary(size, timings: list[Timing], report: CoverageAgainstSql, jobs) -> str:
    """One line: what the issue's "done" asks, each figure with its verdict."""
    by_name = {t.name: t for t in timings}
    parts = []
    failed = False
    for name, bound in BOUNDS_MS.items():
        tail = p95(by_name[name].samples) * 1000
        failed |= tail > bound
        parts.append(f"{name} p95 {tail:.0f} ms (≤{bound:.0f})")
    ratio = statistics.median(report.page_s) / statistics.median(report.sql_s)
    failed |= ratio > COVERAGE_BOUND or not report.same_counts
    parts.append(f"coverage {ratio:.1f}× SQL (≤{COVERAGE_BOUND})")
    for name, took, said in jobs:
        failed |= said.startswith("FAILED")
        parts.append(f"{name} {took:.0f} s")
    verdict = "FAIL" if failed else "PASS"
    # The trivial route's p50 says how busy the machine was: read the bounds beside it.
    floor = statistics.median([s for t in timings for s in t.trivial]) * 1000
    return (
        f"bench-city {verdict}: {size['households']:,} households, trivial route p50 "
        f"{floor:.1f} ms; " + "; ".join(parts)
    )


if __name__ == "__main__":
    main()
