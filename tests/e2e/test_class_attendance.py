"""A blended class in real browsers: the trainer schedules it and shows the attendance code;
a learner on another phone registers, is refused an expired code and another session's code,
types the code from the trainer's screen and is recorded present; the trainer finalises and
the learner's record (/riwayat) shows the class's JP."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role
from app.classes import attendance, service
from app.classes.models import ClassRegistration
from app.db import utcnow
from app.learning.models import Completion
from tests.e2e import flows
from tests.e2e.flows import NewLearner
from tests.e2e.live_server import server_env
from tests.e2e.test_accessibility import RUN_AXE, _describe

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

SECRET = server_env(Path("."), "", "")["LENTERA_SECRET_KEY"]
TITLE = "Workshop Presensi QR"


def _times_now() -> tuple[datetime, datetime]:
    """A local start a few minutes ago and an end later the same local day."""
    now = clock.local(utcnow())
    start = now - timedelta(minutes=5)
    if start.date() != now.date():
        start = datetime.combine(now.date(), time(0, 0), now.tzinfo)
    end = min(start + timedelta(hours=2), datetime.combine(now.date(), time(23, 59), now.tzinfo))
    return start, end


def _schedule_in_browser(page: Page, start: datetime, end: datetime) -> int:
    page.goto("/kelas/baru")
    page.locator("#f-title").fill(TITLE)
    page.locator("#f-jp").fill("5")
    page.locator("#f-category").select_option("teknis")
    page.locator("#f-day").fill(start.date().isoformat())
    page.locator("#f-start").fill(start.strftime("%H:%M"))
    page.locator("#f-end").fill(end.strftime("%H:%M"))
    page.locator("#f-place").fill("Aula BKPSDM Kota Palu")
    page.locator("#f-capacity").fill("10")
    flows.submit(page, "Simpan")
    match = re.search(r"/kelas/(\d+)/kelola", page.url)
    assert match, page.url
    return int(match.group(1))


def _type_code(page: Page, class_id: int, code: str) -> None:
    page.goto(f"/kelas/{class_id}/hadir")
    page.locator("#f-kode").fill(code)
    flows.submit(page, "Catat kehadiran saya")


def _axe(page: Page, axe_script: Path, *, refreshing: bool = False) -> None:
    page.add_script_tag(path=str(axe_script))
    violations = page.evaluate(RUN_AXE)
    if refreshing:
        # The code screen refreshes with its code, every 30 s: the time limit is the real-time
        # event itself (WCAG 2.2.1's real-time exception), and the page offers a link that
        # stops the refresh. Every other rule still applies to it.
        violations = [v for v in violations if v["id"] != "meta-refresh"]
    assert not violations, f"{page.url}:\n{_describe(violations)}"


def test_code_from_the_trainer_screen_is_accepted_and_credits_jp(
    new_context: Callable[..., BrowserContext],
    db: Session,
    new_learner: NewLearner,
    axe_script: Path,
) -> None:
    trainer_user, password = new_learner(roles={Role.TRAINER})
    learner_user, learner_password = new_learner()
    # bypass_csp: the Content-Security-Policy rightly refuses an injected axe script.
    trainer = new_context(bypass_csp=True).new_page()
    flows.login(trainer, trainer_user.nip, password)
    start, end = _times_now()
    class_id = _schedule_in_browser(trainer, start, end)
    # Another session running now, whose code must be refused here.
    other = service.schedule(
        db,
        service.SessionValues(
            title="Kelas lain", description="", course_id=None, jp=2, category="teknis",
            starts_at=start, ends_at=end, place="Ruang 2", online_url="", capacity=5,
            registration="open", late_after_minutes=None,
        ),
        actor_id=trainer_user.id,
    )  # fmt: skip
    db.commit()

    learner = new_context(bypass_csp=True).new_page()
    flows.login(learner, learner_user.nip, learner_password)
    learner.goto(f"/kelas/{class_id}")
    flows.submit(learner, "Daftar")
    assert "Anda terdaftar" in learner.locator("main").inner_text()
    _axe(learner, axe_script)

    # An expired code (three windows ago) and the other session's current code are refused.
    now = utcnow()
    expired = attendance.code_for(SECRET, class_id, attendance.window_of(now) - 3)
    _type_code(learner, class_id, expired)
    assert "kedaluwarsa" in learner.get_by_role("alert").inner_text()
    _type_code(learner, class_id, attendance.current_code(SECRET, other.id, utcnow()))
    assert "kelas lain" in learner.get_by_role("alert").inner_text()
    _axe(learner, axe_script)

    # The code the trainer's screen shows, typed on the learner's phone.
    trainer.goto(f"/kelas/{class_id}/kode")
    assert trainer.locator('meta[http-equiv="refresh"]').count() == 1
    assert trainer.locator(".qr svg").count() == 1
    shown = trainer.locator("#kode").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", shown)
    _axe(trainer, axe_script, refreshing=True)
    _type_code(learner, class_id, shown)
    assert "Kehadiran Anda tercatat" in learner.get_by_role("status").inner_text()
    db.expire_all()
    registration = db.scalars(
        select(ClassRegistration).where(
            ClassRegistration.session_id == class_id, ClassRegistration.user_id == learner_user.id
        )
    ).one()
    assert registration.attendance == "present" and registration.arrived_at is not None

    # The trainer finalises; the learner's record shows the class and its JP.
    trainer.goto(f"/kelas/{class_id}/kelola")
    assert learner_user.full_name in trainer.locator("table").inner_text()
    _axe(trainer, axe_script)
    flows.submit(trainer, "Finalkan kelas dan catat JP")
    assert "1 peserta mendapat 5 JP dan sertifikat" in trainer.locator("main").inner_text()
    flows.submit(trainer, "Ya, finalkan dan catat JP")
    assert "difinalkan" in trainer.get_by_role("status").inner_text()
    db.expire_all()
    done = db.scalars(select(Completion).where(Completion.class_session_id == class_id)).one()
    assert (done.user_id, done.jp) == (learner_user.id, 5)
    learner.goto("/riwayat")
    record = learner.locator("main").inner_text()
    assert TITLE in record
    assert "5 dari 20 JP" in record  # the year's total: the class's 5 JP, credited once
