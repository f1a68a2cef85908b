"""Learners' progress and attempts survive republishing and stay tied to what they took."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content import store
from app.content.models import Course, QuizVersion
from app.learning.models import QuizAttempt
from tests.factories import login, make_user
from tests.learning.test_journey import BASE, _complete_all_modules, _take_quiz


def test_progress_and_attempts_survive_a_republish(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    login(client, make_user(session))
    _complete_all_modules(client, session)
    attempt = _take_quiz(client, session, "tes-awal", correct=True)
    old_quiz_version = attempt.quiz_version_id

    # The trainer edits a module and a pre-test question, and the course is republished.
    folder = content_copy / "pelayanan-publik-prima"
    module = folder / "01-dasar-hukum-dan-asas.md"
    module.write_text(module.read_text() + "\nTambahan pada versi kedua.\n")
    pretest = folder / "tes-awal.md"
    pretest.write_text(pretest.read_text().replace("## ", "## (Revisi) ", 1))
    assert store.import_library(session, content_copy).published == ["PPP-101"]
    session.commit()
    course = session.scalar(select(Course).where(Course.code == "PPP-101"))
    assert course is not None and course.current_version is not None
    assert course.current_version.number == 2

    page = client.get(BASE)
    state = page.context["progress"]  # type: ignore[attr-defined]
    assert state.all_modules_done  # module progress is keyed by slug, not by version
    stored = session.get(QuizAttempt, attempt.id)
    assert stored is not None and stored.quiz_version_id == old_quiz_version
    old = session.get(QuizVersion, old_quiz_version)
    assert old is not None and old.course_version_id != course.current_version_id
    # The old attempt still shows its own questions, score and explanations.
    review = client.get(f"{BASE}/tes/tes-awal/{attempt.number}")
    assert review.status_code == 200
    assert review.context["attempt"].score == attempt.score  # type: ignore[attr-defined]
    assert "(Revisi)" not in review.text
