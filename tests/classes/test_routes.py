"""The class pages: roles, CSRF, scheduling from the form, registering, checking in with the
code shown on the trainer's screen, finalising, and the .ics file."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.classes.models import ClassRegistration, ClassSession
from app.db import utcnow
from app.learning.models import Completion
from tests.factories import csrf_token, login, make_user


def _client(client: TestClient, user: User) -> TestClient:
    other = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    login(other, user)
    return other


def _form(**overrides: str) -> dict[str, str]:
    # A class running now that starts and ends on today's local date (the form takes one day),
    # whatever the hour the suite runs at: ten minutes ago, or at local midnight if that is
    # later, until 23:59.
    now = clock.local(utcnow())
    start = max(now - timedelta(minutes=10), now.replace(hour=0, minute=0, second=0, microsecond=0))
    fields = {
        "title": "Workshop Pelayanan Publik",
        "description": "Praktik langsung",
        "course_code": "",
        "jp": "3",
        "category": "sosial kultural",
        "day": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": "23:59",
        "place": "Aula BKPSDM",
        "online_url": "",
        "capacity": "1",
        "registration": "open",
        "late_minutes": "",
    }
    fields.update(overrides)
    return fields


def _schedule(staff: TestClient, **overrides: str) -> int:
    token = csrf_token(staff, "/kelas/baru")
    response = staff.post("/kelas/baru", data={"csrf_token": token, **_form(**overrides)})
    assert response.status_code == 303, response.text
    match = re.match(r"/kelas/(\d+)/kelola", response.headers["location"])
    assert match
    return int(match.group(1))


def test_a_learner_cannot_schedule_manage_or_mark(client: TestClient, session: Session) -> None:
    learner = _client(client, make_user(session))
    trainer = _client(client, make_user(session, roles={Role.TRAINER}))
    class_id = _schedule(trainer)
    token = csrf_token(learner, "/kelas")
    assert learner.get("/kelas/baru").status_code == 403
    assert learner.post("/kelas/baru", data={"csrf_token": token, **_form()}).status_code == 403
    assert learner.get(f"/kelas/{class_id}/kelola").status_code == 403
    assert learner.get(f"/kelas/{class_id}/kode").status_code == 403
    response = learner.post(
        f"/kelas/{class_id}/presensi", data={"csrf_token": token, "user_id": "1", "mark": "present"}
    )
    assert response.status_code == 403
    assert (
        learner.post(f"/kelas/{class_id}/finalkan", data={"csrf_token": token}).status_code == 403
    )


def test_posts_without_the_csrf_token_are_refused(client: TestClient, session: Session) -> None:
    learner = _client(client, make_user(session))
    trainer = _client(client, make_user(session, roles={Role.TRAINER}))
    class_id = _schedule(trainer)
    assert learner.post(f"/kelas/{class_id}/daftar").status_code == 403
    assert learner.post(f"/kelas/{class_id}/hadir", data={"kode": "ABCDEF"}).status_code == 403
    assert session.scalars(select(ClassRegistration)).all() == []


def test_scheduling_form_refuses_bad_input_with_messages(
    client: TestClient, session: Session
) -> None:
    hr = _client(client, make_user(session, roles={Role.HR}))
    token = csrf_token(hr, "/kelas/baru")
    data = _form(title="", jp="0", day="15/12/2026", place="", capacity="-1")
    response = hr.post("/kelas/baru", data={"csrf_token": token, **data})
    assert response.status_code == 400
    assert response.template.name == "classes/form.html"
    errors = response.context["errors"]
    assert set(errors) == {"title", "jp", "day", "place", "capacity"}
    assert "TTTT-BB-HH" in errors["day"]
    assert session.scalars(select(ClassSession)).all() == []


def test_a_course_session_takes_the_course_jp_and_times_are_local(
    client: TestClient, session: Session, demo_content: object
) -> None:
    hr = _client(client, make_user(session, roles={Role.HR}))
    class_id = _schedule(
        hr, course_code="PPP-101", jp="", category="", day="2026-12-15", start="08:00", end="12:00"
    )
    row = session.get(ClassSession, class_id)
    assert row is not None and row.course_id is not None
    assert (row.jp, row.category) == (2, "teknis") or row.jp > 0
    assert row.starts_at.hour == 0 and row.ends_at.hour == 4  # 08.00-12.00 WITA in UTC


def test_register_check_in_with_the_screen_code_and_finalise(
    client: TestClient, session: Session
) -> None:
    first, second = make_user(session), make_user(session)
    trainer = _client(client, make_user(session, roles={Role.TRAINER}))
    class_id = _schedule(trainer)
    a, b = _client(client, first), _client(client, second)
    for person in (a, b):
        token = csrf_token(person, f"/kelas/{class_id}")
        assert (
            person.post(f"/kelas/{class_id}/daftar", data={"csrf_token": token}).status_code == 303
        )
    waiting_page = b.get(f"/kelas/{class_id}?status=menunggu").text
    assert "daftar tunggu" in waiting_page
    # Only a seat is offered the check-in: the waiting list is not.
    assert f"/kelas/{class_id}/hadir" not in waiting_page
    assert f"/kelas/{class_id}/hadir" in a.get(f"/kelas/{class_id}").text
    home = a.get("/")
    assert "Workshop Pelayanan Publik" in home.text
    screen = trainer.get(f"/kelas/{class_id}/kode")
    assert screen.status_code == 200
    code = screen.context["code"]
    assert f'<strong id="kode">{code}</strong>' in screen.text
    assert '<meta http-equiv="refresh"' in screen.text and "<svg" in screen.text
    # The QR link opens a confirmation form; GET changes nothing.
    confirm = a.get(f"/kelas/{class_id}/hadir?kode={code}")
    assert confirm.status_code == 200 and f'value="{code}"' in confirm.text
    assert (
        session.scalars(select(ClassRegistration).where(ClassRegistration.user_id == first.id))
        .one()
        .attendance
        is None
    )
    token = csrf_token(a, f"/kelas/{class_id}/hadir")
    done = a.post(f"/kelas/{class_id}/hadir", data={"csrf_token": token, "kode": code})
    assert done.status_code == 200 and "tercatat" in done.text
    # The waiting learner holds no seat.
    token = csrf_token(b, f"/kelas/{class_id}/hadir")
    refused = b.post(f"/kelas/{class_id}/hadir", data={"csrf_token": token, "kode": code})
    assert refused.status_code == 400 and "kursi" in refused.text
    token = csrf_token(trainer, f"/kelas/{class_id}/kelola")
    # Finalising cannot be undone: the first post only asks, saying who will be credited.
    asked = trainer.post(f"/kelas/{class_id}/finalkan", data={"csrf_token": token})
    assert asked.status_code == 200
    assert "1 peserta mendapat 3 JP dan sertifikat; 0 peserta lainnya" in asked.text
    assert (
        session.scalars(select(Completion).where(Completion.class_session_id == class_id)).all()
        == []
    )
    confirmed = trainer.post(
        f"/kelas/{class_id}/finalkan", data={"csrf_token": token, "konfirmasi": "ya"}
    )
    assert confirmed.status_code == 303
    completion = session.scalars(
        select(Completion).where(Completion.class_session_id == class_id)
    ).one()
    assert (completion.user_id, completion.jp) == (first.id, 3)
    record = a.get("/riwayat")
    assert "Workshop Pelayanan Publik" in record.text


def test_a_wrong_code_is_refused_with_a_message(client: TestClient, session: Session) -> None:
    learner = make_user(session)
    trainer = _client(client, make_user(session, roles={Role.TRAINER}))
    class_id = _schedule(trainer)
    a = _client(client, learner)
    token = csrf_token(a, f"/kelas/{class_id}")
    a.post(f"/kelas/{class_id}/daftar", data={"csrf_token": token})
    response = a.post(f"/kelas/{class_id}/hadir", data={"csrf_token": token, "kode": "ZZZZZZ"})
    assert response.status_code == 400
    assert response.context["error"].startswith("Kode tidak dikenal")


def test_the_ics_file_is_text_calendar(client: TestClient, session: Session) -> None:
    trainer = _client(client, make_user(session, roles={Role.TRAINER}))
    class_id = _schedule(trainer)
    response = trainer.get(f"/kelas/{class_id}/kelas.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text.startswith("BEGIN:VCALENDAR\r\n")
    assert f"UID:kelas-{class_id}@" in response.text


def test_cancelling_needs_a_reason_and_is_shown_to_learners(
    client: TestClient, session: Session
) -> None:
    hr = _client(client, make_user(session, roles={Role.HR}))
    class_id = _schedule(hr)
    token = csrf_token(hr, f"/kelas/{class_id}/kelola")
    refused = hr.post(f"/kelas/{class_id}/batalkan", data={"csrf_token": token, "reason": " "})
    assert refused.status_code == 400
    asked = hr.post(
        f"/kelas/{class_id}/batalkan", data={"csrf_token": token, "reason": "Ruangan dipakai"}
    )
    assert asked.status_code == 200 and "Batalkan kelas" in asked.text
    assert (
        "Ruangan dipakai" not in _client(client, make_user(session)).get(f"/kelas/{class_id}").text
    )
    hr.post(
        f"/kelas/{class_id}/batalkan",
        data={"csrf_token": token, "reason": "Ruangan dipakai", "konfirmasi": "ya"},
    )
    learner = _client(client, make_user(session))
    assert "Ruangan dipakai" in learner.get(f"/kelas/{class_id}").text


def test_adding_people_by_nip_names_unknown_lines_and_adds_nobody(
    client: TestClient, session: Session
) -> None:
    known = make_user(session)
    hr = _client(client, make_user(session, roles={Role.HR}))
    class_id = _schedule(hr, registration="assigned", capacity="5")
    token = csrf_token(hr, f"/kelas/{class_id}/kelola")
    nips = f"{known.nip}\n199001012015041999"
    refused = hr.post(f"/kelas/{class_id}/peserta", data={"csrf_token": token, "nips": nips})
    assert refused.status_code == 400
    assert "baris 2: 199001012015041999" in refused.context["error"]
    assert session.scalars(select(ClassRegistration)).all() == []
    added = hr.post(f"/kelas/{class_id}/peserta", data={"csrf_token": token, "nips": known.nip})
    assert added.status_code == 303
    registration = session.scalars(select(ClassRegistration)).one()
    assert (registration.user_id, registration.source, registration.status) == (
        known.id,
        "assigned",
        "registered",
    )
    # The learner's own calendar file lists the session they were added to.
    learner = _client(client, known)
    calendar = learner.get("/kelas/jadwal-saya.ics")
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert f"UID:kelas-{class_id}@" in calendar.text
