"""Regenerate the README's screenshots (docs/screenshots/*.png) from a demo Lentera.

    python bench/screenshots.py            # starts its own Lentera (demo data), writes the PNGs
    python bench/screenshots.py --out /tmp/shots

Lentera is started the way the browser tests do (tests/e2e/live_server.py: a fresh SQLite
database, demo accounts, the demo courses), and one learner is brought to a state that shows
the pages at their most telling (tests/e2e/pages.py `prepare_site`: a course in progress, a
course completed), plus two assignments, one overdue. Then Debian's Chromium takes each page at
393 px (a Pixel 5) and 1366 px (an office laptop): the learner's home, HR's JP report, the
trainer's course report, and a final test's result page passed and not yet passed (a second
learner fails the final test of the course the first one passed). Images are cut at
MAX_HEIGHT CSS pixels and stored as palette PNGs (Pillow's quantiser) so the whole folder stays
well under 1.5 MB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import httpx  # noqa: E402 - needs the repository on sys.path first
from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from app import clock  # noqa: E402
from app.content.models import Course  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.learning.models import Assignment  # noqa: E402
from tests.e2e.live_server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    login_cookies,
    run_lentera,
)
from tests.e2e.pages import DONE_COURSE, complete_course, prepare_site  # noqa: E402
from tests.factories import DEFAULT_PASSWORD, make_user  # noqa: E402

OUT = REPO_ROOT / "docs" / "screenshots"
MAX_HEIGHT = 2000  # CSS px kept from the top of each page
COLOURS = 96
WIDTHS = {"393": {"width": 393, "height": 851}, "1366": {"width": 1366, "height": 768}}
# (file stem, role whose session is used, path)
SHOTS = [
    ("learner-home", "learner", "/"),
    ("hr-jp-report", "hr", "/laporan/jp"),
    ("trainer-report", "admin", "/pengajar/kursus/PPP-101/laporan"),
    ("quiz-result-pass", "learner", "{passed}"),
    ("quiz-result-fail", "failing", "{failed}"),
]


def _assign_courses(database_url: str, learner_id: int) -> None:
    """PPP-101 (in progress) due in two weeks, MWK-201 (not started) overdue."""
    engine = make_engine(database_url)
    with sessionmaker(bind=engine)() as session:
        ids = dict(session.execute(select(Course.code, Course.id)).all())
        today = clock.today()
        for code, days in (("PPP-101", 14), ("MWK-201", -3)):
            due = today + timedelta(days=days)
            session.add(Assignment(user_id=learner_id, course_id=ids[code], due_on=due))
        session.commit()
    engine.dispose()


def _final_tests(
    base_url: str, session: Session, cookies: dict[str, dict[str, str]]
) -> dict[str, str]:
    """The first learner's passed final test, and a second learner's failed one."""
    failing = make_user(session, full_name="Andi Mappatunru", unit_name="Kelurahan Besusu")
    session.commit()
    cookies["failing"] = login_cookies(base_url, failing.nip, DEFAULT_PASSWORD)
    with httpx.Client(
        base_url=base_url, cookies=cookies["failing"], follow_redirects=False, timeout=20
    ) as client:
        failed = complete_course(client, session, failing, DONE_COURSE, pass_final=False)
    return {"passed": f"/kursus/{DONE_COURSE}/tes/tes-akhir/1", "failed": failed}


def _shrink(path: Path) -> None:
    """Cut to MAX_HEIGHT and store as a palette PNG (a few tens of KB instead of hundreds)."""
    with Image.open(path) as image:
        image = image.convert("RGB")
        if image.height > MAX_HEIGHT:
            image = image.crop((0, 0, image.width, MAX_HEIGHT))
        image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def _take(
    base_url: str, cookies: dict[str, dict[str, str]], urls: dict[str, str], out: Path
) -> None:
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        for label, viewport in WIDTHS.items():
            phone = label == "393"
            for stem, role, path in SHOTS:
                context = browser.new_context(
                    base_url=base_url,
                    viewport=viewport,
                    device_scale_factor=1,
                    locale="id-ID",
                    is_mobile=phone,
                    has_touch=phone,
                )
                context.add_cookies(
                    [{"name": k, "value": v, "url": base_url} for k, v in cookies[role].items()]
                )
                page = context.new_page()
                page.goto(path.format(**urls), wait_until="networkidle")
                target = out / f"{stem}-{label}.png"
                page.screenshot(path=str(target), full_page=True)
                context.close()
                _shrink(target)
                print(f"{target}  {target.stat().st_size // 1024} KB")
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="lentera-shots-") as tmp,
        run_lentera(Path(tmp)) as server,
    ):
        engine = make_engine(server.database_url)
        with sessionmaker(bind=engine, expire_on_commit=False)() as session:
            site = prepare_site(server, session)
        with sessionmaker(bind=engine, expire_on_commit=False)() as session:
            urls = _final_tests(server.base_url, session, site.cookies)
        engine.dispose()
        _assign_courses(server.database_url, site.learner.id)
        _take(server.base_url, site.cookies, urls, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
