"""The roll of a session: check-in by code, marking by hand, and finalising into credited JP.

Check-in (`check_in`) takes the code the learner typed or scanned (app.classes.attendance
says which codes are accepted) and records the arrival time and whether it was late. It is
open from `CHECK_IN_OPENS` before the start until the end of the session, for people holding
a seat. The trainer can mark anyone with a seat present, partial (minutes attended) or absent.

Finalising (`finalise`) closes the roll for good: every attendee who qualifies
(`attendance.qualifies`: present, or partial with at least `class_min_attendance_percent` of
the session) gets a completion of the session -- and of its course, when the session delivers
one -- with the session's JP, and a certificate like a course's. The JP then counts through
app.learning.credited like any completion: the learner's record (/riwayat, its CSV and PDF),
HR's JP compliance and its export, and the JSON API read it there. A completion is inserted at
most once per learner and session (a unique row); a learner who already completed the
session's course online keeps that completion and is not credited a second time.

A session of a course also enrols the attendee in the course (source "class"), so the
completion export and the SIASN file list it once, through that enrolment. A stand-alone
pelatihan klasikal has no course: the export lists its completions as rows of their own
(app.reports.completion_sources; see docs/classes.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.golongan import pangkat_golongan
from app.accounts.models import User
from app.audit import service as audit
from app.classes import attendance
from app.classes.attendance import Verdict
from app.classes.models import ClassRegistration, ClassSession
from app.classes.service import REGISTERED, ClassRuleError, registration_of
from app.content.models import Course
from app.db import insert_or_ignore
from app.i18n import gettext as _
from app.learning import certificate_issue
from app.learning import completion as completion_service
from app.learning.models import Completion, Enrolment
from app.learning.pdf_certificate import CertificateData

CHECK_IN_OPENS = timedelta(minutes=30)
CLASS_LEARNING_MODE = "tatap muka (klasikal)"
ONLINE_LEARNING_MODE = "kelas daring (webinar)"
MARKS = ("present", "partial", "absent")


def class_code(row: ClassSession) -> str:
    """The code a class prints on its certificates (KELAS-12)."""
    return f"KELAS-{row.id}"


def check_in_open(row: ClassSession, now: datetime) -> bool:
    """Whether learners may check in now (from 30 minutes before the start to the end)."""
    return row.status == "scheduled" and row.starts_at - CHECK_IN_OPENS <= now <= row.ends_at


def _refuse_code(
    session: Session, secret: str, row: ClassSession, typed: str, now: datetime
) -> str:
    verdict = attendance.verify(secret, row.id, typed, now)
    if verdict is Verdict.EXPIRED:
        return _("Kode sudah kedaluwarsa. Masukkan kode yang sedang tampil di layar pelatih.")
    others = session.scalars(
        select(ClassSession.id).where(
            ClassSession.id != row.id,
            ClassSession.status == "scheduled",
            ClassSession.starts_at <= now + CHECK_IN_OPENS,
            ClassSession.ends_at >= now,
        )
    )
    if any(attendance.matches(secret, other, typed, now) for other in others):
        return _("Kode ini milik kelas lain. Pastikan Anda membuka halaman kelas yang benar.")
    return _("Kode tidak dikenal. Periksa kembali kode di layar pelatih.")


def check_in(
    session: Session,
    secret: str,
    row: ClassSession,
    user_id: int,
    typed: str,
    now: datetime,
    *,
    late_minutes: int,
) -> ClassRegistration:
    """Record the learner present from a typed or scanned code (ClassRuleError if refused)."""
    if not check_in_open(row, now):
        raise ClassRuleError(_("Presensi kelas ini tidak sedang dibuka."))
    registration = registration_of(session, row.id, user_id)
    if registration is None or registration.status != REGISTERED:
        raise ClassRuleError(_("Anda belum memegang kursi di kelas ini; hubungi pelatih."))
    if attendance.verify(secret, row.id, typed, now) is not Verdict.OK:
        raise ClassRuleError(_refuse_code(session, secret, row, typed, now))
    if registration.attendance == "present":
        return registration  # a second scan changes nothing
    tolerance = row.late_after_minutes if row.late_after_minutes is not None else late_minutes
    registration.attendance = "present"
    registration.arrived_at = now
    registration.late = attendance.is_late(now, row.starts_at, tolerance)
    registration.minutes_attended = None
    audit.record(
        session, "class.checked_in", actor_id=user_id, target_type="class_session",
        target_id=row.id, user_id=user_id, late=registration.late,
    )  # fmt: skip
    return registration


def mark(
    session: Session,
    row: ClassSession,
    user_id: int,
    mark_as: str,
    *,
    minutes: int | None,
    actor_id: int,
) -> ClassRegistration:
    """The trainer marks a person present, partial (with minutes) or absent (audited)."""
    if row.status != "scheduled":
        raise ClassRuleError(
            _("Presensi kelas yang sudah difinalkan atau dibatalkan tidak dapat diubah.")
        )
    registration = registration_of(session, row.id, user_id)
    if registration is None or registration.status != REGISTERED:
        raise ClassRuleError(_("Orang ini tidak memegang kursi di kelas ini."))
    if mark_as not in MARKS:
        raise ClassRuleError(_("Pilih hadir, hadir sebagian, atau tidak hadir."))
    total = attendance.session_minutes(row.starts_at, row.ends_at)
    if mark_as == "partial" and (minutes is None or not 1 <= minutes < total):
        raise ClassRuleError(
            _("Menit kehadiran sebagian harus 1 sampai {max}.").format(max=total - 1)
        )
    # A hand mark keeps the arrival the code recorded (if any): the trainer marks who was
    # there, not when they came, so no lateness is inferred from the moment of marking.
    if mark_as == "absent":
        registration.arrived_at, registration.late = None, False
    registration.attendance = mark_as
    registration.minutes_attended = minutes if mark_as == "partial" else None
    registration.marked_by_id = actor_id
    audit.record(
        session, "class.marked", actor_id=actor_id, target_type="class_session",
        target_id=row.id, user_id=user_id, mark=mark_as, minutes=registration.minutes_attended,
    )  # fmt: skip
    return registration


@dataclass(frozen=True)
class Finalised:
    credited: list[int]  # user ids credited now
    already: list[int]  # user ids whose course was already completed (not credited twice)
    not_qualified: list[int]


def _certificate_data(
    number: str, person: User, row: ClassSession, done: Completion, score: int, now: datetime
) -> CertificateData:
    authority = certificate_issue.current().authority
    online = bool(row.online_url) and not row.place
    return CertificateData(
        number=number, full_name=person.full_name, nip=person.nip,
        employee_type=person.employee_type, pangkat_golongan=pangkat_golongan(person.golongan),
        jabatan=person.jabatan or "-", unit_kerja=person.unit_name or "-",
        instansi=authority.instansi, course_title=row.title, course_code=class_code(row),
        category=row.category, jp=row.jp, completed_on=clock.local_date(done.completed_at),
        final_score=score, issuer=authority.issuer, signatory_name=authority.signatory_name,
        signatory_title=authority.signatory_title, signatory_nip=authority.signatory_nip,
        signatory_pangkat=authority.signatory_pangkat, verify_url=authority.verify_url(number),
        started_on=clock.local_date(row.starts_at), issued_on=clock.local_date(now),
        learning_mode=ONLINE_LEARNING_MODE if online else CLASS_LEARNING_MODE, modules=(),
    )  # fmt: skip


def _seated(session: Session, row: ClassSession) -> Sequence[ClassRegistration]:
    return session.scalars(
        select(ClassRegistration)
        .where(ClassRegistration.session_id == row.id, ClassRegistration.status == REGISTERED)
        .order_by(ClassRegistration.id)
    ).all()


def finalise_preview(session: Session, row: ClassSession, min_percent: int) -> tuple[int, int]:
    """(qualifying, not qualifying) seated attendees, by the rule `finalise` applies."""
    total = attendance.session_minutes(row.starts_at, row.ends_at)
    seated = _seated(session, row)
    qualifying = sum(
        attendance.qualifies(reg.attendance, reg.minutes_attended, total, min_percent)
        for reg in seated
    )
    return qualifying, len(seated) - qualifying


def finalise(
    session: Session, row: ClassSession, *, actor_id: int, now: datetime, min_percent: int
) -> Finalised:
    """Close the roll and credit every qualifying attendee once (completion + certificate)."""
    if row.status != "scheduled":
        raise ClassRuleError(_("Hanya kelas terjadwal yang dapat difinalkan."))
    if now < row.starts_at:
        raise ClassRuleError(_("Kelas belum dimulai; finalkan setelah kelas berlangsung."))
    row.status, row.finalised_at = "finalised", now
    total = attendance.session_minutes(row.starts_at, row.ends_at)
    course = session.get(Course, row.course_id) if row.course_id is not None else None
    result = Finalised([], [], [])
    for reg in _seated(session, row):
        if not attendance.qualifies(reg.attendance, reg.minutes_attended, total, min_percent):
            result.not_qualified.append(reg.user_id)
            continue
        score = attendance.attendance_percent(reg.attendance, reg.minutes_attended, total)
        values = {
            "user_id": reg.user_id, "course_id": course.id if course else None,
            "course_version_id": course.current_version_id if course else None,
            "class_session_id": row.id, "started_at": row.starts_at,
            "completed_at": min(now, row.ends_at), "final_score": score, "jp": row.jp,
        }  # fmt: skip
        if not insert_or_ignore(session, Completion, values):
            result.already.append(reg.user_id)
            continue
        if course is not None:
            # The course's enrolment, so the course shows as done on the learner's pages
            # and the completion export (enrolment rows) lists it.
            insert_or_ignore(
                session, Enrolment,
                {"user_id": reg.user_id, "course_id": course.id, "enrolled_at": row.starts_at,
                 "source": "class"},
            )  # fmt: skip
        done = session.scalar(
            select(Completion).where(
                Completion.user_id == reg.user_id, Completion.class_session_id == row.id
            )
        )
        person = session.get(User, reg.user_id)
        assert done is not None and person is not None
        number = completion_service.certificate_number(class_code(row), done)
        data = _certificate_data(number, person, row, done, score, now)
        certificate = completion_service.certificate_from_data(session, done, person, data, now)
        audit.record(
            session, "class.credited", actor_id=actor_id, target_type="class_session",
            target_id=row.id, user_id=reg.user_id, final_score=score, jp=row.jp,
        )  # fmt: skip
        audit.record(
            session, "certificate.issued", actor_id=actor_id, target_type="certificate",
            target_id=certificate.number,
        )  # fmt: skip
        result.credited.append(reg.user_id)
    audit.record(
        session, "class.finalised", actor_id=actor_id, target_type="class_session",
        target_id=row.id, credited=len(result.credited), not_qualified=len(result.not_qualified),
    )  # fmt: skip
    return result
