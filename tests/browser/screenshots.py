"""Screenshots of the main pages on a phone and on a desktop, for the README.

`make screenshots` runs `python -m tests.browser.screenshots`: the demo city on a live
server, chromium at 360 × 740 and 1280 × 800 (the desk pages at 1280 only, whole), PNGs
into docs/screenshots/. Chinese text
needs a CJK font (Debian: `apt-get install fonts-noto-cjk`).
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from tests.browser.live import (
    DESKTOP,
    INSTALL_HINT,
    chromium_path,
    launch_chromium,
    log_in,
    serve_demo,
    stage_desk_pages,
    stage_worker_pages,
)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# (file name, who, page: a path or one of the worker's pages)
SHOTS = [
    ("worker-today", "worker1", "today"),
    ("worker-safety-check", "worker1", "safety check"),
    ("worker-hazard", "worker1", "hazard"),
    ("officer-workload", "officer1", "/visits/workload"),
    ("civil-affairs-reports", "civil1", "/reports/"),
]
# The desk, at 1280 × 800 only: these pages are used at a desk. "{grid}" and "{hazard}"
# are the grid and hazard stage_desk_pages prepared.
DESK_SHOTS = [
    (
        "officer-assign",
        "officer1",
        "/visits/assign?grid={grid}&care_levels=2&kind=safety_check&worker_id=0",
    ),
    ("officer-hazard-review", "officer1", "/hazards/{hazard}"),
    ("officer-scorecards", "officer1", "/reports/scorecards"),
    ("officer-new-resident", "officer1", "/registry/households/{household}/residents/new"),
    ("civil-affairs-coverage", "civil1", "/reports/coverage"),
    ("civil-affairs-exports", "civil1", "/reports/exports"),
]


def has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def shrink(path: Path) -> None:
    """A palette PNG: screens of flat colour and text lose nothing visible, and weigh less."""
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=96, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> int:
    if chromium_path() is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    if not has_cjk_font():
        print(
            "warning: no Chinese font found, the text will show as boxes: "
            "apt-get install fonts-noto-cjk",
            file=sys.stderr,
        )
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as folder,
        serve_demo(Path(folder)) as live,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        worker_pages = stage_worker_pages(live)
        desk = stage_desk_pages(live)
        filled = {
            "grid": desk["grid_id"],
            "hazard": desk["hazard_id"],
            "household": desk["household_id"],
        }
        screens = {
            "phone": lambda: live.phone(browser, device_scale_factor=1),
            "desktop": lambda: browser.new_context(**DESKTOP, base_url=live.url),
        }
        for screen, open_context in screens.items():
            pages = {}
            shots = SHOTS + (DESK_SHOTS if screen == "desktop" else [])
            for name, username, target in shots:
                # A desk page is shown whole: its next step or its tables are below the fold.
                whole = (name, username, target) in DESK_SHOTS
                if username not in pages:
                    pages[username] = open_context().new_page()
                    log_in(pages[username], username, position=screen == "phone")
                page = pages[username]
                page.goto(worker_pages.get(target, target.format(**filled)))
                page.wait_for_load_state("networkidle")
                path = OUT / f"{name}-{screen}.png"
                page.screenshot(path=path, full_page=whole)
                shrink(path)
                print(f"{path.relative_to(OUT.parents[1])}: {path.stat().st_size // 1024} KB")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
