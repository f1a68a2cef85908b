"""Every core flow works with JavaScript off (old browsers, data-saver modes, failed loads):
JavaScript only ever enhances plain HTML forms and links."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.learning.models import Certificate, Completion, ModuleProgress
from tests.e2e import flows
from tests.e2e.flows import NewLearner

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    Shot = Callable[[Page, str], object]

COURSE = "KOM-101"
TITLE = "Komunikasi Efektif bagi ASN"


@pytest.fixture
def nojs_page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context(java_script_enabled=False).new_page()


def test_without_javascript_a_learner_logs_in_and_enrols(
    nojs_page: Page, new_learner: NewLearner, screenshot: Shot
) -> None:
    page = nojs_page
    learner, password = new_learner()
    flows.login(page, learner.nip, password)
    flows.open_course_from_catalogue(page, TITLE)
    flows.submit(page, "Ikuti kursus ini")
    assert page.get_by_role("link", name="Mulai belajar").is_visible()
    # Saving for offline needs the script and the service worker: without them it stays hidden.
    assert page.get_by_role("button", name="Simpan untuk dibaca offline").count() == 0
    screenshot(page, "course")


def test_without_javascript_marking_a_module_complete_is_recorded(
    nojs_page: Page, db: Session, new_learner: NewLearner, screenshot: Shot
) -> None:
    page = nojs_page
    learner, password = new_learner()
    flows.login(page, learner.nip, password)
    # A GET never enrols: the module's address shows the course page with its enrol button.
    page.goto(f"/kursus/{COURSE}/modul/01-dasar-komunikasi-pelayanan")
    flows.submit(page, "Ikuti kursus ini")
    page.goto(f"/kursus/{COURSE}/modul/01-dasar-komunikasi-pelayanan")
    assert page.url.endswith(f"/kursus/{COURSE}/tes/tes-awal"), "the pre-test comes first"
    flows.take_quiz(page, db, learner.id, "tes-awal", correct=False)
    page.goto(f"/kursus/{COURSE}/modul/01-dasar-komunikasi-pelayanan")
    screenshot(page, "module")
    # Too early: the form's POST answers with the module page again, saying how long is left.
    flows.submit(page, "Tandai selesai")
    assert page.url.endswith("/modul/01-dasar-komunikasi-pelayanan/selesai")
    assert page.get_by_role("alert").inner_text() == (
        "Anda baru mulai membaca modul ini. Tandai selesai dapat dilakukan setelah 3 menit lagi."
    )
    screenshot(page, "module-too-early")
    flows.give_study_time(db, learner.id)
    flows.submit(page, "Tandai selesai")
    assert page.url.endswith("/modul/02-mendengarkan-aktif-dan-empati")
    done = flows.fresh(db).scalar(
        select(ModuleProgress.completed_at).where(
            ModuleProgress.user_id == learner.id,
            ModuleProgress.module_slug == "01-dasar-komunikasi-pelayanan",
        )
    )
    assert done is not None


def test_without_javascript_a_learner_passes_the_final_test_and_downloads_the_certificate(
    nojs_page: Page, db: Session, new_learner: NewLearner, screenshot: Shot
) -> None:
    page = nojs_page
    learner, password = new_learner()
    flows.login(page, learner.nip, password)
    page.goto(f"/kursus/{COURSE}")
    flows.submit(page, "Ikuti kursus ini")
    page.get_by_role("link", name=f"Tes Awal {TITLE}").click()
    pretest = flows.take_quiz(page, db, learner.id, "tes-awal", correct=True)
    assert pretest.score == 1.0
    assert page.get_by_text("Nilai Anda: 100").is_visible()
    screenshot(page, "pretest-result")

    page.goto(f"/kursus/{COURSE}/lanjutkan")
    assert len(flows.complete_modules_in_order(page, db, learner.id)) == 7  # KOM-101 modules
    final = flows.take_quiz(page, db, learner.id, "tes-akhir", correct=True)
    assert final.score == 1.0

    page.get_by_role("link", name="Kembali ke halaman kursus").click()
    page.wait_for_load_state("load")
    screenshot(page, "course-completed")
    href = page.get_by_role("link", name="Unduh sertifikat (PDF)").get_attribute("href")
    assert href is not None
    pdf = page.request.get(href)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    completion = flows.fresh(db).scalar(select(Completion).where(Completion.user_id == learner.id))
    assert completion is not None
    assert db.scalar(select(Certificate).where(Certificate.completion_id == completion.id))
