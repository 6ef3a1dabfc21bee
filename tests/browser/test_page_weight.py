"""Page weight on a worker's phone: what crosses the network, as chromium counts it.

A worker is often on a weak, metered connection: each page at most 60 KB on first load
(empty cache) and 10 KB when it is opened again, and nothing fetched from anywhere but
the app itself.
"""

import pytest

from tests.browser.live import log_in, wait_for_walking_order

pytestmark = pytest.mark.browser

FIRST_LOAD_LIMIT = 60_000
REPEAT_LIMIT = 10_000
WORKER_PAGES = (
    "today",
    "household visits",
    "household record",
    "log a visit",
    "safety check",
    "hazard form",
    "hazard",
    "my hazards",
    "messages",
)


class Traffic:
    """Bytes received (compressed, headers included) and URLs requested by one page.

    Counted from the DevTools protocol's `encodedDataLength`, which is what the network
    panel shows as "transferred": zero for anything served from the browser's cache.
    """

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.on("Network.requestWillBeSent", self._requested)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", self._failed)
        self.cdp.send("Network.enable")
        self.reset()

    def reset(self) -> None:
        self.urls: list[str] = []
        self.url_of: dict[str, str] = {}
        self.received: dict[str, float] = {}
        self.failed: list[str] = []

    def clear_cache(self) -> None:
        self.cdp.send("Network.clearBrowserCache")

    def _requested(self, event) -> None:
        self.urls.append(event["request"]["url"])
        self.url_of[event["requestId"]] = event["request"]["url"]

    def _finished(self, event) -> None:
        if event["requestId"] in self.url_of:  # not one left over from an earlier page
            self.received[event["requestId"]] = event["encodedDataLength"]

    def _failed(self, event) -> None:
        self.failed.append(event.get("errorText", "failed"))

    def breakdown(self) -> str:
        return ", ".join(
            f"/{self.url_of[rid].split('/', 3)[-1]}: {int(size)} B"
            for rid, size in self.received.items()
            if not self.url_of[rid].startswith("data:")
        )

    @property
    def total(self) -> int:
        return int(sum(self.received.values()))

    def load(self, page, url: str) -> int:
        """Open `url` (and whatever it reloads itself into); returns the bytes received."""
        self.reset()
        page.goto(url)
        wait_for_walking_order(page)
        page.wait_for_load_state("networkidle")
        return self.total


@pytest.mark.parametrize("name", WORKER_PAGES)
def test_worker_page_is_light_and_fetches_nothing_from_elsewhere(live, phone, worker_pages, name):
    # Without a Service Worker (as in in-app browsers) every byte the page needs crosses
    # the network, where DevTools counts it; with one, its fetches are counted apart below.
    page = phone(service_workers="block").new_page()
    log_in(page, "worker1")
    page.goto("about:blank")  # counting starts on an empty page
    traffic = Traffic(page)
    # Start as a phone that never came: the login filled the cache, and the start page
    # remembered the position (so the day's list, opened again, need not reload itself).
    traffic.clear_cache()
    page.context.clear_cookies(name="gridcare_here")

    first = traffic.load(page, worker_pages[name])
    first_urls, first_breakdown = list(traffic.urls), traffic.breakdown()
    repeat = traffic.load(page, worker_pages[name])
    print(f"{name}: first load {first} B ({first_breakdown})")
    print(f"{name}: repeat {repeat} B ({traffic.breakdown()})")

    # data: URLs are built into the page (chromium's own date-picker icon): no network.
    foreign = [u for u in first_urls + traffic.urls if not u.startswith((live.url + "/", "data:"))]
    assert not foreign, f"{name} fetched from outside the app: {foreign}"
    assert not traffic.failed, f"{name}: requests failed: {traffic.failed}"
    assert first <= FIRST_LOAD_LIMIT, (
        f"{name} transferred {first} bytes on first load (limit {FIRST_LOAD_LIMIT}): {first_urls}"
    )
    assert repeat <= REPEAT_LIMIT, (
        f"{name} transferred {repeat} bytes when opened again (limit {REPEAT_LIMIT}): "
        f"{traffic.breakdown()}"
    )
