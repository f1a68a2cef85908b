"""Scheduling, registration with a waiting list, check-in by code, marking and finalising."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.classes import attendance, finalise, roll, service
from app.classes.models import ClassSession
from app.classes.service import ClassRuleError
from app.content.models import Course
from app.learning import credited, jp
from app.learning.models import Certificate, Completion, Enrolment
from app.reports import completions, compliance
from tests.classes.conftest import NOW, SECRET, MakeSession


def _status(session: Session, row: ClassSession, user: User) -> str | None:
    reg = service.registration_of(session, row.id, user.id)
    return reg.status if reg else None


def _fill(session: Session, row: ClassSession, people: list[User]) -> None:
    for person in people:
        service.register(session, row, person.id, actor_id=person.id)


def test_registration_beyond_capacity_goes_to_the_waiting_list(
    session: Session, make_session: MakeSession, learners: list[User]
) -> None:
    row = make_session(capacity=2)
    _fill(session, row, learners[:3])
    assert [_status(session, row, p) for p in learners[:3]] == [
        "registered",
        "registered",
        "waiting",
    ]
    assert service.seats_taken(session, row.id) == 2
    # Registering twice changes nothing.
    again = service.register(session, row, learners[2].id, actor_id=learners[2].id)
    assert again.status == "waiting"


def test_a_cancelled_seat_goes_to_the_first_on_the_waiting_list(
    session: Session, make_session: MakeSession, learners: list[User]
) -> None:
    row = make_session(capacity=1)
    _fill(session, row, learners[:3])
    service.unregister(session, row, learners[0].id, actor_id=learners[0].id)
    assert _status(session, row, learners[0]) == "cancelled"
    assert _status(session, row, learners[1]) == "registered"
    assert _status(session, row, learners[2]) == "waiting"
    promoted = session.scalar(
        select(func.count()).where(
            AuditEvent.action == "class.promoted", AuditEvent.target_id == str(row.id)
        )
    )
    assert promoted == 1


def test_raising_the_capacity_promotes_in_order(
    session: Session, make_session: MakeSession, learners: list[User], trainer: User
) -> None:
    row = make_session(capacity=1)
    _fill(session, row, learners[:4])
    values = service.SessionValues(**{**_values(row), "capacity": 3})
    service.edit(session, row, values, actor_id=trainer.id)
    assert [_status(session, row, p) for p in learners] == [
        "registered", "registered", "registered", "waiting",
    ]  # fmt: skip


def _values(row: ClassSession) -> dict[str, Any]:
    return {f: getattr(row, f) for f in service.SessionValues.__dataclass_fields__}


def test_a_session_by_assignment_refuses_self_registration(
    session: Session, make_session: MakeSession, learners: list[User], trainer: User
) -> None:
    row = make_session(registration="assigned")
    with pytest.raises(ClassRuleError, match="penugasan"):
        service.register(session, row, learners[0].id, actor_id=learners[0].id)
    reg = service.register(session, row, learners[0].id, actor_id=trainer.id, source="assigned")
    assert reg.status == "registered"


def test_a_cancelled_session_takes_no_registration_and_is_audited(
    session: Session, make_session: MakeSession, learners: list[User], trainer: User
) -> None:
    row = make_session()
    with pytest.raises(ClassRuleError, match="alasan"):
        service.cancel_session(session, row, actor_id=trainer.id, reason="  ")
    service.cancel_session(session, row, actor_id=trainer.id, reason="Narasumber berhalangan")
    assert row.status == "cancelled"
    with pytest.raises(ClassRuleError, match="dibatalkan"):
        service.register(session, row, learners[0].id, actor_id=learners[0].id)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "class.cancelled")).one()
    assert event.target_id == str(row.id)


def _check_in(session: Session, row: ClassSession, user: User, code: str, at: Any) -> Any:
    return roll.check_in(session, SECRET, row, user.id, code, at, late_minutes=15)


def test_check_in_with_the_current_code_records_arrival_and_lateness(
    session: Session, make_session: MakeSession, learners: list[User]
) -> None:
    row = make_session()
    _fill(session, row, learners[:2])
    on_time = NOW + timedelta(minutes=10)
    reg = _check_in(
        session, row, learners[0], attendance.current_code(SECRET, row.id, on_time), on_time
    )
    assert (reg.attendance, reg.arrived_at, reg.late) == ("present", on_time, False)
    late = NOW + timedelta(minutes=16)
    reg = _check_in(session, row, learners[1], attendance.current_code(SECRET, row.id, late), late)
    assert reg.late is True


def test_a_session_tolerance_overrides_the_setting(
    session: Session, make_session: MakeSession, learners: list[User]
) -> None:
    row = make_session(late_after_minutes=5)
    _fill(session, row, learners[:1])
    at = NOW + timedelta(minutes=6)
    reg = _check_in(session, row, learners[0], attendance.current_code(SECRET, row.id, at), at)
    assert reg.late is True


def test_an_expired_code_and_another_sessions_code_are_refused(
    session: Session, make_session: MakeSession, learners: list[User]
) -> None:
    row = make_session()
    other = make_session(title="Kelas lain")
    _fill(session, row, learners[:1])
    at = NOW + timedelta(minutes=5)
    old = attendance.current_code(SECRET, row.id, at - timedelta(seconds=90))
    with pytest.raises(ClassRuleError, match="kedaluwarsa"):
        _check_in(session, row, learners[0], old, at)
    with pytest.raises(ClassRuleError, match="kelas lain"):
        _check_in(session, row, learners[0], attendance.current_code(SECRET, other.id, at), at)
    with pytest.raises(ClassRuleError, match="tidak dikenal"):
        _check_in(session, row, learners[0], "ABCDEF", at)
    assert service.registration_of(session, row.id, learners[0].id).attendance is None  # type: ignore[union-attr]


def test_check_in_needs_a_seat_and_an_open_roll(
    session: Session, make_session: MakeSession, learners: list[User]
) -> None:
    row = make_session(capacity=1)
    _fill(session, row, learners[:2])
    at = NOW + timedelta(minutes=5)
    code = attendance.current_code(SECRET, row.id, at)
    with pytest.raises(ClassRuleError, match="kursi"):
        _check_in(session, row, learners[1], code, at)  # on the waiting list
    early = NOW - timedelta(hours=1)
    with pytest.raises(ClassRuleError, match="tidak sedang dibuka"):
        _check_in(session, row, learners[0], attendance.current_code(SECRET, row.id, early), early)


def test_finalise_credits_present_and_enough_partial_once_with_a_certificate(
    session: Session, make_session: MakeSession, learners: list[User], trainer: User
) -> None:
    row = make_session(capacity=4, jp=6, category="manajerial")
    _fill(session, row, learners)
    at = NOW + timedelta(minutes=3)
    _check_in(session, row, learners[0], attendance.current_code(SECRET, row.id, at), at)
    roll.mark(session, row, learners[1].id, "partial", minutes=90, actor_id=trainer.id)  # 75 %
    roll.mark(session, row, learners[2].id, "partial", minutes=60, actor_id=trainer.id)  # 50 %
    roll.mark(session, row, learners[3].id, "absent", minutes=None, actor_id=trainer.id)
    end = NOW + timedelta(hours=2, minutes=5)
    result = finalise.finalise(session, row, actor_id=trainer.id, now=end, min_percent=75)
    assert sorted(result.credited) == sorted([learners[0].id, learners[1].id])
    assert sorted(result.not_qualified) == sorted([learners[2].id, learners[3].id])
    done = session.scalars(select(Completion).where(Completion.class_session_id == row.id)).all()
    assert {(c.user_id, c.course_id, c.jp, c.final_score) for c in done} == {
        (learners[0].id, None, 6, 100), (learners[1].id, None, 6, 75),
    }  # fmt: skip
    assert all(c.completed_at == row.ends_at for c in done)
    certificates = session.scalars(
        select(Certificate).where(Certificate.completion_id.in_([c.id for c in done]))
    ).all()
    assert {(c.course_code, c.category, c.jp) for c in certificates} == {
        (f"KELAS-{row.id}", "manajerial", 6)
    }
    assert all(c.pdf_sha256 for c in certificates)
    # Through the one owner of credited JP: the learner's record and HR's totals.
    year = jp.jp_for_year(session, learners[0].id, 2026)
    assert year.lentera_jp == 6
    assert [(e.title, e.category, e.jp) for e in year.entries] == [
        ("Pelatihan Pelayanan Prima", "manajerial", 6)
    ]
    assert credited.jp_by_user(session, 2026, [learners[0].id, learners[2].id]) == {
        learners[0].id: 6, learners[2].id: 0,
    }  # fmt: skip
    people = compliance.people_page(
        session, compliance.ComplianceFilters(year=2026), target=20, page=1
    )
    assert {p.user_id: p.lentera_jp for p in people}[learners[1].id] == 6
    # Finalising again is refused: the JP is credited exactly once.
    with pytest.raises(ClassRuleError, match="terjadwal"):
        finalise.finalise(session, row, actor_id=trainer.id, now=end, min_percent=75)
    assert credited.jp_by_user(session, 2026, [learners[0].id])[learners[0].id] == 6


def test_a_finalised_roll_cannot_be_changed(
    session: Session, make_session: MakeSession, learners: list[User], trainer: User
) -> None:
    row = make_session()
    _fill(session, row, learners[:1])
    finalise.finalise(
        session, row, actor_id=trainer.id, now=NOW + timedelta(hours=3), min_percent=75
    )
    with pytest.raises(ClassRuleError):
        roll.mark(session, row, learners[0].id, "present", minutes=None, actor_id=trainer.id)
    with pytest.raises(ClassRuleError, match="difinalkan"):
        service.unregister(session, row, learners[0].id, actor_id=learners[0].id)


def test_partial_minutes_must_fit_the_session(
    session: Session, make_session: MakeSession, learners: list[User], trainer: User
) -> None:
    row = make_session()
    _fill(session, row, learners[:1])
    with pytest.raises(ClassRuleError, match="1 sampai 119"):
        roll.mark(session, row, learners[0].id, "partial", minutes=120, actor_id=trainer.id)


def test_finalise_before_the_start_is_refused(
    session: Session, make_session: MakeSession, trainer: User
) -> None:
    row = make_session()
    with pytest.raises(ClassRuleError, match="belum dimulai"):
        finalise.finalise(
            session, row, actor_id=trainer.id, now=NOW - timedelta(minutes=1), min_percent=75
        )


def test_a_session_of_a_course_completes_the_course_but_never_twice(
    session: Session,
    make_session: MakeSession,
    learners: list[User],
    trainer: User,
    demo_content: Any,
) -> None:
    course = session.scalars(select(Course).where(Course.code == "PPP-101")).one()
    row = make_session(course_id=course.id, capacity=3)
    # learners[1] already completed the course online.
    session.add(Completion(user_id=learners[1].id, course_id=course.id, final_score=90, jp=2,
                           completed_at=NOW - timedelta(days=3)))  # fmt: skip
    session.flush()
    _fill(session, row, learners[:2])
    for person in learners[:2]:
        roll.mark(session, row, person.id, "present", minutes=None, actor_id=trainer.id)
    result = finalise.finalise(
        session, row, actor_id=trainer.id, now=NOW + timedelta(hours=2), min_percent=75
    )
    assert result.credited == [learners[0].id]
    assert result.already == [learners[1].id]
    first = session.scalars(select(Completion).where(Completion.user_id == learners[0].id)).one()
    assert (first.course_id, first.class_session_id) == (course.id, row.id)
    enrolment = session.scalars(select(Enrolment).where(Enrolment.user_id == learners[0].id)).one()
    assert (enrolment.course_id, enrolment.source) == (course.id, "class")
    # The completion export (one row per enrolment) lists the course as done, with the JP.
    rows = list(completions.iter_records(session, completions.ExportFilters(nip=learners[0].nip)))
    assert [(r[5], r[8], r[12], r[17]) for r in rows] == [("PPP-101", row.jp, "Selesai", row.jp)]
    assert credited.jp_by_user(session, 2026, [learners[1].id]) == {learners[1].id: 2}
