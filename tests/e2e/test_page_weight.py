"""Every learner page stays light on a weak mobile connection: at most 30 KB transferred for a
first visit with an empty cache (the page, its stylesheet, script and icon, compressed as sent,
headers included), course images aside.

Bytes are Chromium's own count (DevTools' "transferred": CDP `Network.loadingFinished`
encodedDataLength), with the browser cache disabled so every file is fetched, and the service
worker blocked so its one-time install does not blur what the page itself costs. A table of
every page is written to test-artifacts/e2e/page-weight.txt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.live_server import ARTIFACTS_DIR, LiveServer
from tests.e2e.pages import Site

if TYPE_CHECKING:
    from playwright.sync_api import CDPSession, Page

BUDGET = 30 * 1024
LEARNER_PAGES = [
    "login",
    "home-learner",
    "catalogue",
    "course",
    "course-completed",
    "module",
    "module-with-image",
    "simulation-situation",
    "simulation-choice",
    "quiz-info",
    "quiz-attempt",
    "quiz-result",
    "verification",
    "profile",
    "learning-record",
    "offline",
    "error-404",
]
REPORT = ARTIFACTS_DIR / "e2e" / "page-weight.txt"


@dataclass
class Transfers:
    """What the browser fetched for one navigation, per request id."""

    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    redirects: list[tuple[str, int]] = field(default_factory=list)

    def clear(self) -> None:
        self.responses.clear()
        self.sizes.clear()
        self.redirects.clear()

    def rows(self, base_url: str) -> list[tuple[str, str, int]]:
        """(path, MIME type, bytes) of everything fetched, redirects included."""
        rows = [(url.removeprefix(base_url), "redirect", size) for url, size in self.redirects]
        for request_id, size in self.sizes.items():
            response = self.responses.get(request_id)
            if response is not None:
                url = response["url"].removeprefix(base_url)
                rows.append((url, response["mimeType"], size))
        return rows


def is_course_image(path: str, mime: str) -> bool:
    return "/berkas/" in path and mime.startswith("image/")


@pytest.fixture(scope="module")
def metered(
    pages_by_role: Callable[..., Page],
) -> Iterator[Callable[[str], tuple[Page, Transfers]]]:
    """A page per role whose every transfer is counted, with the browser cache off."""
    sessions: dict[str, tuple[Page, Transfers, CDPSession]] = {}

    def _metered(role: str) -> tuple[Page, Transfers]:
        if role not in sessions:
            page = pages_by_role(role, service_workers="block")
            transfers = Transfers()
            cdp = page.context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

            def on_request(event: dict[str, Any]) -> None:
                redirect = event.get("redirectResponse")
                if redirect is not None:
                    transfers.redirects.append((redirect["url"], redirect["encodedDataLength"]))

            def on_response(event: dict[str, Any]) -> None:
                transfers.responses[event["requestId"]] = event["response"]

            def on_finished(event: dict[str, Any]) -> None:
                transfers.sizes[event["requestId"]] = int(event["encodedDataLength"])

            cdp.on("Network.requestWillBeSent", on_request)
            cdp.on("Network.responseReceived", on_response)
            cdp.on("Network.loadingFinished", on_finished)
            sessions[role] = (page, transfers, cdp)
        page, transfers, _cdp = sessions[role]
        return page, transfers

    yield _metered
    for _page, _transfers, cdp in sessions.values():
        cdp.detach()


@pytest.fixture(scope="module")
def weight_report() -> Iterator[list[str]]:
    lines: list[str] = []
    yield lines
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    header = f"{'page':<22} {'bytes':>7}  (first visit, empty cache; budget {BUDGET})"
    REPORT.write_text("\n".join([header, *lines]) + "\n")


@pytest.mark.parametrize("page_id", LEARNER_PAGES)
def test_learner_page_transfers_at_most_30_kb_on_a_first_visit(
    page_id: str,
    site: Site,
    live_server: LiveServer,
    metered: Callable[[str], tuple[Page, Transfers]],
    weight_report: list[str],
) -> None:
    page_type = site.pages[page_id]
    page, transfers = metered(page_type.role)
    transfers.clear()
    page.goto(page_type.path, wait_until="load")
    # Read the whole page, as a learner does: lazy images load (and are left out below), and
    # anything else fetched late counts too.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    for image in page.locator("main img").all():
        image.scroll_into_view_if_needed()
        page.wait_for_function("image => image.complete", arg=image.element_handle())
    page.wait_for_load_state("networkidle")

    rows = transfers.rows(live_server.base_url)
    counted = [row for row in rows if not is_course_image(row[0], row[1])]
    total = sum(size for _path, _mime, size in counted)
    detail = ", ".join(f"{path} {size}" for path, _mime, size in counted)
    images = sum(size for path, mime, size in rows if is_course_image(path, mime))
    weight_report.append(f"{page_id:<22} {total:>7}  {detail}; course images {images}")
    assert counted, "nothing was fetched: the measurement is broken"
    if page_id == "module-with-image":
        assert images > 0, "the course image was fetched (and left out of the count)"
    assert total <= BUDGET, f"{page_type.path} transferred {total} bytes > {BUDGET}: {detail}"
