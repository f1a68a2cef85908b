"""Learners' progress and attempts survive republishing and stay tied to what they took."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content import store
from app.content.models import Course, QuizVersion
from app.learning.models import Completion, QuizAttempt
from tests.factories import csrf_token, login, make_user
from tests.learning.test_journey import BASE, _answers, _complete_all_modules, _take_quiz
from tests.study import give_study_time


def test_progress_and_attempts_survive_a_republish(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    login(client, make_user(session))
    attempt = _take_quiz(client, session, "tes-awal", correct=True)
    _complete_all_modules(client, session)
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
    state = page.context["progress"]
    assert state.all_modules_done  # module progress is keyed by slug, not by version
    stored = session.get(QuizAttempt, attempt.id)
    assert stored is not None and stored.quiz_version_id == old_quiz_version
    old = session.get(QuizVersion, old_quiz_version)
    assert old is not None and old.course_version_id != course.current_version_id
    # The old attempt still shows its own questions, score and explanations.
    review = client.get(f"{BASE}/tes/tes-awal/{attempt.number}")
    assert review.status_code == 200
    assert review.context["attempt"].score == attempt.score
    assert "(Revisi)" not in review.text


def test_marking_the_last_module_completes_a_course_whose_final_test_is_passed(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    login(client, make_user(session))
    _complete_all_modules(client, session)
    # The final test was started while every module was done; meanwhile the trainer added a
    # module, so the passing submission cannot complete the course yet.
    token = csrf_token(client, f"{BASE}/tes/tes-akhir")
    start = client.post(f"{BASE}/tes/tes-akhir/mulai", data={"csrf_token": token})
    assert start.status_code == 303
    folder = content_copy / "pelayanan-publik-prima"
    extra = folder / "07-modul-tambahan.md"
    extra.write_text(
        "---\njudul: Modul Tambahan\nmenit: 10\njenis: bacaan\n---\n\n## Tambahan\n\n"
        + "Kalimat penjelas untuk modul tambahan. " * 40
        + "\n"
    )
    assert store.import_library(session, content_copy).published == ["PPP-101"]
    session.commit()
    number = int(start.headers["location"].rsplit("/", 1)[1])
    attempt = session.scalar(
        select(QuizAttempt).where(QuizAttempt.quiz_key == "tes-akhir", QuizAttempt.number == number)
    )
    assert attempt is not None
    answers = {"csrf_token": token, **_answers(session, attempt, correct=True)}
    assert client.post(start.headers["location"], data=answers).status_code == 303
    assert session.scalar(select(Completion)) is None

    assert client.get(f"{BASE}/modul/07-modul-tambahan").status_code == 200
    give_study_time(session)
    marked = client.post(
        f"{BASE}/modul/07-modul-tambahan/selesai",
        data={"csrf_token": csrf_token(client, BASE), "event_id": "republish-mark-07"},
    )
    assert marked.status_code == 303

    completion = session.scalar(select(Completion))
    assert completion is not None and completion.final_score == 100
