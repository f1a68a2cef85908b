"""Every page type fits the screen: no sideways scroll of the page at 360 px (a small Android
phone) or at 1366 px (the common office laptop), and every column of the report tables in view
on a Pixel 5 (393 px), where data tables become labelled card rows (lentera.css `table.stack`).

One test per role visits all that role's pages in one browser context per width, so the whole
check costs a few page loads each. A table that still scrolls inside its own box (a course
module's wide Markdown table) is fine: only the page itself must not scroll sideways.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.pages import PAGE_TYPES, Site

if TYPE_CHECKING:
    from playwright.sync_api import FilePayload, Page

PHONE_360 = {"viewport": {"width": 360, "height": 740}}
DESKTOP = {
    "viewport": {"width": 1366, "height": 768},
    "is_mobile": False,
    "has_touch": False,
    "device_scale_factor": 1,
}
ROLES = ["anonymous", "learner", "trainer", "hr", "admin"]
# Pages with report tables whose every column must be in view on a Pixel 5.
REPORT_PAGES = {
    "people",
    "assignment-list",
    "hr-dashboard",
    "jp-compliance",
    "evaluation-overview",
    "course-report-hr",
    "trainer-course-report",
}
# (width of the page's content, width of the window): more than the window scrolls sideways.
PAGE_WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"
# Cells of report tables (closed <details> opened first) outside the window or not drawn.
CELLS_OUT_OF_VIEW = """() => {
  document.querySelectorAll("main details").forEach((d) => { d.open = true; });
  const out = [];
  for (const table of document.querySelectorAll("main table")) {
    for (const row of [...table.tBodies].flatMap((b) => [...b.rows]).slice(0, 5)) {
      for (const cell of row.cells) {
        const box = cell.getBoundingClientRect();
        if (cell.textContent.trim() === "") continue;
        if (box.width === 0 || box.left < 0 || box.right > window.innerWidth + 1) {
          const head = table.tHead ? table.tHead.rows[0].cells[cell.cellIndex] : null;
          out.push(`${head ? head.textContent.trim() : "?"}: ${cell.textContent.trim()}`);
        }
      }
    }
  }
  return out;
}"""


def _pages_of(site: Site, role: str) -> list[tuple[str, str]]:
    return [
        (page_id, site.pages[page_id].path) for page_id, who, _path in PAGE_TYPES if who == role
    ]


def _too_wide(page: Page, paths: list[tuple[str, str]]) -> list[str]:
    wide = []
    for page_id, path in paths:
        page.goto(path, wait_until="load")
        content, window = page.evaluate(PAGE_WIDTH)
        if content > window:
            wide.append(f"{page_id} ({path}): {content} px in a {window} px window")
    return wide


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_and_report_columns_stay_in_view(
    role: str,
    site: Site,
    pages_by_role: Callable[..., Page],
    screenshot: Callable[[Page, str], Any],
) -> None:
    paths = _pages_of(site, role)
    assert paths, f"no page type for {role}"

    for name, options in (("360 px", PHONE_360), ("1366 px", DESKTOP)):
        wide = _too_wide(pages_by_role(role, **options), paths)
        assert not wide, f"pages wider than the window at {name}:\n" + "\n".join(wide)

    phone = pages_by_role(role)  # the Pixel 5 profile: 393 px
    hidden = []
    for page_id, path in paths:
        if page_id not in REPORT_PAGES:
            continue
        phone.goto(path, wait_until="load")
        cells = phone.evaluate(CELLS_OUT_OF_VIEW)
        if cells:
            screenshot(phone, f"{page_id}-columns")
            hidden.append(f"{page_id}: {cells[:6]}")
    assert not hidden, "report table cells out of view at 393 px:\n" + "\n".join(hidden)


def test_the_course_page_main_button_is_on_the_first_screen_of_a_phone(
    site: Site, pages_by_role: Callable[..., Page]
) -> None:
    phone = pages_by_role("learner")
    phone.goto(site.pages["course"].path, wait_until="load")
    box = phone.locator("main .status a.button").first.bounding_box()
    height = phone.evaluate("window.innerHeight")
    assert box is not None and box["y"] + box["height"] <= height, (box, height)


def test_an_upload_error_with_a_long_file_name_fits_a_phone(
    site: Site, pages_by_role: Callable[..., Page]
) -> None:
    phone = pages_by_role("trainer", **PHONE_360)
    phone.goto(site.pages["trainer-home"].path, wait_until="load")
    name = "materi-pelatihan-pelayanan-publik-prima-versi-revisi-akhir-2026-final.txt"
    upload: FilePayload = {"name": name, "mimeType": "text/plain", "buffer": b"x"}
    phone.set_input_files("#f-zip", files=[upload])
    phone.get_by_role("button", name="Periksa dan unggah").click()
    phone.wait_for_load_state("load")
    assert phone.get_by_text("Unggahan ditolak").is_visible()
    content, window = phone.evaluate(PAGE_WIDTH)
    assert content <= window, f"the upload error page is {content} px wide in {window} px"


def test_header_links_and_the_main_button_are_44_px_tap_targets(
    site: Site, pages_by_role: Callable[..., Page]
) -> None:
    phone = pages_by_role("admin")  # the most links in the header
    phone.goto("/", wait_until="load")
    heights = phone.eval_on_selector_all(
        ".top nav a, .top nav button",
        "els => els.map(e => [e.textContent.trim(), e.getBoundingClientRect().height])",
    )
    assert len(heights) >= 6  # Beranda … Profil, Keluar
    assert all(height >= 44 for _name, height in heights), heights
    learner = pages_by_role("learner")
    learner.goto("/", wait_until="load")
    box = learner.locator("main .next-up a.button").first.bounding_box()
    assert box is not None and box["height"] >= 44
