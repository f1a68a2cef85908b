"""Finalising a session: its roll closed for good and every qualifying attendee credited.

Every attendee who qualifies (`attendance.qualifies`: present, or partial with at least
`class_min_attendance_percent` of the session) gets a completion of the session -- and of its
course, when the session delivers one -- with the session's JP, and a certificate like a
course's. The JP then counts through app.learning.credited like any completion: the learner's
record (/riwayat, its CSV and PDF), HR's JP compliance and its export, and the JSON API read it
there. A completion is inserted at most once per learner and session (a unique row); a learner
who already completed the session's course online keeps that completion and is not credited a
second time. A session requiring a post-test credits only attendees who passed the course's
final test; the others are credited when they pass it (app.classes.post_test).

A session of a course also enrols the attendee in the course (source "class"), so the
completion export and the SIASN file list it once, through that enrolment. A stand-alone
pelatihan klasikal has no course: the export lists its completions as rows of their own
(app.reports.completion_sources; see docs/classes.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import User
from app.audit import service as audit
from app.classes import attendance, post_test
from app.classes.models import ClassRegistration, ClassSession
from app.classes.service import REGISTERED, ClassRuleError
from app.content.catalog import CourseView
from app.content.models import Course
from app.db import insert_or_ignore
from app.i18n import gettext as _
from app.learning import certificate_issue, certificate_snapshot
from app.learning import completion as completion_service
from app.learning.models import Completion, Enrolment
from app.learning.pdf_certificate import CertificateData

CLASS_LEARNING_MODE = "tatap muka (klasikal)"
ONLINE_LEARNING_MODE = "kelas daring (webinar)"


def class_code(row: ClassSession) -> str:
    """The code a class prints on its certificates (KELAS-12)."""
    return f"KELAS-{row.id}"


@dataclass(frozen=True)
class Finalised:
    credited: list[int]  # user ids credited now
    already: list[int]  # user ids whose course was already completed (not credited twice)
    not_qualified: list[int]
    awaiting: list[int] = field(default_factory=list)  # qualified, post-test not passed yet


def _certificate_data(
    number: str, person: User, row: ClassSession, done: Completion, score: int, now: datetime
) -> CertificateData:
    authority = certificate_issue.current().authority
    online = bool(row.online_url) and not row.place
    return CertificateData(
        **certificate_snapshot.holder_and_issuer(number, person, authority),
        course_title=row.title, course_code=class_code(row), category=row.category, jp=row.jp,
        completed_on=clock.local_date(done.completed_at), final_score=score,
        started_on=clock.local_date(row.starts_at), issued_on=clock.local_date(now),
        learning_mode=ONLINE_LEARNING_MODE if online else CLASS_LEARNING_MODE, modules=(),
    )  # fmt: skip


def _seated(session: Session, row: ClassSession) -> Sequence[ClassRegistration]:
    return session.scalars(
        select(ClassRegistration)
        .where(ClassRegistration.session_id == row.id, ClassRegistration.status == REGISTERED)
        .order_by(ClassRegistration.id)
    ).all()


def _completed(session: Session, user_id: int, course_id: int) -> bool:
    found = session.scalar(
        select(Completion.id).where(
            Completion.user_id == user_id, Completion.course_id == course_id
        )
    )
    return found is not None


def finalise_preview(
    session: Session, row: ClassSession, min_percent: int, view: CourseView | None = None
) -> tuple[int, int, int]:
    """(credited, not qualifying, awaiting the post-test) seated attendees, by the rule
    `finalise` applies (`view`: the session's course, needed when it requires a post-test)."""
    total = attendance.session_minutes(row.starts_at, row.ends_at)
    seated = _seated(session, row)
    qualifying = [
        reg
        for reg in seated
        if attendance.qualifies(reg.attendance, reg.minutes_attended, total, min_percent)
    ]
    awaiting = 0
    if row.post_test_required and view is not None:
        awaiting = sum(
            completion_service.passed_final_score(session, reg.user_id, view) is None
            and not _completed(session, reg.user_id, view.course_id)
            for reg in qualifying
        )
    return len(qualifying) - awaiting, len(seated) - len(qualifying), awaiting


def _credit(
    session: Session, row: ClassSession, course: Course | None, user_id: int, *, score: int,
    completed_at: datetime, now: datetime, actor_id: int,
) -> bool:  # fmt: skip
    """Record the attendee's completion of the session (and its course) with a certificate;
    False when the learner had completed the course already (then nothing is added)."""
    values = {
        "user_id": user_id, "course_id": course.id if course else None,
        "course_version_id": course.current_version_id if course else None,
        "class_session_id": row.id, "started_at": row.starts_at,
        "completed_at": completed_at, "final_score": score, "jp": row.jp,
    }  # fmt: skip
    if not insert_or_ignore(session, Completion, values):
        return False
    if course is not None:
        # The course's enrolment, so the course shows as done on the learner's pages and the
        # completion export (enrolment rows) lists it.
        insert_or_ignore(
            session, Enrolment,
            {"user_id": user_id, "course_id": course.id, "enrolled_at": row.starts_at,
             "source": "class"},
        )  # fmt: skip
    done = session.scalar(
        select(Completion).where(
            Completion.user_id == user_id, Completion.class_session_id == row.id
        )
    )
    person = session.get(User, user_id)
    assert done is not None and person is not None
    number = completion_service.certificate_number(class_code(row), done)
    data = _certificate_data(number, person, row, done, score, now)
    certificate = completion_service.certificate_from_data(session, done, person, data, now)
    audit.record(
        session, "certificate.issued", actor_id=actor_id, target_type="certificate",
        target_id=certificate.number,
    )  # fmt: skip
    return True


def finalise(
    session: Session, row: ClassSession, *, actor_id: int, now: datetime, min_percent: int,
    view: CourseView | None = None,
) -> Finalised:  # fmt: skip
    """Close the roll and credit every qualifying attendee once (completion + certificate).

    A session requiring a post-test (`view`: its course) credits only those who have passed
    the course's final test; the other qualifying attendees await it (app.classes.post_test).
    """
    if row.status != "scheduled":
        raise ClassRuleError(_("Hanya kelas terjadwal yang dapat difinalkan."))
    if now < row.starts_at:
        raise ClassRuleError(_("Kelas belum dimulai; finalkan setelah kelas berlangsung."))
    if row.post_test_required and (view is None or view.course_id != row.course_id):
        raise ValueError("a session requiring a post-test is finalised with its course's view")
    row.status, row.finalised_at = "finalised", now
    total = attendance.session_minutes(row.starts_at, row.ends_at)
    course = session.get(Course, row.course_id) if row.course_id is not None else None
    result = Finalised([], [], [])
    for reg in _seated(session, row):
        if not attendance.qualifies(reg.attendance, reg.minutes_attended, total, min_percent):
            result.not_qualified.append(reg.user_id)
            continue
        score = attendance.attendance_percent(reg.attendance, reg.minutes_attended, total)
        if row.post_test_required and view is not None:
            passed = completion_service.passed_final_score(session, reg.user_id, view)
            if passed is None and _completed(session, reg.user_id, view.course_id):
                result.already.append(reg.user_id)  # completed online: credited there, once
                continue
            if passed is None:
                reg.awaits_post_test = True
                result.awaiting.append(reg.user_id)
                continue
            score = passed
        credited = _credit(
            session, row, course, reg.user_id, score=score, completed_at=min(now, row.ends_at),
            now=now, actor_id=actor_id,
        )  # fmt: skip
        if not credited:
            result.already.append(reg.user_id)
            continue
        audit.record(
            session, "class.credited", actor_id=actor_id, target_type="class_session",
            target_id=row.id, user_id=reg.user_id, final_score=score, jp=row.jp,
        )  # fmt: skip
        result.credited.append(reg.user_id)
    audit.record(
        session, "class.finalised", actor_id=actor_id, target_type="class_session",
        target_id=row.id, credited=len(result.credited), not_qualified=len(result.not_qualified),
        awaiting_post_test=len(result.awaiting),
    )  # fmt: skip
    return result


def credit_post_test(session: Session, user_id: int, view: CourseView, now: datetime) -> bool:
    """Credit the class whose post-test the learner awaited, now that they passed the course's
    final test (True when credited). Run after each submission of that test."""
    found = post_test.awaiting(session, user_id, view.course_id)
    if found is None:
        return False
    row, reg = found
    score = completion_service.passed_final_score(session, user_id, view)
    if score is None:
        return False
    reg.awaits_post_test = False
    course = session.get(Course, view.course_id)
    if not _credit(
        session, row, course, user_id, score=score, completed_at=now, now=now, actor_id=user_id
    ):
        return False  # the course was completed online meanwhile: credited once, there
    audit.record(
        session, "class.post_test_credited", actor_id=user_id, target_type="class_session",
        target_id=row.id, user_id=user_id, final_score=score, jp=row.jp,
    )  # fmt: skip
    return True
