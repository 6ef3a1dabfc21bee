"""Benchmark: importing 10,000 residents from an XLSX file.

    .venv/bin/python -m tests.benchmarks.imports [--rows 10000] [--repeat 3]

Builds a throwaway SQLite database in a temporary folder: migrates it, creates the demo
city's area tree and an officer over the whole district, and writes an XLSX of the demo
city's residents (one row each, with contacts, disabilities and certificates) in the
import template's columns. Then measures, and prints medians:
- the dry run (checks every row, writes nothing);
- the apply, on a fresh copy of the database each time (households, residents,
  contacts, audit events, care levels, and the visit schedules that follow them);
- importing the same file again, which must create and change nothing.
The requirement is an apply of 10,000 rows in under 30 s.
"""

import argparse
import io
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from gridcare import create_app
from gridcare.config import TestConfig

LIMIT_SECONDS = 30.0


def median_s(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} s (min {min(samples):.2f}, n={len(samples)})"


def make_app(db_file: Path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "SECRET_KEY": "bench",
            "GRIDCARE_DATA_KEY": TestConfig.GRIDCARE_DATA_KEY,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    app.instance_path = str(db_file.parent)
    return app


def prepare(app) -> list:
    """Migrate, write the demo city's areas and an officer; the planned households."""
    from flask_migrate import upgrade

    from gridcare.accounts.models import Role, User
    from gridcare.areas.models import Area, AreaKind
    from gridcare.clock import today
    from gridcare.demo import DISTRICT_CODE, SCALES, plan_city
    from gridcare.extensions import db

    with app.app_context():
        upgrade()
        plan = plan_city(SCALES["district"], today())
        by_code = {}
        for kind in AreaKind:
            level = [a for a in plan.areas if a.kind == kind]
            for planned in level:
                parent = by_code.get(planned.parent_code)
                by_code[planned.code] = Area(
                    kind=kind, name=planned.name, code=planned.code, parent=parent
                )
            db.session.add_all(by_code[a.code] for a in level)
            db.session.flush()
            for planned in level:
                area = by_code[planned.code]
                area.path = f"{area.parent.path if area.parent else '/'}{area.id}/"
        db.session.add(
            User(
                username="bench-officer",
                password_hash="-",
                role=Role.officer,
                areas=[by_code[DISTRICT_CODE]],
            )
        )
        db.session.commit()
        db.engine.dispose()  # checkpoints the WAL, so the file can be copied
        return plan.households


def workbook(households, rows: int) -> bytes:
    """The demo city's current residents in the template's columns, `rows` of them."""
    from openpyxl import Workbook

    from gridcare.registry.imports import COLUMNS
    from gridcare.registry.models import ResidentStatus

    categories = ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("居民登记")
    sheet.append([c.header for c in COLUMNS])
    written = 0
    for h in households:
        for p in h.residents:
            if p.status != ResidentStatus.active:
                continue
            contact = p.contacts[0] if p.contacts else ("", "", "")
            sheet.append(
                [
                    h.grid_code,
                    h.address,
                    h.building,
                    h.unit,
                    h.room,
                    p.name,
                    p.id_number,
                    p.phone,
                    "是" if p.lives_alone else "否",
                    "是" if p.empty_nest else "否",
                    categories[p.disability[0] - 1] if p.disability else "",
                    p.disability[1] if p.disability else "",
                    p.certificate or "",
                    *contact,
                    p.health_notes,
                ]
            )
            written += 1
            if written == rows:
                out = io.BytesIO()
                book.save(out)
                return out.getvalue()
    raise SystemExit(f"the demo city has only {written} current residents")


class FollowTimer:
    """Adds up the time the apply spends re-deriving care levels, which includes the visits
    domain following the changed households (households_changed, in one batch)."""

    def __init__(self):
        from gridcare.registry import services

        self.seconds = 0.0
        self.wrapped = services.rederive_care_levels

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return self.wrapped(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        services.rederive_care_levels = timed


def run_import(app, content: bytes, dry_run: bool):
    from sqlalchemy import select

    from gridcare.accounts.models import User
    from gridcare.accounts.services import actor_for
    from gridcare.extensions import db
    from gridcare.registry.imports import import_residents

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "bench-officer"))
        actor = actor_for(user, "bench")
        started = time.perf_counter()
        report = import_residents(actor, content, dry_run=dry_run)
        elapsed = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    assert not report.problems, report.problems[:5]
    return elapsed, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="gridcare-bench-"))
    base = folder / "base.db"
    households = prepare(make_app(base))
    content = workbook(households, args.rows)
    print(f"{args.rows} rows, XLSX of {len(content) / 1024:.0f} KiB")

    dry = []
    for _ in range(args.repeat):
        elapsed, report = run_import(make_app(base), content, dry_run=True)
        dry.append(elapsed)
    print(
        f"dry run: {median_s(dry)}; would create {report.households_created} households, "
        f"{report.residents_created} residents"
    )

    applied, again, following = [], [], []
    timer = FollowTimer()
    for n in range(args.repeat):
        db_file = folder / f"run{n}.db"
        shutil.copy(base, db_file)
        app = make_app(db_file)
        timer.seconds = 0.0
        elapsed, report = run_import(app, content, dry_run=False)
        applied.append(elapsed)
        following.append(timer.seconds)
        assert report.applied and report.residents_created == args.rows
        elapsed, second = run_import(app, content, dry_run=False)
        again.append(elapsed)
        assert second.created == 0 and second.updated == 0, (second.created, second.updated)
    print(
        f"apply: {median_s(applied)}; created {report.households_created} households, "
        f"{report.residents_created} residents"
    )
    with app.app_context():
        from sqlalchemy import func, select

        from gridcare.extensions import db
        from gridcare.visits.models import CareSchedule, Visit

        schedules = db.session.scalar(select(func.count(CareSchedule.id)))
        visits = db.session.scalar(select(func.count(Visit.id)))
    print(f"  of which care levels and the visit schedules following them: {median_s(following)}")
    print(f"  care schedules followed: {schedules} schedules, {visits} planned visits")
    print(f"same file again: {median_s(again)}; created 0, updated 0")
    verdict = "ok" if statistics.median(applied) < LIMIT_SECONDS else "TOO SLOW"
    print(f"apply under {LIMIT_SECONDS:.0f} s: {verdict}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
