"""Reading offline on a phone: a saved course opens without a connection, a completion made
offline is queued and reaches the server, with the time it was made, once the phone is back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.learning.models import ModuleProgress, ProgressEvent
from tests.e2e import flows
from tests.e2e.flows import NewLearner
from tests.e2e.live_server import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    Shot = Callable[[Page, str], object]

COURSE = "KOM-101"
MODULE = "02-mendengarkan-aktif-dan-empati"
MODULE_PPP = "01-dasar-hukum-dan-asas"
SIMULATION = "06-simulasi-loket-disdukcapil"
SAVED = "✔ Tersimpan untuk dibaca offline"


def _saved_for_offline(page: Page, db: Session, user_id: int, course: str = COURSE) -> None:
    page.goto(f"/kursus/{course}")
    flows.submit(page, "Ikuti kursus ini")
    # The course asks for its pre-test before the modules (and so before saving them).
    page.goto(f"/kursus/{course}/tes/tes-awal")
    flows.take_quiz(page, db, user_id, "tes-awal", correct=False)
    page.goto(f"/kursus/{course}")
    # The worker must be active before the network goes, or nothing would answer offline.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.get_by_role("button", name="Simpan untuk dibaca offline").click()
    page.get_by_role("button", name=SAVED).wait_for()


def _progress(db: Session, user_id: int, slug: str) -> ModuleProgress | None:
    return flows.fresh(db).scalar(
        select(ModuleProgress).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module_slug == slug
        )
    )


def test_module_completed_offline_is_queued_and_synced_with_its_offline_time(
    live_server: LiveServer,
    new_context: Callable[..., BrowserContext],
    db: Session,
    new_learner: NewLearner,
    screenshot: Shot,
) -> None:
    learner, password = new_learner()
    context = new_context()
    page = context.new_page()
    flows.login(page, learner.nip, password)
    _saved_for_offline(page, db, learner.id)
    screenshot(page, "course-saved")

    context.set_offline(True)
    # Tests need the server: a quiz that was never saved says so instead of failing blankly.
    # Waiting for this page also makes sure the service worker itself is offline: Playwright
    # applies the emulation to the worker asynchronously, and a worker still online would
    # fetch the module below from the server instead of the cache.
    flows.eventually(
        lambda: (
            page.goto(f"/kursus/{COURSE}/tes/tes-awal")
            and page.get_by_role("heading", name="Anda sedang offline").is_visible()
        ),
        timeout=5,
        what="the offline page for a quiz that was not saved",
    )
    assert page.get_by_text("Tes dan kuis memerlukan koneksi internet.").is_visible()
    screenshot(page, "quiz-offline")

    page.goto(f"/kursus/{COURSE}/modul/{MODULE}")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Mendengarkan Aktif dan Empati di Loket dan Telepon"
    )
    assert page.get_by_text("Anda sedang offline.").is_visible()
    # The learner read this module offline for 10 minutes earlier (the page keeps count of
    # the time it was visible offline; a test cannot wait that long).
    page.evaluate(
        "key => localStorage.setItem('lentera-waktu-baca', JSON.stringify({[key]: 600}))",
        f"{COURSE}/{MODULE}",
    )
    before = utcnow()
    page.get_by_role("button", name="Tandai selesai").click()
    page.get_by_text("Ditandai selesai saat offline").wait_for()
    after = utcnow()
    assert page.get_by_text("1 kemajuan menunggu koneksi untuk dikirim.").is_visible()
    screenshot(page, "completed-offline")
    # Not even "opened": the page came from the phone's cache, the server saw nothing.
    assert _progress(db, learner.id, MODULE) is None, live_server.requests_of(learner.id)

    context.set_offline(False)
    page.goto(f"/kursus/{COURSE}/modul/{MODULE}")

    def synced_progress() -> ModuleProgress | None:
        progress = _progress(db, learner.id, MODULE)
        return progress if progress is not None and progress.completed_at else None

    synced = flows.eventually(synced_progress, what="the queued completion to reach the server")
    page.get_by_text("kemajuan menunggu koneksi").wait_for(state="hidden")
    screenshot(page, "synced")

    event = db.scalar(select(ProgressEvent).where(ProgressEvent.user_id == learner.id))
    assert event is not None and event.source == "offline"
    assert event.kind == "completed" and event.seconds is not None and event.seconds >= 600
    # The time recorded is when the learner tapped the button offline, not when it synced.
    slack = timedelta(seconds=1)
    assert synced.completed_at is not None
    assert before - slack <= synced.completed_at <= after + slack
    assert event.received_at > after
    page.reload()
    assert page.get_by_text("Modul ini sudah Anda tandai selesai").is_visible()


def test_module_marked_offline_too_early_is_reported_back_when_synced(
    new_context: Callable[..., BrowserContext],
    db: Session,
    new_learner: NewLearner,
    screenshot: Shot,
) -> None:
    learner, password = new_learner()
    context = new_context()
    page = context.new_page()
    flows.login(page, learner.nip, password)
    _saved_for_offline(page, db, learner.id)
    context.set_offline(True)
    flows.eventually(
        lambda: (
            page.goto(f"/kursus/{COURSE}/tes/tes-awal")
            and page.get_by_role("heading", name="Anda sedang offline").is_visible()
        ),
        timeout=5,
        what="the service worker to be offline",
    )
    page.goto(f"/kursus/{COURSE}/modul/{MODULE}")
    page.get_by_role("button", name="Tandai selesai").click()  # after a few seconds' reading
    page.get_by_text("Ditandai selesai saat offline").wait_for()

    context.set_offline(False)
    page.goto(f"/kursus/{COURSE}")
    status = page.locator("#sync-status")
    flows.eventually(
        lambda: "Anda baru" in status.inner_text(),
        what="the refused mark to be reported on the page",
    )
    assert "Tandai selesai dapat dilakukan setelah" in status.inner_text()
    screenshot(page, "offline-mark-too-early")
    event = flows.fresh(db).scalar(select(ProgressEvent).where(ProgressEvent.user_id == learner.id))
    assert event is not None and event.kind == "read" and event.source == "offline"
    progress = _progress(db, learner.id, MODULE)
    assert progress is not None and progress.completed_at is None
    # The module page says it again, above the button to mark it later.
    page.goto(f"/kursus/{COURSE}/modul/{MODULE}")
    assert page.locator("[data-mark-message]").inner_text().startswith("Anda baru")
    assert page.get_by_role("button", name="Tandai selesai").is_visible()


def test_offline_journey_from_the_installed_apps_start_page_marks_a_module_once(
    new_context: Callable[..., BrowserContext],
    db: Session,
    new_learner: NewLearner,
    screenshot: Shot,
) -> None:
    """The installed app opens at "/" (the manifest's start_url): offline, that page leads to
    the saved course, its resume link to the next unfinished module, whose practice quiz says
    it needs a connection; a mark made there shows on every saved page, cannot be queued twice
    and reaches the server once; the course's simulation plays offline."""
    course, first, second = "PPP-101", MODULE_PPP, "02-standar-dan-maklumat-pelayanan"
    learner, password = new_learner()
    context = new_context()
    page = context.new_page()
    flows.login(page, learner.nip, password)
    _saved_for_offline(page, db, learner.id, course)

    context.set_offline(True)
    # Waiting for the offline page also makes sure the worker itself is offline (see above).
    flows.eventually(
        lambda: (
            page.goto("/") and page.get_by_role("heading", name="Anda sedang offline").is_visible()
        ),
        timeout=5,
        what="the offline start page",
    )
    saved = page.locator("[data-saved-courses]")
    saved.get_by_role("link", name="Pelayanan Publik Prima").wait_for()
    assert saved.get_by_text("0 dari 6 modul selesai.").is_visible()
    screenshot(page, "offline-start-page")
    saved.get_by_role("link", name="Lanjutkan belajar").click()
    page.wait_for_url(f"**/kursus/{course}/modul/{first}")
    # Practice quizzes are server records: marked before the learner follows the link.
    assert page.locator(".needs-net").inner_text() == "Perlu koneksi internet"

    page.evaluate(
        "key => localStorage.setItem('lentera-waktu-baca', JSON.stringify({[key]: 3600}))",
        f"{course}/{first}",
    )
    page.get_by_role("button", name="Tandai selesai").click()
    page.get_by_text("Ditandai selesai saat offline").wait_for()
    assert page.get_by_text("Kemajuan kursus: 1 dari 6 modul").is_visible()
    # The saved page, opened again, shows the queued mark: no button for a second event.
    page.reload()
    page.get_by_text("Ditandai selesai saat offline").wait_for()
    assert page.get_by_role("button", name="Tandai selesai").count() == 0
    assert page.get_by_text("Kemajuan kursus: 1 dari 6 modul").is_visible()
    screenshot(page, "offline-module-marked")
    page.goto(f"/kursus/{course}")
    assert page.get_by_text("1 dari 6 modul selesai.").is_visible()
    screenshot(page, "offline-course-with-queued-mark")
    # "Lanjutkan belajar" (never saved: its target moves) opens the next unfinished module.
    page.locator(f'a[href="/kursus/{course}/lanjutkan"]').click()
    page.wait_for_url(f"**/kursus/{course}/modul/{second}")

    page.goto(f"/kursus/{course}/modul/{SIMULATION}")
    page.get_by_role("link", name="Mulai simulasi").click()
    page.wait_for_url("**/situasi/mulai")
    page.locator(".choices a").first.click()
    page.get_by_role("heading", name="Pilihan Anda").wait_for()
    assert page.get_by_role("heading", name="Akibatnya").is_visible()
    queue = page.evaluate("JSON.parse(localStorage.getItem('lentera-antrean'))")
    assert [(e["course"], e["module"]) for e in queue] == [(course, first)]

    context.set_offline(False)
    page.goto(f"/kursus/{course}")

    def synced() -> ModuleProgress | None:
        progress = _progress(db, learner.id, first)
        return progress if progress is not None and progress.completed_at else None

    flows.eventually(synced, what="the queued mark to reach the server")
    page.get_by_text("kemajuan menunggu koneksi").wait_for(state="hidden")
    events = flows.fresh(db).scalars(
        select(ProgressEvent).where(ProgressEvent.user_id == learner.id)
    )
    assert [(e.module_slug, e.kind, e.source) for e in events] == [(first, "completed", "offline")]
