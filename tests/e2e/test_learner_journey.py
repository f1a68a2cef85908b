"""A learner's whole course in a real browser on a phone: from login to a verified certificate."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.content.models import Course
from app.learning.models import Certificate, Completion, Enrolment, ModuleProgress
from tests.e2e import flows
from tests.e2e.flows import NewLearner
from tests.e2e.live_server import ARTIFACTS_DIR, DEMO_LEARNER

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    Shot = Callable[[Page, str], object]

COURSE = "PPP-101"
TITLE = "Pelayanan Publik Prima"


def _course_id(db: Session, code: str) -> int:
    course_id = flows.fresh(db).scalar(select(Course.id).where(Course.code == code))
    assert course_id is not None
    return course_id


def test_demo_learner_logs_in_and_finds_the_course_in_the_catalogue(
    page: Page, screenshot: Shot
) -> None:
    flows.login(page, *DEMO_LEARNER)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Selamat datang")
    screenshot(page, "home")
    flows.open_course_from_catalogue(page, TITLE)
    assert page.url.endswith(f"/kursus/{COURSE}")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE


def test_marking_a_module_complete_records_it_and_opens_the_next_module(
    page: Page, db: Session, new_learner: NewLearner, screenshot: Shot
) -> None:
    learner, password = new_learner()
    flows.login(page, learner.nip, password)
    page.goto(f"/kursus/{COURSE}")
    flows.submit(page, "Ikuti kursus ini")
    page.get_by_role("link", name="Mulai belajar").click()
    page.wait_for_url(f"**/kursus/{COURSE}/tes/tes-awal")  # the course starts with its pre-test
    flows.take_quiz(page, db, learner.id, "tes-awal", correct=False)
    page.goto(f"/kursus/{COURSE}/lanjutkan")
    first = page.url.rsplit("/", 1)[1]
    screenshot(page, "module")

    # At once is too early: the script shows the server's message in place, nothing changes.
    page.get_by_role("button", name="Tandai selesai").click()
    message = page.get_by_role("alert").filter(has_text="Anda baru mulai membaca modul ini")
    message.wait_for()
    assert "setelah 9 menit lagi" in message.inner_text()
    assert page.url.endswith(first)
    screenshot(page, "module-too-early")
    unmarked = flows.fresh(db).scalar(
        select(ModuleProgress.completed_at).where(
            ModuleProgress.user_id == learner.id, ModuleProgress.module_slug == first
        )
    )
    assert unmarked is None

    flows.give_study_time(db, learner.id)
    flows.submit(page, "Tandai selesai")

    assert "/modul/" in page.url and not page.url.endswith(first), "moves to the next module"
    progress = flows.fresh(db).scalar(
        select(ModuleProgress).where(
            ModuleProgress.user_id == learner.id, ModuleProgress.module_slug == first
        )
    )
    assert progress is not None and progress.completed_at is not None
    page.goto(f"/kursus/{COURSE}/modul/{first}")
    assert page.get_by_text("Modul ini sudah Anda tandai selesai").is_visible()


def test_demo_learner_completes_a_course_and_gets_a_verifiable_certificate(
    page: Page,
    db: Session,
    new_context: Callable[..., BrowserContext],
    screenshot: Shot,
) -> None:
    learner = accounts_service.get_by_nip(flows.fresh(db), DEMO_LEARNER[0])
    assert learner is not None
    flows.login(page, *DEMO_LEARNER)
    flows.open_course_from_catalogue(page, TITLE)
    screenshot(page, "course-before-enrolling")

    flows.submit(page, "Ikuti kursus ini")
    course_id = _course_id(db, COURSE)
    assert flows.fresh(db).scalar(
        select(Enrolment).where(Enrolment.user_id == learner.id, Enrolment.course_id == course_id)
    )
    # JavaScript and the Cache API are there, so saving for offline reading is offered.
    assert page.get_by_role("button", name="Simpan untuk dibaca offline").is_visible()

    page.get_by_role("link", name=f"Tes Awal {TITLE}").click()
    screenshot(page, "pretest-info")
    pretest = flows.take_quiz(page, db, learner.id, "tes-awal", correct=False)
    assert pretest.submitted_at is not None and pretest.score is not None and pretest.score < 0.5
    assert page.get_by_text("Nilai Anda:").is_visible()
    screenshot(page, "pretest-result")

    page.goto(f"/kursus/{COURSE}")
    page.get_by_role("link", name="Mulai belajar").click()
    completed = flows.complete_modules_in_order(page, db, learner.id)
    assert len(completed) == 6
    assert page.url.endswith(f"/kursus/{COURSE}/tes/tes-akhir"), "the final test comes next"
    screenshot(page, "final-test-info")

    final = flows.take_quiz(page, db, learner.id, "tes-akhir", correct=True)
    assert final.score == 1.0 and not final.late
    assert page.get_by_text("Nilai Anda: 100").is_visible()
    screenshot(page, "final-test-result")

    page.get_by_role("link", name="Kembali ke halaman kursus").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("6 JP tercatat").is_visible()
    screenshot(page, "course-completed")
    link = page.get_by_role("link", name="Unduh sertifikat (PDF)")
    href = link.get_attribute("href")
    assert href is not None and href.endswith(".pdf")
    pdf = page.request.get(href)  # same cookies as the page: what the link fetches
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF")
    (ARTIFACTS_DIR / "e2e").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS_DIR / "e2e" / "sertifikat.pdf").write_bytes(body)

    completion = flows.fresh(db).scalar(
        select(Completion).where(
            Completion.user_id == learner.id, Completion.course_id == course_id
        )
    )
    assert completion is not None and completion.final_score == 100
    certificate = db.scalar(select(Certificate).where(Certificate.completion_id == completion.id))
    assert certificate is not None and href.endswith(f"/{certificate.number}.pdf")

    # Anyone holding the paper can check it, without an account.
    public = new_context().new_page()
    public.goto(f"/verifikasi/{certificate.number}")
    screenshot(public, "verification")
    assert public.get_by_text("Sertifikat ini SAH").is_visible()
    text = public.locator("main").inner_text()
    nip = DEMO_LEARNER[0]
    assert nip not in text
    assert nip[:2] + "*" * 13 + nip[15:] in text
