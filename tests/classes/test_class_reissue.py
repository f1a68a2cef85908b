"""Re-issuing a class certificate (HR): a new number from the person's current profile and
today's settings, the class as it was frozen at finalising; the old one revoked "diganti"."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.classes import finalise
from app.classes.models import ClassSession
from app.content.models import Course
from app.learning import certificate_snapshot, credited, jp
from app.learning.models import Certificate
from app.reports import exports, siasn
from app.reports.completions import ExportFilters
from tests.classes.conftest import MakeSession, finalise_present
from tests.factories import csrf_token, login, make_user


def _reissue(client: TestClient, number: str, reason: str) -> Any:
    path = f"/sertifikat/{number}/terbitkan-ulang"
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"csrf_token": csrf_token(client, path), "reason": reason})


def _export_numbers(session: Session, person: User) -> tuple[list[str], list[str]]:
    """The certificate numbers listed for `person` in the Lentera layout and in SIASN's."""
    options = siasn.Options(issuer="BKPSDM")
    filters = ExportFilters(nip=person.nip)
    _h, lentera = exports.rows_for(session, "lentera", filters, options)
    _h, records = exports.rows_for(session, "siasn", filters, options)
    return [str(r[13]) for r in lentera], [str(r[11]) for r in records]


def _reissued(session: Session, old: Certificate) -> Certificate:
    session.expire_all()
    refreshed = session.get(Certificate, old.id)
    assert refreshed is not None and refreshed.replaced_by_id is not None
    assert (refreshed.revoke_reason, refreshed.revoked_at is not None) == ("diganti", True)
    new = session.get(Certificate, refreshed.replaced_by_id)
    assert new is not None and new.replaces_id == old.id and new.revoked_at is None
    return new


def test_hr_reissues_a_stand_alone_class_certificate_from_the_class_as_it_was_finalised(
    client: TestClient,
    session: Session,
    make_session: MakeSession,
    learners: list[User],
    trainer: User,
) -> None:
    row = make_session(title="Pelatihan Arsip Dinamis", jp=5, category="manajerial")
    person = learners[0]
    (old,) = finalise_present(session, row, [person], trainer)
    # Later: the learner's name is corrected, and the session row changes (a data fix).
    person.full_name = "Nur Aisyah Lamarauna"
    row.title, row.jp, row.category = "Judul Lain", 9, "teknis"
    session.commit()
    hr = make_user(session, roles={Role.HR})
    login(client, hr)

    response = _reissue(client, old.number, "Perbaikan penulisan nama")

    assert response.status_code == 303, response.text
    new = _reissued(session, old)
    assert response.headers["location"] == f"/verifikasi/{new.number}"
    frozen = (new.course_code, new.course_title, new.category, new.jp)
    assert frozen == (f"KELAS-{row.id}", "Pelatihan Arsip Dinamis", "manajerial", 5)
    assert (new.completed_on, new.final_score) == (old.completed_on, old.final_score)
    assert new.number.startswith(f"LTR-2026-KELAS{row.id}-") and new.number != old.number
    assert new.full_name == "Nur Aisyah Lamarauna" and new.pdf_sha256 not in (None, old.pdf_sha256)
    assert new.snapshot is not None and old.snapshot is not None
    printed = certificate_snapshot.from_json(new.snapshot)
    was = certificate_snapshot.from_json(old.snapshot)
    assert printed.learning_mode == finalise.CLASS_LEARNING_MODE == was.learning_mode
    assert (printed.started_on, printed.completed_on) == (date(2026, 12, 7), date(2026, 12, 7))
    assert (printed.course_title, printed.jp, printed.modules) == (was.course_title, 5, ())
    assert printed.full_name == "Nur Aisyah Lamarauna" and printed.number == new.number
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "certificate.reissued")
    ).one()
    assert (event.actor_id, event.target_id) == (hr.id, new.number)
    assert event.details["replaces"] == old.number and event.details["user_id"] == person.id
    # Counted once, with the frozen JP; listed once with the new number.
    assert credited.jp_by_user(session, 2026, [person.id]) == {person.id: 5}
    assert [e.jp for e in jp.jp_for_year(session, person.id, 2026).entries] == [5]
    assert _export_numbers(session, person) == ([new.number], [new.number])


def test_hr_reissues_the_certificate_of_a_course_delivered_in_class(
    client: TestClient,
    session: Session,
    make_session: MakeSession,
    learners: list[User],
    trainer: User,
    demo_content: Any,
) -> None:
    course = session.scalars(select(Course).where(Course.code == "PPP-101")).one()
    row = make_session(title="PPP-101 tatap muka", course_id=course.id, jp=6)
    person = learners[0]
    (old,) = finalise_present(session, row, [person], trainer)
    login(client, make_user(session, roles={Role.HR}))

    response = _reissue(client, old.number, "Perbaikan jabatan")

    assert response.status_code == 303, response.text
    new = _reissued(session, old)
    # The class certificate stays a class certificate (not the online course's print).
    assert (new.course_code, new.course_title, new.jp) == (f"KELAS-{row.id}", row.title, 6)
    assert new.snapshot is not None
    assert new.snapshot["learning_mode"] == finalise.CLASS_LEARNING_MODE
    assert credited.jp_by_user(session, 2026, [person.id]) == {person.id: 6}
    assert _export_numbers(session, person) == ([new.number], [new.number])


def test_a_reissued_class_certificate_can_be_reissued_again(
    client: TestClient,
    session: Session,
    make_session: MakeSession,
    learners: list[User],
    trainer: User,
) -> None:
    row: ClassSession = make_session(jp=3)
    (first,) = finalise_present(session, row, [learners[0]], trainer)
    login(client, make_user(session, roles={Role.HR}))
    assert _reissue(client, first.number, "Perbaikan nama").status_code == 303
    second = _reissued(session, first)
    assert _reissue(client, second.number, "Perbaikan unit").status_code == 303
    third = _reissued(session, second)
    assert (third.course_code, third.jp, third.completed_on) == (
        first.course_code, 3, first.completed_on,
    )  # fmt: skip
    assert credited.jp_by_user(session, 2026, [learners[0].id]) == {learners[0].id: 3}
    revoked = session.scalars(
        select(Certificate.number).where(Certificate.revoked_at.is_not(None))
    ).all()
    assert sorted(revoked) == sorted([first.number, second.number])
