"""Fixtures for the browser tests: one live server and one chromium for the whole run.

The live server has a database of its own (a SQLite file with the demo city) and commits
for real, so the per-test rollback of tests/conftest.py does not apply here.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.live import (
    INSTALL_HINT,
    LiveServer,
    chromium_path,
    launch_chromium,
    serve_demo,
    stage_worker_pages,
)

AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Replaces the rollback fixture: the live server's data stays for the whole run."""
    yield


@pytest.fixture(scope="session")
def browser():
    if os.environ.get("GRIDCARE_TEST_DATABASE_URL"):
        pytest.skip("the browser tests run against their own SQLite database, in `make test`")
    if chromium_path() is None:
        pytest.skip(INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live(browser, tmp_path_factory) -> Iterator[LiveServer]:
    with serve_demo(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture
def phone(live, browser):
    """A function that opens a new phone (its own cookies and cache); all closed afterwards."""
    opened = []

    def open_phone(**options):
        context = live.phone(browser, **options)
        context.set_default_timeout(15_000)
        opened.append(context)
        return context

    yield open_phone
    for context in opened:
        context.close()


@pytest.fixture
def page(phone):
    return phone().new_page()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE_SCRIPT.exists():
        pytest.skip("axe-core is not installed: run `make browser-deps` (needs npm)")
    return AXE_SCRIPT


@pytest.fixture(scope="session")
def worker_pages(live) -> dict[str, str]:
    return stage_worker_pages(live)
