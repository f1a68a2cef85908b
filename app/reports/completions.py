"""The completion records export: one query, streamed, in three layouts (Lentera, SIASN).

Rows are learners' enrolments, with their completion where there is one, so HR sees who
finished, who is still learning and who is past a mandatory deadline.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Unit, User
from app.content.models import Course, CourseVersion
from app.learning.models import Assignment, Certificate, Completion, Enrolment

WITA = ZoneInfo("Asia/Makassar")
Status = Literal["selesai", "berjalan", "lewat_tenggat"]
STATUS_LABELS = {
    "selesai": "Selesai",
    "berjalan": "Sedang berjalan",
    "lewat_tenggat": "Lewat tenggat",
}
CATEGORY_LABELS = {
    "teknis": "Teknis",
    "manajerial": "Manajerial",
    "sosial kultural": "Sosial Kultural",
}

COLUMNS = [
    "NIP", "Nama", "Unit Kerja", "Jabatan", "Golongan", "Kode Kursus", "Judul Kursus",
    "Kategori Kompetensi", "JP", "Tanggal Mulai", "Tanggal Selesai", "Nilai Akhir", "Status",
    "Nomor Sertifikat",
]  # fmt: skip
# SIASN's course history (riwayat kursus): the fields HR types into BKN's system.
SIASN_COLUMNS = [
    "NIP", "Nama", "Jenis Kursus", "Nama Kursus", "Institusi Penyelenggara", "Jenis Sertifikat",
    "Jumlah Jam", "Tahun Kursus", "Tanggal Mulai", "Tanggal Selesai", "Nomor Sertifikat",
]  # fmt: skip


@dataclass(frozen=True)
class ExportFilters:
    date_from: date | None = None
    date_to: date | None = None
    unit_id: int | None = None
    course_code: str | None = None
    status: Status | None = None
    today: date = field(default_factory=lambda: datetime.now(WITA).date())

    def describe(self) -> dict[str, Any]:
        """The filters as recorded in the audit log."""
        return {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "unit_id": self.unit_id,
            "course": self.course_code,
            "status": self.status,
        }


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, WITA)


def records_query(filters: ExportFilters) -> Select[*tuple[Any, ...]]:
    """The export's SELECT (also used to count rows for the progress bar)."""
    version = CourseVersion
    moment = func.coalesce(Completion.completed_at, Enrolment.enrolled_at)
    query = (
        select(
            User.nip,
            User.full_name,
            Unit.name,
            User.jabatan,
            User.golongan,
            Course.code,
            version.title,
            version.category,
            func.coalesce(Completion.jp, version.jp),
            func.coalesce(Completion.started_at, Enrolment.enrolled_at),
            Completion.completed_at,
            Completion.final_score,
            Assignment.due_on,
            Certificate.number,
        )
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(
            Completion,
            and_(
                Completion.user_id == Enrolment.user_id, Completion.course_id == Enrolment.course_id
            ),
        )
        .join(
            version,
            version.id == func.coalesce(Completion.course_version_id, Course.current_version_id),
        )
        .outerjoin(Certificate, Certificate.completion_id == Completion.id)
        .outerjoin(
            Assignment,
            and_(
                Assignment.user_id == Enrolment.user_id, Assignment.course_id == Enrolment.course_id
            ),
        )
        .order_by(Enrolment.id)
    )
    if filters.date_from:
        query = query.where(moment >= start_of_day(filters.date_from))
    if filters.date_to:
        query = query.where(moment < start_of_day(filters.date_to) + timedelta(days=1))
    if filters.unit_id is not None:
        query = query.where(User.unit_id == filters.unit_id)
    if filters.course_code:
        query = query.where(Course.code == filters.course_code)
    if filters.status == "selesai":
        query = query.where(Completion.id.is_not(None))
    elif filters.status == "lewat_tenggat":
        query = query.where(Completion.id.is_(None), Assignment.due_on < filters.today)
    elif filters.status == "berjalan":
        query = query.where(
            Completion.id.is_(None),
            or_(Assignment.due_on.is_(None), Assignment.due_on >= filters.today),
        )
    return query


def count_records(session: Session, filters: ExportFilters) -> int:
    """How many rows the export will have."""
    return session.scalar(select(func.count()).select_from(records_query(filters).subquery())) or 0


def _status(completed_at: datetime | None, due_on: date | None, today: date) -> str:
    if completed_at is not None:
        return STATUS_LABELS["selesai"]
    if due_on is not None and due_on < today:
        return STATUS_LABELS["lewat_tenggat"]
    return STATUS_LABELS["berjalan"]


def _lentera_row(row: Sequence[Any], today: date) -> Sequence[object]:
    (nip, name, unit, jabatan, golongan, code, title, category, jp, started, completed,
     score, due_on, number) = row  # fmt: skip
    return (
        nip, name, unit, jabatan, golongan, code, title,
        CATEGORY_LABELS.get(category, category), jp, started, completed, score,
        _status(completed, due_on, today), number,
    )  # fmt: skip


def _siasn_row(row: Sequence[Any], issuer: str) -> Sequence[object]:
    nip, name, _u, _j, _g, _code, title, _cat, jp, started, completed, _s, _due, number = row
    return (
        nip, name, "Kursus", title, issuer, "Sertifikat", jp,
        completed.astimezone(WITA).year if completed else None, started, completed, number,
    )  # fmt: skip


def iter_records(
    session: Session, filters: ExportFilters, batch: int = 2000
) -> Iterator[Sequence[object]]:
    """Rows in the standard layout, fetched in batches from a server-side cursor."""
    result = session.execute(records_query(filters).execution_options(yield_per=batch))
    for row in result:
        yield _lentera_row(row, filters.today)


def siasn_filters(filters: ExportFilters) -> ExportFilters:
    """SIASN records courses finished: the same filters, completed rows only."""
    return replace(filters, status="selesai")


def iter_siasn(
    session: Session, filters: ExportFilters, issuer: str, batch: int = 2000
) -> Iterator[Sequence[object]]:
    """Completed rows in SIASN's riwayat kursus layout."""
    query = records_query(siasn_filters(filters)).execution_options(yield_per=batch)
    for row in session.execute(query):
        yield _siasn_row(row, issuer)


def rows_by_id(
    session: Session, layout: str, filters: ExportFilters, issuer: str, ids: Sequence[int]
) -> list[Sequence[object]]:
    """The rows of these enrolments, in id order, as `iter_records`/`iter_siasn` give them."""
    if layout == "siasn":
        query = records_query(siasn_filters(filters)).where(Enrolment.id.in_(ids))
        return [_siasn_row(row, issuer) for row in session.execute(query)]
    query = records_query(filters).where(Enrolment.id.in_(ids))
    return [_lentera_row(row, filters.today) for row in session.execute(query)]
