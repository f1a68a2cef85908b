"""Subject access (UU PDP 27/2022, the right of access): everything Lentera holds about one ASN.

The export is one JSON document (`data.json`) plus the files they uploaded as evidence of
external learning, in one .zip. Secrets are left out: password and token hashes are not
information about the person, and they would only help someone who steals the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, Table, and_, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, LoginFailure, PasswordResetToken, User
from app.audit.models import AuditEvent
from app.classes.models import ClassRegistration
from app.content.models import Blob, Course, CourseTrainer
from app.db import Base, utcnow
from app.evaluation.models import (
    ActionPlan,
    FollowUpInterview,
    Observation,
    ObservationRating,
    ReactionSurvey,
)
from app.i18n import gettext as _
from app.learning.external import clean_file_name
from app.learning.models import (
    Assignment,
    Certificate,
    Completion,
    Enrolment,
    ExternalLearning,
    ModuleProgress,
    ProgressEvent,
    QuizAttempt,
)
from app.reminders.models import ReminderDelivery

FORMAT = "lentera-data-pribadi/1"
# What an anonymised external-learning row points at once its file is deleted: the empty file.
REMOVED_FILE_SHA256 = hashlib.sha256(b"").hexdigest()
FILES_DIR = "berkas/pembelajaran-eksternal"
CERTIFICATES_DIR = "berkas/sertifikat"

# Columns never exported: hashes of passwords and one-time tokens (the session id *is* the
# token's hash), and internal link columns that mean nothing outside the database.
_SECRET_COLUMNS = {
    "users": {"password_hash"},
    "auth_sessions": {"id"},
    "password_reset_tokens": {"id"},
    "action_plans": {"supervisor_token_hash"},
}


def descriptions() -> dict[str, str]:
    """What each section of data.json is, in words for the person reading it."""
    return {
        "profile": _(
            "Profil: NIP, nama, jenis pegawai, email, nomor HP, pilihan pengingat email, "
            "jabatan, golongan, status akun."
        ),
        "roles": _("Peran di Lentera (peserta, pengajar, BKPSDM, admin)."),
        "unit": _("Unit kerja."),
        "login_sessions": _("Sesi masuk: kapan, dari alamat dan peramban mana (tanpa token)."),
        "password_reset_links": _("Tautan atur kata sandi yang pernah dibuat (tanpa token)."),
        "login_failures": _("Percobaan masuk yang gagal dengan NIP ini."),
        "enrolments": _("Kursus yang diikuti."),
        "assignments": _("Pelatihan wajib yang ditugaskan, dengan tenggatnya."),
        "module_progress": _("Modul yang dibuka dan diselesaikan."),
        "progress_events": _(
            "Catatan penyelesaian modul seperti dikirim peramban (termasuk luring)."
        ),
        "quiz_attempts": _("Setiap percobaan kuis/tes: soal yang diundi, jawaban, nilai."),
        "completions": _("Kursus yang diselesaikan, dengan nilai akhir dan JP."),
        "class_registrations": _(
            "Pendaftaran kelas tatap muka dan webinar, dengan kehadiran dan jam datang."
        ),
        "certificates": _(
            "Sertifikat yang diterbitkan, dengan data yang tercetak di dalamnya; berkas PDF "
            "bertanda tangan elektronik ada di folder {folder}."
        ).format(folder=CERTIFICATES_DIR),
        "external_learning": _(
            "Pembelajaran di luar Lentera yang diajukan; berkasnya ada di folder {folder}."
        ).format(folder=FILES_DIR),
        "reaction_surveys": _("Survei reaksi setelah kursus."),
        "action_plans": _("Rencana aksi dan laporan tindak lanjutnya."),
        "supervisor_confirmations": _(
            "Konfirmasi atasan atas rencana aksi: nama, NIP, dan jabatan atasan yang ditunjuk, "
            "penilaian, komentar, dan waktunya."
        ),
        "supervisor_confirmations_given": _(
            "Rencana aksi pegawai lain yang menunjuk orang ini sebagai atasan (menurut NIP): "
            "data atasan yang tercatat dan konfirmasi yang diberikan."
        ),
        "observations": _(
            "Pengamatan perilaku kerja oleh pengajar, BKPSDM, atau atasan setelah kursus atau "
            "kelas: tingkat tiap perilaku, tanggal, catatan, dan peran pengamat."
        ),
        "follow_up_interviews": _(
            "Catatan wawancara tindak lanjut setelah kursus atau kelas: tanggal, siapa yang "
            "diwawancarai, dan isinya."
        ),
        "courses_owned": _("Kursus yang dikelola sebagai pengajar."),
        "reminders": _("Pengingat email yang dikirim (atau gagal dikirim) kepada orang ini."),
        "audit_events": _("Jejak audit: tindakan orang ini, dan tindakan orang lain atas datanya."),
    }


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_dict(row: Base, *, drop: Iterable[str] = ()) -> dict[str, Any]:
    """A model row as a JSON-ready dict of its columns (secret columns left out)."""
    table = cast(Table, row.__table__)
    hidden = _SECRET_COLUMNS.get(table.name, set()) | set(drop)
    return {
        column.key: _value(getattr(row, column.key))
        for column in table.columns
        if column.key not in hidden
    }


class _Reader:
    """Reads one person's rows, adding the course code wherever a row names a course."""

    def __init__(self, session: Session, user: User) -> None:
        self.session = session
        self.user = user
        self._codes: dict[int, str] | None = None

    def course_code(self, course_id: int) -> str | None:
        if self._codes is None:
            self._codes = {
                row[0]: row[1] for row in self.session.execute(select(Course.id, Course.code))
            }
        return self._codes.get(course_id)

    def rows(self, query: Select[Any], *, drop: Iterable[str] = ()) -> list[dict[str, Any]]:
        found = []
        for row in self.session.scalars(query):
            item = row_dict(row, drop=drop)
            if "course_id" in item:
                item["course_code"] = self.course_code(item["course_id"])
            found.append(item)
        return found

    def owned(self, model: type[Base], *order: Any) -> list[dict[str, Any]]:
        column = model.__table__.c.user_id
        return self.rows(select(model).where(column == self.user.id).order_by(*order))


def audit_query(session: Session, user: User) -> Select[Any]:
    """Audit events where the person is the actor, or the target is them or their records."""
    uid = user.id
    certificate_numbers = (
        select(Certificate.number).join(Completion).where(Completion.user_id == uid)
    )
    targets = [
        and_(AuditEvent.target_type == "user", AuditEvent.target_id == str(uid)),
        and_(
            AuditEvent.target_type == "certificate",
            AuditEvent.target_id.in_(certificate_numbers),
        ),
    ]
    for target_type, model in (
        ("external_learning", ExternalLearning),
        ("action_plan", ActionPlan),
        ("reaction_survey", ReactionSurvey),
        ("observation", Observation),
        ("follow_up_interview", FollowUpInterview),
    ):
        ids = [str(i) for i in session.scalars(select(model.id).where(model.user_id == uid))]
        if ids:
            targets.append(
                and_(AuditEvent.target_type == target_type, AuditEvent.target_id.in_(ids))
            )
    return (
        select(AuditEvent)
        .where(or_(AuditEvent.actor_id == uid, *targets))
        .order_by(AuditEvent.at, AuditEvent.id)
    )


def _supervisor_confirmations(plans: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The supervisor's answers on the person's own action plans."""
    return [
        {
            "action_plan_id": plan["id"],
            "course_code": plan.get("course_code"),
            "supervisor_name": plan["supervisor_name"],
            "supervisor_nip": plan["supervisor_nip"],
            "supervisor_jabatan": plan["supervisor_jabatan"],
            "link_expires_at": plan["supervisor_link_expires_at"],
            "verdict": plan["supervisor_verdict"],
            "comment": plan["supervisor_comment"],
            "confirmed_at": plan["supervisor_confirmed_at"],
            "legacy": plan["supervisor_legacy"],
        }
        for plan in plans
        if plan["supervisor_link_expires_at"] or plan["supervisor_verdict"]
    ]


def _confirmations_given(read: _Reader, nip: str) -> list[dict[str, Any]]:
    """Other people's action plans naming this person as their supervisor (by NIP): what was
    recorded about them there, and their answer. The learner's plan and report are the
    learner's data and stay out."""
    found = []
    for plan in read.session.scalars(
        select(ActionPlan).where(ActionPlan.supervisor_nip == nip).order_by(ActionPlan.id)
    ):
        found.append(
            {
                "action_plan_id": plan.id,
                "course_code": read.course_code(plan.course_id),
                "supervisor_name": plan.supervisor_name,
                "supervisor_nip": plan.supervisor_nip,
                "supervisor_jabatan": plan.supervisor_jabatan,
                "link_expires_at": _value(plan.supervisor_link_expires_at),
                "wrong_nip_attempts": plan.supervisor_nip_failures,
                "verdict": plan.supervisor_verdict,
                "comment": plan.supervisor_comment,
                "confirmed_at": _value(plan.supervisor_confirmed_at),
            }
        )
    return found


def _subjects(read: _Reader) -> dict[int, str | None]:
    """{completion id: what it is of}: the course's code, or KELAS-{id} for a stand-alone class."""
    return {
        completion_id: read.course_code(course_id)
        if course_id is not None
        else f"KELAS-{class_session_id}"
        for completion_id, course_id, class_session_id in read.session.execute(
            select(Completion.id, Completion.course_id, Completion.class_session_id).where(
                Completion.user_id == read.user.id
            )
        )
    }


def _observations(read: _Reader, subjects: dict[int, str | None]) -> list[dict[str, Any]]:
    """Observations of the person's work, each with its ratings (behaviour and level)."""
    found = read.owned(Observation, Observation.id)
    for item in found:
        item["subject"] = subjects.get(item["completion_id"])
        item["ratings"] = [
            {"behaviour": behaviour, "level": level}
            for behaviour, level in read.session.execute(
                select(ObservationRating.behaviour, ObservationRating.level)
                .where(ObservationRating.observation_id == item["id"])
                .order_by(ObservationRating.position)
            )
        ]
    return found


def _interviews(read: _Reader, subjects: dict[int, str | None]) -> list[dict[str, Any]]:
    """Follow-up interviews about the person's work, with the course or class they follow."""
    found = read.owned(FollowUpInterview, FollowUpInterview.id)
    for item in found:
        item["subject"] = subjects.get(item["completion_id"])
    return found


def file_path(row: ExternalLearning) -> str:
    """Where an external-learning file sits inside the .zip."""
    return f"{FILES_DIR}/{row.id}-{clean_file_name(row.file_name)}"


def collect(session: Session, user: User) -> dict[str, Any]:
    """Everything Lentera holds about `user`, as one JSON-ready document."""
    read = _Reader(session, user)
    profile = row_dict(user)
    profile["password_set"] = user.password_hash is not None
    external = []
    for row in session.scalars(
        select(ExternalLearning)
        .where(ExternalLearning.user_id == user.id)
        .order_by(ExternalLearning.submitted_at, ExternalLearning.id)
    ):
        item = row_dict(row)
        item["file_in_archive"] = None if row.file_sha256 == REMOVED_FILE_SHA256 else file_path(row)
        external.append(item)
    plans = read.owned(ActionPlan, ActionPlan.id)
    subjects = _subjects(read)
    sections: dict[str, Any] = {
        "profile": profile,
        "roles": sorted(role.value for role in user.roles),
        "unit": {"id": user.unit.id, "name": user.unit.name} if user.unit else None,
        "login_sessions": read.owned(AuthSession, AuthSession.created_at),
        "password_reset_links": read.owned(PasswordResetToken, PasswordResetToken.created_at),
        "login_failures": read.rows(
            select(LoginFailure)
            .where(or_(LoginFailure.key == f"nip:{user.nip}", LoginFailure.nip == user.nip))
            .order_by(LoginFailure.at, LoginFailure.key),
            drop=["id"],
        ),
        "enrolments": read.owned(Enrolment, Enrolment.enrolled_at, Enrolment.id),
        "assignments": read.owned(Assignment, Assignment.assigned_at, Assignment.id),
        "module_progress": read.owned(ModuleProgress, ModuleProgress.id),
        "progress_events": read.owned(ProgressEvent, ProgressEvent.received_at, ProgressEvent.id),
        "quiz_attempts": read.owned(QuizAttempt, QuizAttempt.started_at, QuizAttempt.id),
        "completions": read.owned(Completion, Completion.completed_at, Completion.id),
        "class_registrations": read.owned(
            ClassRegistration, ClassRegistration.registered_at, ClassRegistration.id
        ),
        "certificates": read.rows(
            select(Certificate)
            .join(Completion)
            .where(Completion.user_id == user.id)
            .order_by(Certificate.issued_at, Certificate.id)
        ),
        "external_learning": external,
        "reaction_surveys": read.owned(ReactionSurvey, ReactionSurvey.id),
        "action_plans": plans,
        "supervisor_confirmations": _supervisor_confirmations(plans),
        "supervisor_confirmations_given": _confirmations_given(read, user.nip),
        "observations": _observations(read, subjects),
        "follow_up_interviews": _interviews(read, subjects),
        "courses_owned": read.owned(CourseTrainer, CourseTrainer.course_id),
        "reminders": read.owned(ReminderDelivery, ReminderDelivery.id),
        "audit_events": read.rows(audit_query(session, user)),
    }
    return {
        "format": FORMAT,
        "generated_at": utcnow().isoformat(),
        "subject": {"id": user.id, "nip": user.nip, "full_name": user.full_name},
        "descriptions": descriptions(),
        **sections,
    }


def build_archive(session: Session, user: User) -> bytes:
    """The .zip of `data.json` and the person's uploaded external-learning files."""
    document = collect(session, user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        rows = session.execute(
            select(ExternalLearning, Blob.data)
            .join(Blob, Blob.sha256 == ExternalLearning.file_sha256)
            .where(ExternalLearning.user_id == user.id)
            .order_by(ExternalLearning.id)
        ).all()
        for row, data in rows:
            if row.file_sha256 != REMOVED_FILE_SHA256:
                archive.writestr(file_path(row), data)
        # The signed certificate PDFs as issued (they print the person's name and NIP).
        certificates = session.execute(
            select(Certificate.number, Blob.data)
            .join(Blob, Blob.sha256 == Certificate.pdf_sha256)
            .join(Completion, Completion.id == Certificate.completion_id)
            .where(Completion.user_id == user.id)
            .order_by(Certificate.id)
        ).all()
        for number, data in certificates:
            archive.writestr(f"{CERTIFICATES_DIR}/{clean_file_name(number)}.pdf", data)
    return buffer.getvalue()
