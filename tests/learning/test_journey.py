"""One learner's whole journey through the HTTP layer, and the rules the server enforces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.content import store
from app.content.models import Course, QuizVersion
from app.db import utcnow
from app.learning import quizzes
from app.learning.models import Certificate, Completion, ModuleProgress, QuizAttempt
from tests.factories import csrf_token, login, make_user
from tests.study import give_study_time

BASE = "/kursus/PPP-101"


def _course(session: Session, code: str = "PPP-101") -> Course:
    course = session.scalar(select(Course).where(Course.code == code))
    assert course is not None
    return course


def _module_slugs(session: Session, code: str = "PPP-101") -> list[str]:
    from app.content.models import ModuleVersion

    course = _course(session, code)
    return list(
        session.scalars(
            select(ModuleVersion.slug)
            .where(ModuleVersion.course_version_id == course.current_version_id)
            .order_by(ModuleVersion.position)
        )
    )


def enrol(client: TestClient, code: str = "PPP-101") -> None:
    """Press the course page's "Ikuti kursus ini" (a GET never enrols)."""
    token = csrf_token(client, f"/kursus/{code}")
    assert client.post(f"/kursus/{code}/ikuti", data={"csrf_token": token}).status_code == 303


def _open_module(client: TestClient, session: Session, code: str, slug: str) -> str:
    """Open a module page as a learner would: the pre-test first when the course asks for it."""
    page = client.get(f"/kursus/{code}/modul/{slug}")
    if page.status_code == 200 and "data-enrol-first" in page.text:
        enrol(client, code)  # not enrolled: a GET never enrols, the course page's button does
        page = client.get(f"/kursus/{code}/modul/{slug}")
    if page.status_code == 303 and page.headers["location"].endswith("/tes/tes-awal"):
        _take_quiz(client, session, "tes-awal", correct=False, code=code)
        page = client.get(f"/kursus/{code}/modul/{slug}")
    assert page.status_code == 200
    return str(page.text)


def _complete_all_modules(client: TestClient, session: Session, code: str = "PPP-101") -> None:
    for slug in _module_slugs(session, code):
        text = _open_module(client, session, code, slug)
        assert "data-offline-complete" in text, "the module page offers 'Tandai selesai'"
        give_study_time(session)
        response = client.post(
            f"/kursus/{code}/modul/{slug}/selesai",
            data={"csrf_token": csrf_token(client, f"/kursus/{code}")},
        )
        assert response.status_code == 303


def _answers(session: Session, attempt: QuizAttempt, *, correct: bool) -> dict[str, list[str]]:
    row = session.get(QuizVersion, attempt.quiz_version_id)
    assert row is not None
    spec = quizzes.quiz_spec(row)
    form: dict[str, list[str]] = {}
    for question_id, option_ids in attempt.drawn:
        question = spec.question(question_id)
        assert question is not None
        if question.kind == "short":
            form[f"q-{question_id}"] = [question.accepted_answers[0] if correct else "salah"]
        elif correct:
            form[f"q-{question_id}"] = sorted(question.correct_option_ids)
        else:
            wrong = [o for o in option_ids if o not in question.correct_option_ids]
            form[f"q-{question_id}"] = wrong[:1]
    return form


def _take_quiz(
    client: TestClient, session: Session, key: str, *, correct: bool, code: str = "PPP-101"
) -> QuizAttempt:
    token = csrf_token(client, f"/kursus/{code}/tes/{key}")
    start = client.post(f"/kursus/{code}/tes/{key}/mulai", data={"csrf_token": token})
    assert start.status_code == 303, start.text
    number = int(start.headers["location"].rsplit("/", 1)[1])
    assert client.get(start.headers["location"]).status_code == 200
    attempt = session.scalar(
        select(QuizAttempt).where(QuizAttempt.quiz_key == key, QuizAttempt.number == number)
    )
    assert attempt is not None
    data = {"csrf_token": token, **_answers(session, attempt, correct=correct)}
    assert client.post(start.headers["location"], data=data).status_code == 303
    session.refresh(attempt)
    return attempt


def test_learner_goes_from_login_to_a_verified_certificate(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session, full_name="Nurul Hidayah Lamarauna")
    login(client, learner)
    assert "Pelayanan Publik Prima" in client.get("/kursus").text

    enrol = client.post(f"{BASE}/ikuti", data={"csrf_token": csrf_token(client, BASE)})
    assert enrol.status_code == 303
    assert client.get("/").context["dashboard"].in_progress[0].course.code == "PPP-101"

    pre = _take_quiz(client, session, "tes-awal", correct=False)
    assert pre.score is not None and pre.score < 0.5

    _complete_all_modules(client, session)
    final = _take_quiz(client, session, "tes-akhir", correct=True)
    assert final.score == 1.0 and not final.late

    completion = session.scalar(select(Completion).where(Completion.user_id == learner.id))
    assert completion is not None
    assert (completion.final_score, completion.jp) == (100, 6)
    course_page = client.get(BASE)
    assert "6 JP tercatat" in course_page.text
    gain = course_page.context["gain"]
    assert gain["post"] == 100 and gain["gain"] == 100 - gain["pre"]

    certificate = session.scalar(
        select(Certificate).where(Certificate.completion_id == completion.id)
    )
    assert certificate is not None
    pdf = client.get(f"/sertifikat/{certificate.number}.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")

    client.cookies.clear()  # the public verification page needs no account
    verify = client.get(f"/verifikasi/{certificate.number}")
    assert verify.status_code == 200
    assert "Sertifikat ini SAH" in verify.text
    assert "Nurul Hidayah Lamarauna" in verify.text
    assert learner.nip not in verify.text
    assert learner.nip[:2] + "*" * 13 + learner.nip[15:] in verify.text
    # The date in words, in the reader's language (as everywhere else), not 28-11-2026.
    assert format_date(certificate.completed_on, "d MMMM y", locale="id") in verify.text


def test_revoked_certificate_is_reported_as_revoked(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    _complete_all_modules(client, session)
    _take_quiz(client, session, "tes-akhir", correct=True)
    certificate = session.scalar(select(Certificate))
    assert certificate is not None

    admin_client = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    login(admin_client, make_user(session, roles={Role.ADMIN}))
    token = csrf_token(admin_client, f"/verifikasi/{certificate.number}")
    revoke = admin_client.post(
        f"/sertifikat/{certificate.number}/cabut",
        data={"csrf_token": token, "reason": "Data peserta keliru"},
    )
    assert revoke.status_code == 303
    assert "sudah DICABUT" in client.get(f"/verifikasi/{certificate.number}").text
    assert client.get(f"/sertifikat/{certificate.number}.pdf").status_code == 403


def test_learners_cannot_revoke_or_read_other_peoples_certificates(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    owner = make_user(session)
    login(client, owner)
    _complete_all_modules(client, session)
    _take_quiz(client, session, "tes-akhir", correct=True)
    certificate = session.scalar(select(Certificate))
    assert certificate is not None
    other = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    login(other, make_user(session))
    assert other.get(f"/sertifikat/{certificate.number}.pdf").status_code == 404
    token = csrf_token(other, "/profil")
    response = other.post(
        f"/sertifikat/{certificate.number}/cabut", data={"csrf_token": token, "reason": "x"}
    )
    assert response.status_code == 403


def test_unknown_certificate_number_is_not_verified(client: TestClient, session: Session) -> None:
    response = client.get("/verifikasi/LTR-2026-XXX-00001-ABCD")
    assert response.status_code == 404
    assert "tidak terdaftar" in response.text


def test_final_test_opens_only_after_every_module_is_complete(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session))
    token = csrf_token(client, f"{BASE}/tes/tes-akhir")
    response = client.post(f"{BASE}/tes/tes-akhir/mulai", data={"csrf_token": token})
    assert response.status_code == 409
    assert "setelah semua modul ditandai selesai" in response.text
    assert session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_attempt_limit_is_enforced_by_the_server(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session))
    _complete_all_modules(client, session)
    for _ in range(3):  # tes-akhir allows 3 attempts
        _take_quiz(client, session, "tes-akhir", correct=False)
    token = csrf_token(client, f"{BASE}/tes/tes-akhir")
    fourth = client.post(f"{BASE}/tes/tes-akhir/mulai", data={"csrf_token": token})
    assert fourth.status_code == 409
    assert "sudah habis (3 kali)" in fourth.text
    assert session.scalar(select(func.count()).select_from(Completion)) == 0


def test_answers_cannot_be_changed_after_submission(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session))
    attempt = _take_quiz(client, session, "tes-awal", correct=False)
    first_score = attempt.score
    url = f"{BASE}/tes/tes-awal/{attempt.number}"
    data = {"csrf_token": csrf_token(client, url), **_answers(session, attempt, correct=True)}
    assert client.post(url, data=data).status_code == 303
    session.refresh(attempt)
    assert attempt.score == first_score


def test_late_final_test_is_recorded_but_does_not_count(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    _complete_all_modules(client, session)
    token = csrf_token(client, f"{BASE}/tes/tes-akhir")
    start = client.post(f"{BASE}/tes/tes-akhir/mulai", data={"csrf_token": token})
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.quiz_key == "tes-akhir"))
    assert attempt is not None
    # The learner started 21 minutes ago on a 20-minute test.
    session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id)
        .values(started_at=utcnow() - timedelta(minutes=21))
    )
    session.commit()
    data = {"csrf_token": token, **_answers(session, attempt, correct=True)}
    client.post(start.headers["location"], data=data)
    session.refresh(attempt)
    assert attempt.late is True and attempt.score == 1.0
    assert session.scalar(select(Completion).where(Completion.user_id == learner.id)) is None
    assert "terlambat, tidak dihitung" in client.get(f"{BASE}/tes/tes-akhir").text


def test_prerequisite_must_be_completed_before_enrolling(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    response = client.post(
        "/kursus/MWK-201/ikuti", data={"csrf_token": csrf_token(client, "/kursus/MWK-201")}
    )
    assert response.status_code == 409
    assert "menyelesaikan KOM-101 terlebih dahulu" in response.text
    # Opening a module is no way round it: the course page, still not enrolled.
    page = client.get("/kursus/MWK-201/modul/01-mengelola-waktu-dan-prioritas")
    assert page.template.name == "content/course.html"
    assert page.context["missing"] == ["KOM-101"]


def test_marking_a_module_twice_or_replaying_the_form_counts_once(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    slug = _module_slugs(session)[0]
    _open_module(client, session, "PPP-101", slug)
    give_study_time(session)
    # The id the page's script makes for this page view (a double tap or a retry resends it).
    form = {"csrf_token": csrf_token(client, BASE), "event_id": "page-view-0001"}
    for _ in range(3):
        assert client.post(f"{BASE}/modul/{slug}/selesai", data=form).status_code == 303
    rows = session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == learner.id)).all()
    assert len(rows) == 1 and rows[0].completed_at is not None
    first = rows[0].completed_at
    client.post(f"{BASE}/modul/{slug}/selesai", data={**form, "event_id": "anotherevent123"})
    session.refresh(rows[0])
    assert rows[0].completed_at == first


def test_completion_is_recorded_exactly_once(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    from app.content.catalog import ContentCache
    from app.learning import completion as completion_service

    learner = make_user(session)
    login(client, learner)
    _complete_all_modules(client, session)
    _take_quiz(client, session, "tes-akhir", correct=True)
    view = ContentCache().catalog(session).by_code["PPP-101"]
    user = session.get(User, learner.id)
    assert user is not None
    again = completion_service.try_complete(session, user, view, utcnow())
    assert again is not None
    assert session.scalar(select(func.count()).select_from(Completion)) == 1
    assert session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_resume_goes_to_the_first_unfinished_module(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session))
    slugs = _module_slugs(session)
    _open_module(client, session, "PPP-101", slugs[0])
    give_study_time(session)
    client.post(f"{BASE}/modul/{slugs[0]}/selesai", data={"csrf_token": csrf_token(client, BASE)})
    assert client.get(f"{BASE}/lanjutkan").headers["location"] == f"{BASE}/modul/{slugs[1]}"


@pytest.mark.parametrize("key", ["tes-awal", "tes-akhir"])
def test_quiz_pages_of_unknown_attempts_are_404(
    client: TestClient, session: Session, demo_content: store.ImportReport, key: str
) -> None:
    login(client, make_user(session))
    assert client.get(f"{BASE}/tes/{key}/7").status_code == 404
