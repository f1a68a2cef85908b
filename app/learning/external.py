"""External learning: a learner reports training done elsewhere, HR verifies or rejects it.

A submission counts toward the learner's JP only once verified (see `app.learning.jp`). The
certificate file is kept as a content-addressed Blob, like course files. Checking the input is
pure (`check_submission`); storing and deciding happen in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import get_args

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Unit, User
from app.audit import service as audit
from app.content.format.specs import Category
from app.content.models import Blob
from app.db import utcnow
from app.errors import AppError, NotFound
from app.i18n import gettext as _
from app.learning.credited import EARLIEST_YEAR
from app.learning.models import ExternalLearning

CATEGORIES: tuple[str, ...] = get_args(Category)
MAX_JP = 200
MAX_TITLE = 300
MAX_ORGANISER = 200
MAX_CERTIFICATE_NUMBER = 100
MAX_REASON = 1000
QUEUE_LIMIT = 100

# Detected from the first bytes, never trusted from the name: extension -> (MIME, magic).
_PDF, _PNG, _JPEG = "application/pdf", "image/png", "image/jpeg"
_EXTENSIONS = {"pdf": _PDF, "png": _PNG, "jpg": _JPEG, "jpeg": _JPEG}
_TYPE_NAMES = {_PDF: "PDF", _PNG: "PNG", _JPEG: "JPG"}


class InvalidSubmission(AppError):
    """One message per field that is wrong; nothing was stored."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values()), None))
        self.errors = errors


class AlreadyDecided(AppError):
    status_code = 409


class DecisionRefused(AppError):
    """A decision that cannot be taken as asked (no reason to reject, reason too long)."""


class OwnSubmission(DecisionRefused):
    status_code = 403


@dataclass(frozen=True)
class RawSubmission:
    """The form as typed: every field a string, checked by `check_submission`."""

    title: str = ""
    organiser: str = ""
    category: str = ""
    start_on: str = ""
    end_on: str = ""
    jp: str = ""
    certificate_number: str = ""


@dataclass(frozen=True)
class Submission:
    title: str
    organiser: str
    category: str
    start_on: date
    end_on: date
    jp: int
    certificate_number: str | None
    file_name: str
    file_type: str
    data: bytes


@dataclass(frozen=True)
class ExternalView:
    """A submission as its learner sees it on the record page."""

    id: int
    title: str
    organiser: str
    category: str
    start_on: date
    end_on: date
    jp: int
    certificate_number: str | None
    file_name: str
    status: str  # pending | verified | rejected
    reject_reason: str | None
    submitted_at: datetime
    reviewed_at: datetime | None

    @classmethod
    def of(cls, row: ExternalLearning) -> ExternalView:
        return cls(
            id=row.id,
            title=row.title,
            organiser=row.organiser,
            category=row.category,
            start_on=row.start_on,
            end_on=row.end_on,
            jp=row.jp,
            certificate_number=row.certificate_number,
            file_name=row.file_name,
            status=row.status,
            reject_reason=row.reject_reason,
            submitted_at=row.submitted_at,
            reviewed_at=row.reviewed_at,
        )


@dataclass(frozen=True)
class QueueItem:
    """A pending submission as HR sees it, with who sent it."""

    id: int
    full_name: str
    nip: str
    employee_type: str
    unit_name: str | None
    title: str
    organiser: str
    category: str
    start_on: date
    end_on: date
    jp: int
    certificate_number: str | None
    file_name: str
    submitted_at: datetime


def sniff_type(data: bytes) -> str | None:
    """The MIME type the bytes really are (PDF, PNG or JPEG), or None."""
    if data.startswith(b"%PDF-"):
        return _PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if data.startswith(b"\xff\xd8\xff"):
        return _JPEG
    return None


def _one_line(value: str) -> str:
    return " ".join(value.split())


def clean_file_name(name: str) -> str:
    """The base name without paths or control characters, at most 200 characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = stem[: 199 - len(ext)] + dot + ext if dot and len(ext) <= 10 else base[:200]
    return base or "berkas"


def _check_text(errors: dict[str, str], field: str, value: str, limit: int, label: str) -> str:
    text = _one_line(value)
    if not text:
        errors[field] = _("{label} wajib diisi.").format(label=label)
    elif len(text) > limit:
        errors[field] = _("{label} paling banyak {n} karakter.").format(label=label, n=limit)
    return text


def _check_date(errors: dict[str, str], field: str, value: str, label: str, today: date) -> date:
    text = value.strip()
    if not text:
        errors[field] = _("{label} wajib diisi.").format(label=label)
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[field] = _("{label} tidak valid; pilih tanggal dari kalender.").format(label=label)
        return today
    if day.year < EARLIEST_YEAR:
        errors[field] = _("{label} tidak boleh sebelum tahun {year}.").format(
            label=label, year=EARLIEST_YEAR
        )
    elif day > today:
        errors[field] = _("{label} tidak boleh di masa depan.").format(label=label)
    return day


def _check_jp(errors: dict[str, str], value: str) -> int:
    text = value.strip()
    if not text:
        errors["jp"] = _("JP wajib diisi.")
        return 0
    if not text.isascii() or not text.isdigit():
        errors["jp"] = _("JP harus bilangan bulat, misalnya 8 (tanpa koma atau titik).")
        return 0
    jp = int(text)
    if not 1 <= jp <= MAX_JP:
        errors["jp"] = _("JP harus antara 1 dan {max} (1 JP = 45 menit).").format(max=MAX_JP)
    return jp


def _check_file(
    errors: dict[str, str], file_name: str, data: bytes, max_bytes: int
) -> tuple[str, str]:
    name = clean_file_name(file_name)
    if not data:
        errors["file"] = _("Pilih berkas sertifikat (PDF, JPG, atau PNG).")
        return name, ""
    if len(data) > max_bytes:
        errors["file"] = _("Berkas lebih besar dari {mb} MB. Perkecil atau kompres dulu.").format(
            mb=max_bytes // (1024 * 1024)
        )
        return name, ""
    extension = name.rpartition(".")[2].casefold() if "." in name else ""
    claimed = _EXTENSIONS.get(extension)
    actual = sniff_type(data)
    if claimed is None:
        errors["file"] = _("Berkas harus PDF, JPG, atau PNG (bukan .{ext}).").format(
            ext=extension or "?"
        )
    elif actual is None:
        errors["file"] = _(
            "Isi berkas ini bukan {kind} yang sah walaupun namanya .{ext}. Unggah sertifikat "
            "asli dalam bentuk PDF, JPG, atau PNG."
        ).format(kind=_TYPE_NAMES[claimed], ext=extension)
    elif actual != claimed:
        errors["file"] = _(
            "Berkas bernama .{ext} tetapi isinya {kind}. Ganti ekstensinya atau unggah berkas "
            "yang benar."
        ).format(ext=extension, kind=_TYPE_NAMES[actual])
    return name, actual or ""


def check_submission(
    raw: RawSubmission, file_name: str, data: bytes, *, today: date, max_bytes: int
) -> Submission:
    """The checked submission, or InvalidSubmission listing every wrong field."""
    errors: dict[str, str] = {}
    title = _check_text(errors, "title", raw.title, MAX_TITLE, _("Nama pelatihan"))
    organiser = _check_text(errors, "organiser", raw.organiser, MAX_ORGANISER, _("Penyelenggara"))
    category = raw.category.strip()
    if category not in CATEGORIES:
        errors["category"] = _(
            "Pilih kategori kompetensi: teknis, manajerial, atau sosial kultural."
        )
    start_on = _check_date(errors, "start_on", raw.start_on, _("Tanggal mulai"), today)
    end_on = _check_date(errors, "end_on", raw.end_on, _("Tanggal selesai"), today)
    if "start_on" not in errors and "end_on" not in errors and end_on < start_on:
        errors["end_on"] = _("Tanggal selesai tidak boleh sebelum tanggal mulai.")
    jp = _check_jp(errors, raw.jp)
    number = _one_line(raw.certificate_number)
    if len(number) > MAX_CERTIFICATE_NUMBER:
        errors["certificate_number"] = _("Nomor sertifikat paling banyak {n} karakter.").format(
            n=MAX_CERTIFICATE_NUMBER
        )
    name, kind = _check_file(errors, file_name, data, max_bytes)
    if errors:
        raise InvalidSubmission(errors)
    return Submission(
        title=title,
        organiser=organiser,
        category=category,
        start_on=start_on,
        end_on=end_on,
        jp=jp,
        certificate_number=number or None,
        file_name=name,
        file_type=kind,
        data=data,
    )


def store_blob(session: Session, data: bytes) -> str:
    """Keep `data` once by SHA-256 (as course files are) and return the hash."""
    sha = hashlib.sha256(data).hexdigest()
    if session.get(Blob, sha) is None:
        session.add(Blob(sha256=sha, size=len(data), data=data))
    return sha


def submit(session: Session, user_id: int, submission: Submission) -> ExternalLearning:
    """Record a checked submission as pending, with its file, and audit it."""
    sha = hashlib.sha256(submission.data).hexdigest()
    duplicate = session.scalar(
        select(ExternalLearning.id).where(
            ExternalLearning.user_id == user_id,
            ExternalLearning.file_sha256 == sha,
            ExternalLearning.status != "rejected",
        )
    )
    if duplicate is not None:
        # The same certificate twice would count its JP twice once both were verified.
        raise InvalidSubmission(
            {"file": _("Berkas sertifikat yang sama sudah pernah Anda ajukan.")}
        )
    store_blob(session, submission.data)
    row = ExternalLearning(
        user_id=user_id,
        title=submission.title,
        organiser=submission.organiser,
        category=submission.category,
        start_on=submission.start_on,
        end_on=submission.end_on,
        jp=submission.jp,
        certificate_number=submission.certificate_number,
        file_sha256=sha,
        file_name=submission.file_name,
        file_type=submission.file_type,
        status="pending",
        submitted_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "learning.external_submitted",
        actor_id=user_id,
        target_type="external_learning",
        target_id=row.id,
        jp=row.jp,
        end_on=row.end_on.isoformat(),
    )
    return row


def pending_count(session: Session) -> int:
    """How many submissions wait for HR."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ExternalLearning)
            .where(ExternalLearning.status == "pending")
        )
        or 0
    )


def pending_queue(session: Session, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """The oldest pending submissions first, with the submitter's name, NIP and unit."""
    rows = session.execute(
        select(ExternalLearning, User.full_name, User.nip, User.employee_type, Unit.name)
        .join(User, User.id == ExternalLearning.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(ExternalLearning.status == "pending")
        .order_by(ExternalLearning.submitted_at, ExternalLearning.id)
        .limit(limit)
    ).all()
    return [
        QueueItem(
            id=row.id,
            full_name=full_name,
            nip=nip,
            employee_type=employee_type,
            unit_name=unit_name,
            title=row.title,
            organiser=row.organiser,
            category=row.category,
            start_on=row.start_on,
            end_on=row.end_on,
            jp=row.jp,
            certificate_number=row.certificate_number,
            file_name=row.file_name,
            submitted_at=row.submitted_at,
        )
        for row, full_name, nip, employee_type, unit_name in rows
    ]


def decide(
    session: Session, external_id: int, *, actor_id: int, verify: bool, reason: str = ""
) -> ExternalLearning:
    """Verify or reject a pending submission; exactly one of concurrent decisions wins."""
    row = session.get(ExternalLearning, external_id)
    if row is None:
        raise NotFound(_("Pengajuan ini tidak ditemukan."))
    if row.user_id == actor_id:
        raise OwnSubmission(
            _("Anda tidak dapat memutuskan pengajuan Anda sendiri; minta rekan BKPSDM lain.")
        )
    if row.status != "pending":
        raise AlreadyDecided(_already_decided(row.status))
    text = reason.strip()
    if not verify and not text:
        raise DecisionRefused(_("Tulis alasan penolakan; alasan ini ditampilkan kepada pegawai."))
    if len(text) > MAX_REASON:
        raise DecisionRefused(_("Alasan paling banyak {n} karakter.").format(n=MAX_REASON))
    status = "verified" if verify else "rejected"
    # Conditional on still being pending: of two HR officers deciding at the same moment, the
    # second UPDATE matches no row (PostgreSQL re-checks the WHERE after the first commits;
    # SQLite lets one writer at a time), so it is refused instead of overwriting the first.
    result = session.execute(
        update(ExternalLearning)
        .where(ExternalLearning.id == external_id, ExternalLearning.status == "pending")
        .values(
            status=status,
            reviewed_at=utcnow(),
            reviewed_by_id=actor_id,
            reject_reason=None if verify else text,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(row)
        raise AlreadyDecided(_already_decided(row.status))
    session.refresh(row)
    audit.record(
        session,
        "learning.external_verified" if verify else "learning.external_rejected",
        actor_id=actor_id,
        target_type="external_learning",
        target_id=row.id,
        user_id=row.user_id,
        jp=row.jp,
        **({} if verify else {"reason": text}),
    )
    return row


def _already_decided(status: str) -> str:
    if status == "verified":
        return _("Pengajuan ini sudah diverifikasi sebelumnya; keputusan tidak diubah.")
    return _("Pengajuan ini sudah ditolak sebelumnya; keputusan tidak diubah.")


def file_of(session: Session, row: ExternalLearning) -> bytes:
    """The stored bytes of a submission's certificate file."""
    data = session.scalar(select(Blob.data).where(Blob.sha256 == row.file_sha256))
    if data is None:
        raise NotFound()
    return data
