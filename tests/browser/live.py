"""A live gridcare server with the demo city, and the phone that browses it.

Shared by the browser tests (tests/browser/conftest.py) and `make screenshots`. The
browser is Debian's chromium (`apt-get install chromium`), driven by Playwright; its own
browser download is never used.
"""

import io
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import force_locale
from flask_migrate import upgrade
from PIL import Image, ImageDraw
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from werkzeug.serving import make_server

from gridcare import create_app
from gridcare.accounts.models import User
from gridcare.accounts.services import actor_for
from gridcare.areas.models import Area, AreaKind
from gridcare.clock import today
from gridcare.config import TestConfig
from gridcare.demo import DEMO_PASSWORD, load_demo
from gridcare.extensions import db
from gridcare.hazards import services as hazard_services
from gridcare.hazards.models import Hazard, HazardCategory, Severity
from gridcare.registry.models import Household
from gridcare.visits import services as visit_services
from gridcare.visits.models import Campaign, Visit, VisitKind, VisitStatus

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "chromium is not installed: `apt-get install chromium` (Debian's package; the browser "
    "tests do not use Playwright's own browser download)"
)

# A grid worker's phone: 360 × 740, touch, Chinese, in Jiayuguan's time zone.
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "has_touch": True,
    "is_mobile": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "permissions": ["geolocation"],
}
DESKTOP: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 800},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


def chromium_path() -> str | None:
    return shutil.which("chromium")


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask
    # Where the phone says it is: the middle of worker1's grid.
    position: dict[str, float]

    def phone(self, browser, **options):
        """A new phone (browser context) that shares its position with the app."""
        return browser.new_context(
            **{**PHONE, "base_url": self.url, "geolocation": self.position, **options}
        )

    def run(self, work: Callable[[], Any]) -> Any:
        """`work()` inside the app, on the live server's database."""
        with self.app.app_context():
            try:
                return work()
            finally:
                db.session.remove()

    def in_chinese(self, work: Callable[[], Any]) -> Any:
        """`work()` with the interface in Chinese, e.g. to read a label as a page shows it."""
        with self.app.test_request_context(), force_locale("zh_CN"):
            return work()


def live_config(folder: Path) -> dict[str, Any]:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'gridcare.db'}",
        # A real browser posts real forms: check their CSRF tokens as in production.
        WTF_CSRF_ENABLED=True,
        TESTING=False,
    )
    return config


@contextmanager
def serve_demo(folder: Path) -> Iterator[LiveServer]:
    """Serve the demo city (small scale, its first visits planned) on 127.0.0.1, a free port."""
    app = create_app(live_config(folder))
    app.instance_path = str(folder / "instance")
    Path(app.instance_path).mkdir(exist_ok=True)
    with app.app_context():
        upgrade()
        load_demo("small", history_days=0)
        visit_services.generate_visits(today())  # every household's first tasks
        position = _middle_of_grid("worker1")
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-gridcare", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, position)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def _middle_of_grid(username: str) -> dict[str, float]:
    worker = db.session.scalar(
        select(User).where(User.username == username).options(selectinload(User.areas))
    )
    grid_ids = [a.id for a in worker.areas]
    lat, lon = db.session.execute(
        select(func.avg(Household.lat), func.avg(Household.lon)).where(
            Household.grid_id.in_(grid_ids)
        )
    ).one()
    return {"latitude": round(lat, 6), "longitude": round(lon, 6), "accuracy": 20}


def log_in(page, username: str, password: str = DEMO_PASSWORD, *, position: bool = True) -> None:
    """Log in through the login page; returns once the user's start page has settled.

    `position`: whether the screen shares its position (a phone does, a desktop does not).
    """
    page.goto("/login")
    form = page.locator("form:not(.language-switch)")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "/login" not in page.url, f"{username} could not log in"
    if position:
        wait_for_walking_order(page)


def wait_for_walking_order(page) -> None:
    """On the day's list, wait until it has reloaded itself in walking order.

    position.js reloads the list once the phone's position comes in, a second or so after
    the page has loaded (later under load, and after "networkidle"): a test that reads the
    page or leaves it before then races that reload ("navigation interrupted by another
    navigation"). Any other page returns at once.
    """
    from playwright.sync_api import expect

    if urlsplit(page.url).path == "/visits/today":
        walking = page.locator("[data-walking-order][data-has-start]")
        expect(walking).to_have_count(1, timeout=15_000)


def jpeg_bytes(colour: str = "#c0392b") -> bytes:
    """A small photo-like JPEG: what a phone's camera would hand the form."""
    picture = Image.new("RGB", (480, 360), "#d9d4c7")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((60, 120, 420, 200), fill=colour)
    draw.ellipse((190, 40, 290, 140), outline="#333333", width=8)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def stage_worker_pages(live: LiveServer) -> dict[str, str]:
    """The worker's main pages, by name, for worker1 of the demo city.

    Uses households from the end of the grid's list (the journeys start at its top) and
    raises a major hazard with a photo there, so that every page has something to show.
    """

    def stage() -> dict[str, str]:
        worker = db.session.scalar(
            select(User).where(User.username == "worker1").options(selectinload(User.areas))
        )
        planned = {
            kind: db.session.scalar(
                select(Visit)
                .where(
                    Visit.worker_id == worker.id,
                    Visit.kind == kind,
                    Visit.status == VisitStatus.planned,
                )
                .order_by(Visit.household_id.desc())
            )
            for kind in VisitKind
        }
        home = planned[VisitKind.home_visit]
        check = planned[VisitKind.safety_check]
        hazard = hazard_services.raise_hazard(
            actor_for(worker),
            db.session.get(Household, home.household_id),
            category=HazardCategory.fire,
            severity=Severity.major,
            description="厨房灶台旁堆放纸箱等可燃物",
            today=today(),
            before_photo=jpeg_bytes(),
        )
        return {
            "today": "/visits/today",
            "household visits": f"/visits/household/{home.household_id}",
            "household record": f"/registry/households/{home.household_id}",
            "log a visit": (
                f"/visits/household/{home.household_id}/log?kind=home_visit&visit={home.id}"
            ),
            "safety check": (
                f"/visits/household/{check.household_id}/log?kind=safety_check&visit={check.id}"
            ),
            "hazard form": f"/hazards/household/{home.household_id}/new",
            "hazard": f"/hazards/{hazard.id}",
            "my hazards": "/hazards/mine",
            "messages": "/notifications",
        }

    return live.run(stage)


def stage_officer_pages(live: LiveServer) -> None:
    """A campaign and some overdue work in officer1's community, so their pages are full.
    Several test modules ask for it: the second time it does nothing."""

    def stage() -> None:
        officer = db.session.scalar(
            select(User).where(User.username == "officer1").options(selectinload(User.areas))
        )
        if db.session.scalar(select(Campaign.id).where(Campaign.name == "冬季燃气安全检查")):
            return
        visit_services.create_campaign(
            actor_for(officer),
            name="冬季燃气安全检查",
            kind=VisitKind.safety_check,
            area=officer.areas[0],
            care_levels=[1],
            flags=[],
            due_date=today() + timedelta(days=14),
            today=today(),
        )
        worker = db.session.scalar(
            select(User).where(User.username == "worker2").options(selectinload(User.areas))
        )
        some_of_theirs = (
            select(Visit.id)
            .where(Visit.worker_id == worker.id, Visit.status == VisitStatus.planned)
            .limit(3)
        )
        # Overdue is derived from the due date: moving it back makes the work late.
        db.session.execute(
            update(Visit)
            .where(Visit.id.in_(some_of_theirs.scalar_subquery()))
            .values(due_date=today() - timedelta(days=4))
        )
        db.session.commit()

    live.run(stage)


def stage_desk_pages(live: LiveServer) -> dict[str, int]:
    """officer1's pages full, one grid of theirs whose level-2 homes just had their safety
    check (so a one-off check by filter has households to reach), and a hazard reported
    fixed, awaiting the officer's review. Returns the ids of that grid, the hazard and its
    household."""
    stage_officer_pages(live)

    def stage() -> dict[str, int]:
        officer = db.session.scalar(
            select(User).where(User.username == "officer1").options(selectinload(User.areas))
        )
        grid = db.session.scalar(
            select(Area)
            .where(Area.kind == AreaKind.grid, Area.path.startswith(officer.areas[0].path))
            .order_by(Area.code.desc())
        )
        staged = db.session.scalar(
            select(Hazard.id).where(Hazard.description == DESK_HAZARD).order_by(Hazard.id)
        )
        if staged is not None:
            household_id = db.session.scalar(select(Hazard.household_id).where(Hazard.id == staged))
            return {"grid_id": grid.id, "hazard_id": staged, "household_id": household_id}
        homes = select(Household.id).where(Household.grid_id == grid.id, Household.care_level == 2)
        db.session.execute(
            update(Visit)
            .where(
                Visit.household_id.in_(homes),
                Visit.kind == VisitKind.safety_check,
                Visit.status == VisitStatus.planned,
            )
            .values(status=VisitStatus.done)
        )
        worker = db.session.scalar(
            select(User).where(User.username == "worker1").options(selectinload(User.areas))
        )
        household = db.session.scalar(
            select(Household).where(Household.grid_id == worker.areas[0].id).order_by(Household.id)
        )
        hazard = hazard_services.raise_hazard(
            actor_for(worker),
            household,
            category=HazardCategory.fire,
            severity=Severity.minor,
            description=DESK_HAZARD,
            today=today(),
            before_photo=jpeg_bytes("#8e44ad"),
        )
        hazard_services.move_hazard(
            actor_for(worker),
            hazard,
            "report_fixed",
            note="纸箱已清走，通道畅通",
            photo=jpeg_bytes("#27ae60"),
        )
        db.session.commit()
        return {"grid_id": grid.id, "hazard_id": hazard.id, "household_id": household.id}

    return live.run(stage)


DESK_HAZARD = "楼道堆放纸箱，堵住逃生通道"
