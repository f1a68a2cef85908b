"""A class that requires the post-test (the final test of the course it delivers): finalising
credits only attendees who passed it, the others are credited when they pass -- once, with
the completion keeping the session."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.classes import finalise
from app.classes.models import ClassRegistration, ClassSession
from app.content import store
from app.content.catalog import ContentCache
from app.learning.models import Certificate, Completion, QuizAttempt
from tests.classes.test_routes import _client, _form, _schedule
from tests.factories import csrf_token, make_user
from tests.learning.test_journey import _answers, _take_quiz

FINAL = "/kursus/PPP-101/tes/tes-akhir"


def _completions(session: Session, user: User) -> list[Completion]:
    session.expire_all()
    return list(session.scalars(select(Completion).where(Completion.user_id == user.id)))


def _register(client: TestClient, class_id: int) -> None:
    token = csrf_token(client, f"/kelas/{class_id}")
    assert client.post(f"/kelas/{class_id}/daftar", data={"csrf_token": token}).status_code == 303


def _mark(trainer: TestClient, class_id: int, user: User, mark: str) -> None:
    token = csrf_token(trainer, f"/kelas/{class_id}/kelola")
    response = trainer.post(
        f"/kelas/{class_id}/presensi",
        data={"csrf_token": token, "user_id": str(user.id), "mark": mark},
    )
    assert response.status_code == 303, response.text


def _start_final(client: TestClient) -> Any:
    token = csrf_token(client, FINAL)
    return client.post(f"{FINAL}/mulai", data={"csrf_token": token})


def _fail_final(client: TestClient, session: Session) -> None:
    """Submit a final-test attempt with wrong answers (sent as they are, some maybe blank)."""
    start = _start_final(client)
    assert start.status_code == 303, start.text
    url = start.headers["location"]
    attempt = session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.number == int(url.rsplit("/", 1)[1]))
        .order_by(QuizAttempt.id.desc())
    ).first()
    assert attempt is not None
    token = csrf_token(client, url)
    answers = _answers(session, attempt, correct=False)
    sent = client.post(url, data={"csrf_token": token, "kirim_tetap": "1", **answers})
    assert sent.status_code == 303, sent.text
    session.refresh(attempt)
    assert attempt.submitted_at is not None


def test_the_post_test_needs_a_course_with_a_final_test(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _client(client, make_user(session, roles={Role.HR}))
    token = csrf_token(hr, "/kelas/baru")
    response = hr.post("/kelas/baru", data={"csrf_token": token, **_form(post_test="1")})
    assert response.status_code == 400
    assert response.context["errors"]["post_test"].startswith("Post-test hanya untuk kelas")
    assert session.scalar(select(func.count()).select_from(ClassSession)) == 0
    class_id = _schedule(hr, course_code="PPP-101", jp="", category="", post_test="1")
    row = session.get(ClassSession, class_id)
    assert row is not None and row.post_test_required and row.course_id is not None


def test_attendees_are_credited_once_they_pass_the_post_test(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    trainer = _client(client, make_user(session, roles={Role.TRAINER}))
    class_id = _schedule(
        trainer, course_code="PPP-101", jp="", category="", post_test="1", capacity="5"
    )
    row = session.get(ClassSession, class_id)
    assert row is not None
    early, late, absent, online = (make_user(session) for _ in range(4))
    clients = {u.id: _client(client, u) for u in (early, late, absent, online)}
    outsider = _client(client, make_user(session))
    for user in (early, late, absent, online):
        _register(clients[user.id], class_id)
    # The final test waits for the modules, unless the class delivered them.
    assert _start_final(clients[early.id]).status_code == 409
    for user in (early, late, online):
        _mark(trainer, class_id, user, "present")
    _mark(trainer, class_id, absent, "absent")
    # `online` had completed the course online before the class.
    course_id = row.course_id
    assert course_id is not None
    session.add(Completion(user_id=online.id, course_id=course_id, final_score=90, jp=2))
    session.flush()

    # In the room, the attendee takes the post-test at the end of the class: passed, but not
    # credited before the trainer finalises the roll.
    _take_quiz(clients[early.id], session, "tes-akhir", correct=True)
    assert _completions(session, early) == []
    assert _start_final(clients[absent.id]).status_code == 409
    assert _start_final(outsider).status_code == 409

    token = csrf_token(trainer, f"/kelas/{class_id}/kelola")
    asked = trainer.post(f"/kelas/{class_id}/finalkan", data={"csrf_token": token})
    # (`online` is counted with those who get the JP: they hold it already, from the course.)
    assert "2 peserta mendapat" in asked.text and "1 peserta lainnya" in asked.text
    assert "1 peserta hadir belum lulus post-test" in asked.text
    done = trainer.post(
        f"/kelas/{class_id}/finalkan", data={"csrf_token": token, "konfirmasi": "ya"}
    )
    assert done.status_code == 303

    [credited] = _completions(session, early)
    assert (credited.course_id, credited.class_session_id) == (course_id, class_id)
    assert credited.final_score == 100  # the post-test's score
    assert _completions(session, late) == [] and _completions(session, absent) == []
    assert [c.class_session_id for c in _completions(session, online)] == [None]  # kept, once
    awaiting = {
        r.user_id: r.awaits_post_test
        for r in session.scalars(
            select(ClassRegistration).where(ClassRegistration.session_id == class_id)
        )
    }
    assert awaiting == {early.id: False, late.id: True, absent.id: False, online.id: False}
    roll = trainer.get(f"/kelas/{class_id}/kelola")
    assert roll.text.count("Menunggu lulus post-test") == 1
    assert "1 peserta menunggu lulus post-test" in roll.text
    page = clients[late.id].get(f"/kelas/{class_id}")
    assert f'href="{FINAL}"' in page.text and "Kerjakan post-test" in page.text

    # Failing changes nothing; passing later credits the class then, once.
    _fail_final(clients[late.id], session)
    assert _completions(session, late) == []
    _take_quiz(clients[late.id], session, "tes-akhir", correct=True)
    [later] = _completions(session, late)
    assert (later.course_id, later.class_session_id, later.jp) == (course_id, class_id, row.jp)
    certificate = session.scalars(
        select(Certificate).where(Certificate.completion_id == later.id)
    ).one()
    assert certificate.course_code == f"KELAS-{class_id}"
    session.expire_all()
    reg = session.scalars(
        select(ClassRegistration).where(
            ClassRegistration.session_id == class_id, ClassRegistration.user_id == late.id
        )
    ).one()
    assert reg.awaits_post_test is False
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "class.post_test_credited")
        )
        == 1
    )
    # Nothing credits it twice: the course is complete, and the record lists the class once.
    cache: ContentCache = client.app.state.content  # type: ignore[attr-defined]
    view = cache.catalog(session).by_code["PPP-101"]
    assert finalise.credit_post_test(session, late.id, view, row.ends_at) is False
    assert len(_completions(session, late)) == 1
    assert clients[late.id].get("/riwayat").text.count("Workshop Pelayanan Publik") == 1
