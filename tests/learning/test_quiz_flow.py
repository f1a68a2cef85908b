"""The quiz flow a learner goes through: unanswered questions confirmed before grading, result
pages that say where the learner stands and what comes next, answers revealed by the quiz's
`tampilkan_jawaban`, and the parsed quiz cached per immutable version."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.content import store
from app.content.models import Course, QuizVersion
from app.learning import quizzes, score_policy
from app.learning.models import Certificate, Completion, QuizAttempt
from tests.content.helpers import assert_problem, load, quiz
from tests.factories import csrf_token, login, make_user
from tests.learning.test_journey import _answers, _complete_all_modules, _take_quiz, enrol

BASE = "/kursus/PPP-101"
ONE_QUESTION = """## Kanal pengaduan nasional?
- (x) SP4N-LAPOR!
- ( ) Kotak saran
- ( ) Surat kabar

> Penjelasan: Lewat lapor.go.id.
"""
FIRST_MODULE = "01-dasar-hukum-dan-asas"


def _start(client: TestClient, session: Session, key: str) -> QuizAttempt:
    token = csrf_token(client, f"{BASE}/tes/{key}")
    start = client.post(f"{BASE}/tes/{key}/mulai", data={"csrf_token": token})
    assert start.status_code == 303, start.text
    number = int(start.headers["location"].rsplit("/", 1)[1])
    attempt = session.scalar(
        select(QuizAttempt).where(QuizAttempt.quiz_key == key, QuizAttempt.number == number)
    )
    assert attempt is not None
    return attempt


def _url(attempt: QuizAttempt) -> str:
    return f"{BASE}/tes/{attempt.quiz_key}/{attempt.number}"


def _shown_ids(session: Session, attempt: QuizAttempt) -> list[str]:
    """The attempt's question ids in the order the page numbers them."""
    spec = quizzes.spec_for_version(session, attempt.quiz_version_id)
    assert spec is not None
    drawn = quizzes.drawn_questions(attempt)
    return [item.question_id for _n, item, _q, _o in quizzes.shown_questions(drawn, spec)]


def _learner_in_course(client: TestClient, session: Session) -> None:
    login(client, make_user(session))
    enrol(client)


def test_unanswered_questions_are_listed_with_the_given_answers_kept_and_no_attempt_used(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner_in_course(client, session)
    # The pre-test allows one attempt: an accidental empty submission would have used it up.
    attempt = _start(client, session, "tes-awal")
    answers = _answers(session, attempt, correct=True)
    ids = _shown_ids(session, attempt)
    for number in (3, 5):
        del answers[f"q-{ids[number - 1]}"]
    token = csrf_token(client, _url(attempt))
    page = client.post(_url(attempt), data={"csrf_token": token, **answers})

    assert page.status_code == 200
    assert page.template.name == "learning/quiz_attempt.html"
    assert page.context["unanswered"] == [3, 5]
    assert "Pertanyaan 3 dan 5 belum dijawab." in page.text
    assert 'name="kirim_tetap" value="1"' in page.text and "Kirim tetap" in page.text
    # Every answer given is on the page again, checked or filled in.
    for field, values in answers.items():
        for value in values:
            if re.search(rf'name="{field}" value="{re.escape(value)}"', page.text):
                assert re.search(
                    rf'name="{field}" value="{re.escape(value)}" type="\w+" checked', page.text
                ), field
            else:
                assert (
                    f'name="{field}" type="text" maxlength="500" autocomplete="off" value="{value}"'
                    in page.text
                )
    session.refresh(attempt)
    assert attempt.submitted_at is None and attempt.score is None

    sent = client.post(_url(attempt), data={"csrf_token": token, "kirim_tetap": "1", **answers})
    assert sent.status_code == 303
    session.refresh(attempt)
    assert attempt.submitted_at is not None
    assert (attempt.correct_count, attempt.total) == (len(ids) - 2, len(ids))


def test_a_fully_answered_attempt_is_graded_at_once(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner_in_course(client, session)
    attempt = _start(client, session, "tes-awal")
    data = {
        "csrf_token": csrf_token(client, _url(attempt)),
        **_answers(session, attempt, correct=True),
    }
    assert client.post(_url(attempt), data=data).status_code == 303
    session.refresh(attempt)
    assert attempt.score == 1.0


def test_an_empty_submission_lists_every_question(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner_in_course(client, session)
    attempt = _start(client, session, "tes-awal")
    count = len(_shown_ids(session, attempt))
    page = client.post(_url(attempt), data={"csrf_token": csrf_token(client, _url(attempt))})
    assert page.status_code == 200
    numbers = ", ".join(str(n) for n in range(1, count))
    assert f"Pertanyaan {numbers}, dan {count} belum dijawab." in page.text
    session.refresh(attempt)
    assert attempt.submitted_at is None


def test_pretest_result_says_it_is_done_and_leads_to_module_one(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner_in_course(client, session)
    attempt = _take_quiz(client, session, "tes-awal", correct=False)
    page = client.get(_url(attempt))
    assert page.context["standing"].key == "tes-awal"
    assert "Tes awal selesai" in page.text
    assert f'<a class="button" href="{BASE}/modul/{FIRST_MODULE}">Mulai modul 1</a>' in page.text
    assert "Coba lagi" not in page.text
    # One attempt and it is used: the learner is done with the pre-test, so answers show.
    assert page.context["revealed"] is True


def test_failed_final_test_says_not_yet_passed_with_attempts_left_and_hides_answers(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner_in_course(client, session)
    _complete_all_modules(client, session)
    attempt = _take_quiz(client, session, "tes-akhir", correct=False)
    page = client.get(_url(attempt))
    assert 'data-result="not-passed"' in page.text
    assert "Belum lulus" in page.text
    assert "Sisa kesempatan: 2 kali." in page.text
    assert f'action="{BASE}/tes/tes-akhir/mulai"' in page.text and "Coba lagi" in page.text
    # Final tests reveal answers only after passing or the last attempt (the default).
    assert page.context["revealed"] is False
    assert "Pembahasan" not in page.text and "Jawaban Anda" not in page.text
    assert "ditampilkan setelah Anda lulus atau kesempatan mengerjakan habis" in page.text


def test_final_test_with_no_attempt_left_offers_no_retry_and_shows_answers(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner_in_course(client, session)
    _complete_all_modules(client, session)
    for _ in range(3):
        attempt = _take_quiz(client, session, "tes-akhir", correct=False)
    page = client.get(_url(attempt))
    assert "Belum lulus" in page.text
    assert "Kesempatan mengerjakan tes ini sudah habis." in page.text
    assert "Coba lagi" not in page.text and "/mulai" not in page.text
    assert page.context["revealed"] is True
    assert "Jawaban Anda belum tepat" in page.text and "Pembahasan" in page.text


def test_passed_final_test_says_course_complete_with_the_certificate_link(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner_in_course(client, session)
    _complete_all_modules(client, session)
    _take_quiz(client, session, "tes-akhir", correct=False)
    attempt = _take_quiz(client, session, "tes-akhir", correct=True)
    certificate = session.scalar(select(Certificate).join(Completion))
    assert certificate is not None
    page = client.get(_url(attempt))
    assert 'data-result="passed"' in page.text
    assert "Lulus — kursus selesai" in page.text
    assert f'href="/sertifikat/{certificate.number}.pdf"' in page.text
    assert "Coba lagi" not in page.text
    # Passing ends the test: answers and explanations show, with a verdict that is not the
    # word "Benar" right above the options "Benar"/"Salah".
    assert page.context["revealed"] is True
    assert "Jawaban Anda tepat" in page.text
    assert "<strong>Benar</strong>" not in page.text
    # The failed attempt before it no longer offers a retry either.
    earlier = client.get(f"{BASE}/tes/tes-akhir/1")
    assert "Coba lagi" not in earlier.text
    info = client.get(f"{BASE}/tes/tes-akhir")
    assert "Lulus — kursus selesai" in info.text and "Coba lagi" not in info.text


def test_multiple_answer_questions_state_the_all_or_nothing_rule(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner_in_course(client, session)
    attempt = _start(client, session, "tes-awal")
    spec = quizzes.spec_for_version(session, attempt.quiz_version_id)
    assert spec is not None and any(q.kind == "multiple" for q in spec.questions)
    page = client.get(_url(attempt))
    assert "Semua atau tidak sama sekali" in page.text


def _final_test_row(session: Session) -> QuizVersion:
    """PPP-101's final test in its current version."""
    row = session.scalar(
        select(QuizVersion)
        .join(Course, Course.current_version_id == QuizVersion.course_version_id)
        .where(Course.code == "PPP-101", QuizVersion.key == "tes-akhir")
    )
    assert row is not None
    return row


def _publish_final_test_with(session: Session, content_copy: Path, line: str) -> None:
    path = content_copy / "pelayanan-publik-prima" / "tes-akhir.md"
    path.write_text(
        path.read_text().replace("maks_percobaan: 3\n", f"maks_percobaan: 3\n{line}\n", 1)
    )
    assert "PPP-101" in store.import_library(session, content_copy).published
    session.commit()


@pytest.mark.parametrize(
    ("value", "after_fail", "after_pass"),
    [("setiap_percobaan", True, True), ("setelah_selesai", False, True), ("tidak", False, False)],
)
def test_reveal_policy_of_the_final_test(
    client: TestClient,
    session: Session,
    content_copy: Path,
    value: str,
    after_fail: bool,
    after_pass: bool,
) -> None:
    _publish_final_test_with(session, content_copy, f"tampilkan_jawaban: {value}")
    assert _final_test_row(session).answer_reveal == value
    _learner_in_course(client, session)
    _complete_all_modules(client, session)
    failed = _take_quiz(client, session, "tes-akhir", correct=False)
    page = client.get(_url(failed))
    assert page.context["revealed"] is after_fail
    assert ("Pembahasan" in page.text) is after_fail
    passed = _take_quiz(client, session, "tes-akhir", correct=True)
    page = client.get(_url(passed))
    assert page.context["revealed"] is after_pass
    assert ("Pembahasan" in page.text) is after_pass
    if value == "tidak":
        assert "Kunci jawaban dan pembahasan tes ini tidak ditampilkan." in page.text


def test_reveal_value_is_read_from_the_quiz_and_an_unknown_one_is_an_error(
    tmp_path: Path,
) -> None:
    ok = load(tmp_path / "ok", {"tes-akhir.md": quiz(ONE_QUESTION, "tampilkan_jawaban: tidak\n")})
    assert ok.course is not None and ok.course.final_test is not None
    assert ok.course.final_test.answer_reveal == "tidak"
    bad = load(
        tmp_path / "bad", {"tes-akhir.md": quiz(ONE_QUESTION, "tampilkan_jawaban: kadang\n")}
    )
    assert_problem(bad, "tampilkan_jawaban", 3, file="tes-akhir.md")


def test_reveal_defaults_by_kind_of_quiz() -> None:
    assert score_policy.reveal_policy("tes-akhir", None) == "setelah_selesai"
    assert score_policy.reveal_policy("tes-awal", None) == "setelah_selesai"
    assert score_policy.reveal_policy("01-dasar-hukum-dan-asas", None) == "setiap_percobaan"
    assert score_policy.reveal_policy("tes-akhir", "tidak") == "tidak"
    assert score_policy.answers_revealed("setiap_percobaan", done=False)
    assert not score_policy.answers_revealed("setelah_selesai", done=False)
    assert score_policy.answers_revealed("setelah_selesai", done=True)
    assert not score_policy.answers_revealed("tidak", done=True)


def test_parsed_quiz_is_cached_per_version_and_a_new_version_is_parsed_fresh(
    session: Session, content_copy: Path
) -> None:
    assert "PPP-101" in store.import_library(session, content_copy).published
    session.commit()
    first = _final_test_row(session)
    spec = quizzes.spec_for_version(session, first.id)
    assert spec is not None and quizzes.spec_for_version(session, first.id) is spec

    _publish_final_test_with(session, content_copy, "tampilkan_jawaban: tidak")
    second = _final_test_row(session)
    assert second.id != first.id
    fresh = quizzes.spec_for_version(session, second.id)
    assert fresh is not None and fresh is not spec
    assert (spec.answer_reveal, fresh.answer_reveal) == (None, "tidak")
    assert quizzes.spec_for_version(session, first.id) is spec

    # An id given again to other content (SQLite reuses a deleted last row's id) is not
    # answered from the cache.
    session.execute(
        update(QuizVersion).where(QuizVersion.id == first.id).values(content_hash="0" * 64)
    )
    assert quizzes.spec_for_version(session, first.id) is not spec
