"""The completion records export: one query, streamed, in two layouts (Lentera, SIASN).

Rows are learners' enrolments, with their completion where there is one, so HR sees who
finished, who is still learning and who is past a mandatory deadline. Which completions
count is `app.learning.credited`'s rule: the Lentera layout lists a completion whose current
certificate is revoked with "Dicabut", the date and the reason, and credits it 0 JP ("JP
Diakui"); SIASN's layout leaves it out (HR types those rows into the national system).
SIASN's layout uses SIASN's own riwayat kursus field names and reference ids
(`app.reports.siasn`, which cites its sources) and can be limited to what changed since the
last recorded SIASN export (`ExportFilters.since`, `app.reports.siasn_batches`).
Dates are local calendar days (`app.clock`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Select, and_, case, func, null, or_, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts import nip as nip_rules
from app.accounts.models import Unit, User
from app.content.models import Course, CourseVersion
from app.learning import credited
from app.learning.credited import current_certificate
from app.learning.models import Assignment, Completion, Enrolment
from app.reports import siasn

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
    "Nomor Sertifikat", "Status Sertifikat", "Tanggal Dicabut", "Alasan Pencabutan", "JP Diakui",
]  # fmt: skip
CERTIFICATE_VALID = "Berlaku"
CERTIFICATE_REVOKED = "Dicabut"
# SIASN's course history (riwayat kursus): SIASN's own field names (`app.reports.siasn`).
SIASN_COLUMNS = siasn.COLUMNS


@dataclass(frozen=True)
class ExportFilters:
    date_from: date | None = None
    date_to: date | None = None
    unit_id: int | None = None
    course_code: str | None = None
    status: Status | None = None
    # One person (their NIP or NI PPPK) and/or one employee type ("PNS" or "PPPK").
    nip: str | None = None
    employee_type: Literal["PNS", "PPPK"] | None = None
    today: date = field(default_factory=clock.today)
    # Only completions that count (SIASN's layout): a revoked certificate's row is left out.
    credited_only: bool = False
    # Only completions completed, or whose current certificate was (re-)issued, at or after
    # this moment: "changes since the last SIASN export" (`siasn_batches.last_export_at`).
    since: datetime | None = None

    def describe(self) -> dict[str, Any]:
        """The filters as recorded in the audit log."""
        changes = {"since": self.since.isoformat()} if self.since is not None else {}
        return {
            **changes,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "unit_id": self.unit_id,
            "course": self.course_code,
            "status": self.status,
            # Masked: the audit trail keeps no NIP in its details (anonymisation cannot reach it).
            "nip": nip_rules.mask(self.nip) if self.nip else None,
            "employee_type": self.employee_type,
        }


def start_of_day(day: date) -> datetime:
    """The UTC moment where local day `day` begins (`clock.day_start`)."""
    return clock.day_start(day)


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
            current_certificate.number,
            current_certificate.revoked_at,
            current_certificate.revoke_reason,
            case((Completion.id.is_(None), null()), else_=credited.credited_jp()),
            version.jenis_diklat_siasn,
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
        .outerjoin(current_certificate, credited.current_certificate_on(Completion.id))
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
    if filters.nip:
        query = query.where(User.nip == filters.nip)
    if filters.employee_type:
        query = query.where(User.employee_type == filters.employee_type)
    if filters.since is not None:
        query = query.where(
            or_(
                Completion.completed_at >= filters.since,
                current_certificate.issued_at >= filters.since,
            )
        )
    if filters.credited_only:
        query = query.where(Completion.id.is_not(None), credited.credited())
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


def certificate_status(number: str | None, revoked_at: datetime | None) -> str | None:
    """'Dicabut', 'Berlaku', or None without a certificate."""
    if revoked_at is not None:
        return CERTIFICATE_REVOKED
    return CERTIFICATE_VALID if number is not None else None


def _lentera_row(row: Sequence[Any], today: date) -> Sequence[object]:
    (nip, name, unit, jabatan, golongan, code, title, category, jp, started, completed,
     score, due_on, number, revoked_at, reason, credited_jp) = row[:17]  # fmt: skip
    return (
        nip, name, unit, jabatan, golongan, code, title,
        CATEGORY_LABELS.get(category, category), jp, started, completed, score,
        _status(completed, due_on, today), number, certificate_status(number, revoked_at),
        revoked_at, reason if revoked_at is not None else None, credited_jp,
    )  # fmt: skip


def _siasn_date(moment: datetime | None) -> str | None:
    return clock.local_date(moment).strftime(siasn.DATE_FORMAT) if moment else None


def _siasn_row(row: Sequence[Any], options: siasn.Options) -> Sequence[object]:
    nip, name, _u, _j, _g, _code, title, category, jp, started, completed = row[:11]
    number, course_jenis = row[13], row[17]
    jenis = options.jenis_for(category, course_jenis)
    return (
        None, options.instansi_id or None, str(jenis.id), None, jenis.certificate_kind or None,
        title, options.issuer or None, jp,
        clock.local_date(completed).year if completed else None,
        _siasn_date(started), _siasn_date(completed), number,
        nip, name, options.instansi_name or None,
    )  # fmt: skip


def siasn_options(issuer: str | siasn.Options) -> siasn.Options:
    """The SIASN options, from a plain issuer name (older callers) or as given."""
    return siasn.Options(issuer=issuer) if isinstance(issuer, str) else issuer


def iter_records(
    session: Session, filters: ExportFilters, batch: int = 2000
) -> Iterator[Sequence[object]]:
    """Rows in the standard layout, fetched in batches from a server-side cursor."""
    result = session.execute(records_query(filters).execution_options(yield_per=batch))
    for row in result:
        yield _lentera_row(row, filters.today)


def siasn_filters(filters: ExportFilters) -> ExportFilters:
    """SIASN records courses finished: the same filters, credited completions only."""
    return replace(filters, status="selesai", credited_only=True)


def iter_siasn(
    session: Session, filters: ExportFilters, issuer: str | siasn.Options, batch: int = 2000
) -> Iterator[Sequence[object]]:
    """Completed rows in SIASN's riwayat kursus layout."""
    options = siasn_options(issuer)
    query = records_query(siasn_filters(filters)).execution_options(yield_per=batch)
    for row in session.execute(query):
        yield _siasn_row(row, options)


def rows_by_id(
    session: Session,
    layout: str,
    filters: ExportFilters,
    issuer: str | siasn.Options,
    ids: Sequence[int],
) -> list[Sequence[object]]:
    """The rows of these enrolments, in id order, as `iter_records`/`iter_siasn` give them."""
    if layout == "siasn":
        query = records_query(siasn_filters(filters)).where(Enrolment.id.in_(ids))
        options = siasn_options(issuer)
        return [_siasn_row(row, options) for row in session.execute(query)]
    query = records_query(filters).where(Enrolment.id.in_(ids))
    return [_lentera_row(row, filters.today) for row in session.execute(query)]
