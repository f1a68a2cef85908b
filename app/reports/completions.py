"""The completion records export: one query, streamed, in two layouts (Lentera, SIASN).

Rows are learners' course enrolments, with their completion where there is one, so HR sees
who finished, who is still learning and who is past a mandatory deadline; then the
completions of stand-alone class sessions (pelatihan klasikal, which have no course). One
UNION ALL of the two (`app.reports.completion_sources`, which says what a class row holds).
Which completions count is `app.learning.credited`'s rule: the Lentera layout lists a
completion whose current certificate is revoked with "Dicabut", the date and the reason,
and credits it 0 JP ("JP Diakui"); SIASN's layout leaves it out (HR types those rows into
the national system). SIASN's layout uses SIASN's own riwayat kursus field names and
reference ids (`app.reports.siasn`, which cites its sources) and can be limited to what
changed since the last recorded SIASN export (`ExportFilters.since`,
`app.reports.siasn_batches`). Dates are local calendar days (`app.clock`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import Session

from app import clock
from app.reports import completion_sources as sources
from app.reports import siasn
from app.reports.completion_sources import NAMES

# Defined beside the queries it filters; callers import it from here.
from app.reports.completion_sources import ExportFilters as ExportFilters

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


def records_query(filters: ExportFilters) -> Select[*tuple[Any, ...]]:
    """The export's SELECT (also used to count rows for the progress bar): course enrolments,
    then stand-alone class completions (`completion_sources`), columns named as `NAMES`."""
    branches = [sources.enrolment_rows(filters)]
    classes = sources.class_rows(filters)
    if classes is not None:
        branches.append(classes)
    rows = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery("export_rows")
    return select(*(rows.c[name] for name in NAMES)).order_by(rows.c.row_key)


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
    number, course_jenis, class_session_id = row[13], row[17], row[18]
    jenis = options.jenis_for(category, course_jenis, classroom=class_session_id is not None)
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
    keys: Sequence[int],
) -> list[Sequence[object]]:
    """The rows with these keys (`row_key`: an enrolment's id, or a stand-alone class
    completion's, see `completion_sources`), in export order, as `iter_records`/`iter_siasn`
    give them."""
    query = records_query(siasn_filters(filters) if layout == "siasn" else filters)
    key = query.selected_columns[NAMES.index("row_key")]
    query = query.where(key.in_(keys))
    if layout == "siasn":
        options = siasn_options(issuer)
        return [_siasn_row(row, options) for row in session.execute(query)]
    return [_lentera_row(row, filters.today) for row in session.execute(query)]
