"""The roll of a session: check-in by code and marking by hand (finalising the roll into
credited JP is app.classes.finalise).

Check-in (`check_in`) takes the code the learner typed or scanned (app.classes.attendance
says which codes are accepted) and records the arrival time and whether it was late. It is
open from `CHECK_IN_OPENS` before the start until the end of the session, for people holding
a seat. The trainer can mark anyone with a seat present, partial (minutes attended) or absent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.classes import attendance
from app.classes.attendance import Verdict
from app.classes.models import ClassRegistration, ClassSession
from app.classes.service import REGISTERED, ClassRuleError, registration_of
from app.i18n import gettext as _

CHECK_IN_OPENS = timedelta(minutes=30)
MARKS = ("present", "partial", "absent")


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
