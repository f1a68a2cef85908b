"""Quizzes on a phone: unanswered questions are confirmed before grading (with and without
JavaScript), and result pages say in words, not only colour, whether the learner passed and
what comes next."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.orm import Session

from tests.e2e import flows
from tests.e2e.flows import NewLearner
from tests.e2e.test_accessibility import RUN_AXE, _describe

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    Shot = Callable[[Page, str], object]

COURSE = "PPP-101"
TITLE = "Pelayanan Publik Prima"


def _assert_no_axe_violations(page: Page, axe_script: Path) -> None:
    page.add_script_tag(path=str(axe_script))
    violations = page.evaluate(RUN_AXE)
    assert not violations, f"{page.url}:\n{_describe(violations)}"


def _enrolled(page: Page, new_learner: NewLearner) -> int:
    learner, password = new_learner()
    flows.login(page, learner.nip, password)
    page.goto(f"/kursus/{COURSE}")
    flows.submit(page, "Ikuti kursus ini")
    return learner.id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_unanswered_questions_are_listed_and_kept_before_the_pretest_is_graded(
    new_context: Callable[..., BrowserContext],
    db: Session,
    new_learner: NewLearner,
    screenshot: Shot,
    javascript: bool,
    axe_script: Path,
) -> None:
    # bypass_csp: the Content-Security-Policy rightly refuses an injected axe script.
    page = new_context(java_script_enabled=javascript, bypass_csp=True).new_page()
    user_id = _enrolled(page, new_learner)
    page.goto(f"/kursus/{COURSE}/tes/tes-awal")
    flows.submit(page, "Mulai mengerjakan")
    number = flows.attempt_number(page)
    attempt = flows.load_attempt(db, user_id, "tes-awal", number)
    fields = list(flows.answer_fields(db, attempt, correct=True).items())
    kept_name, kept_values = fields[0]
    for index, (name, values) in enumerate(fields):
        if index in (2, 4):  # questions 3 and 5 left unanswered
            continue
        text_box = page.locator(f'input[type=text][id="{name}"]')
        if text_box.count():
            text_box.fill(values[0])
        else:
            for option in values:
                page.locator(f'[id="{name}-{option}"]').check()
    flows.submit(page, "Kirim jawaban")

    alert = page.get_by_role("alert").filter(has_text="belum dijawab")
    assert alert.first.inner_text().startswith("Pertanyaan 3 dan 5 belum dijawab.")
    screenshot(page, "unanswered")
    if javascript:
        _assert_no_axe_violations(page, axe_script)
    kept_text = page.locator(f'input[type=text][id="{kept_name}"]')
    if kept_text.count():  # the answers given are still there
        assert kept_text.input_value() == kept_values[0]
    else:
        for option in kept_values:
            assert page.locator(f'[id="{kept_name}-{option}"]').is_checked()
    assert flows.load_attempt(db, user_id, "tes-awal", number).submitted_at is None

    flows.submit(page, "Kirim tetap")
    graded = flows.load_attempt(db, user_id, "tes-awal", number)
    assert graded.submitted_at is not None
    assert graded.total is not None and graded.correct_count is not None
    assert graded.total - graded.correct_count == 2
    assert page.get_by_text("Tes awal selesai").is_visible()
    page.get_by_role("link", name="Mulai modul 1").click()
    page.wait_for_url(f"**/kursus/{COURSE}/modul/**")


def test_final_test_result_pages_say_not_yet_passed_then_passed_in_words(
    new_context: Callable[..., BrowserContext],
    db: Session,
    new_learner: NewLearner,
    screenshot: Shot,
    axe_script: Path,
) -> None:
    page = new_context(bypass_csp=True).new_page()
    user_id = _enrolled(page, new_learner)
    page.goto(f"/kursus/{COURSE}/tes/tes-awal")
    flows.take_quiz(page, db, user_id, "tes-awal", correct=False)
    page.goto(f"/kursus/{COURSE}/lanjutkan")
    flows.complete_modules_in_order(page, db, user_id)

    page.goto(f"/kursus/{COURSE}/tes/tes-akhir")
    flows.take_quiz(page, db, user_id, "tes-akhir", correct=False)
    verdict = page.locator("[data-result] .verdict")
    assert verdict.inner_text().endswith("Belum lulus")
    assert verdict.locator("[aria-hidden=true]").inner_text() == "✖"  # not colour alone
    assert page.get_by_text("Sisa kesempatan: 2 kali.").is_visible()
    screenshot(page, "final-failed")
    _assert_no_axe_violations(page, axe_script)

    flows.submit(page, "Coba lagi")
    flows.answer_attempt(page, db, user_id, "tes-akhir", correct=True)
    flows.submit(page, "Kirim jawaban")
    assert verdict.inner_text().endswith("Lulus — kursus selesai")
    assert verdict.locator("[aria-hidden=true]").inner_text() == "✔"
    assert page.get_by_role("button", name="Coba lagi").count() == 0
    href = page.get_by_role("link", name="Unduh sertifikat (PDF)").get_attribute("href")
    assert href is not None and page.request.get(href).body().startswith(b"%PDF")
    screenshot(page, "final-passed")
    _assert_no_axe_violations(page, axe_script)
