"""The completion export as CSV, its cells computed by the database (the fast path).

`completions.iter_records`/`iter_siasn` give the rows as Python values (XLSX uses them);
here `completions.records_query` selects each cell already as its text (`csv_sql`), and
`csv_batches` turns batches of rows into CSV. The file is byte for byte the one the Python
path writes (tests/reports/test_export_fast_csv.py), in about the time the database's own
CSV tool takes for the same rows (bench/export.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

from sqlalchemy import Select, and_, case, literal, null
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.reports import completions, csv_batches, siasn
from app.reports.completion_sources import NAMES
from app.reports.csv_safe import cell_text
from app.reports.csv_sql import cell_line, date_cell, text_cell, year_cell

Cells = tuple[Select[*tuple[Any, ...]], list[ColumnElement[Any]]]


def _columns(query: Select[*tuple[Any, ...]]) -> dict[str, ColumnElement[Any]]:
    return dict(zip(NAMES, query.selected_columns, strict=True))


def _fixed(value: str) -> ColumnElement[Any]:
    """A fixed value as the Python path writes it (sanitised; '' as NULL, see csv_sql)."""
    text = str(cell_text(value))
    return literal(text) if text else null()


def lentera_cells(filters: completions.ExportFilters) -> Cells:
    """The standard layout's query and its cells, one row per enrolment or class completion."""
    query = completions.records_query(filters)
    col = _columns(query)
    labels = completions.STATUS_LABELS
    status = case(
        (col["completed"].is_not(None), _fixed(labels["selesai"])),
        (col["due_on"] < filters.today, _fixed(labels["lewat_tenggat"])),  # NULL: not late
        else_=_fixed(labels["berjalan"]),
    )
    labelled = completions.CATEGORY_LABELS.items()
    category = case(
        *((col["category"] == key, _fixed(label)) for key, label in labelled),
        else_=text_cell(col["category"]),
    )
    revoked = col["revoked_at"].is_not(None)
    certificate = case(
        (revoked, _fixed(completions.CERTIFICATE_REVOKED)),
        (col["number"].is_not(None), _fixed(completions.CERTIFICATE_VALID)),
        else_=null(),
    )
    reason = case((revoked, text_cell(col["revoke_reason"])), else_=null())
    texts = ("nip", "name", "unit", "jabatan", "golongan", "code", "title")
    cells = [
        *(text_cell(col[key]) for key in texts), category, col["jp"],
        date_cell(col["started"]), date_cell(col["completed"]), col["score"], status,
        text_cell(col["number"]), certificate, date_cell(col["revoked_at"]), reason,
        col["credited_jp"],
    ]  # fmt: skip
    return query, cells


def _by_course(
    col: dict[str, ColumnElement[Any]],
    options: siasn.Options,
    value: Callable[[siasn.JenisDiklat], str],
) -> ColumnElement[Any]:
    """A per-row SIASN value: the course's own kind, else a class session's classroom kind,
    else one by the settings (`siasn.Options.jenis_for`)."""
    own = (
        (col["jenis_diklat"] == key, _fixed(value(jenis)))
        for key, jenis in siasn.JENIS_DIKLAT.items()
    )
    classroom = (
        (
            and_(col["class_session_id"].is_not(None), col["category"] == key),
            _fixed(value(options.jenis_for(key, classroom=True))),
        )
        for key in siasn.BY_CATEGORY
    )
    fallback = _fixed(value(options.jenis_for(None)))
    by_category = (
        (col["category"] == key, _fixed(value(options.jenis_for(key))))
        for key in (siasn.BY_CATEGORY if options.by_category else ())
    )
    return case(*own, *classroom, *by_category, else_=fallback)


def siasn_cells(filters: completions.ExportFilters, issuer: str | siasn.Options) -> Cells:
    """SIASN's riwayat kursus layout: its query (completed rows only) and cells."""
    options = completions.siasn_options(issuer)
    query = completions.records_query(completions.siasn_filters(filters))
    col = _columns(query)
    cells = [
        null(), _fixed(options.instansi_id),
        _by_course(col, options, lambda jenis: str(jenis.id)), null(),
        _by_course(col, options, lambda jenis: jenis.certificate_kind),
        text_cell(col["title"]), _fixed(options.issuer), col["jp"], year_cell(col["completed"]),
        date_cell(col["started"]), date_cell(col["completed"]), text_cell(col["number"]),
        text_cell(col["nip"]), text_cell(col["name"]), _fixed(options.instansi_name),
    ]  # fmt: skip
    return query, cells


def header_text(header: Sequence[str], delimiter: str, bom: bool) -> str:
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    csv.writer(buffer, delimiter=delimiter, lineterminator=csv_batches.LINE_END).writerow(header)
    return buffer.getvalue()


def export_chunks(
    session: Session,
    layout: str,
    filters: completions.ExportFilters,
    issuer: str | siasn.Options,
    *,
    delimiter: str,
    bom: bool,
    progress: Callable[[int], None] | None = None,
) -> Generator[bytes, None, None]:
    """A completion export layout as CSV bytes, streamed a batch of rows at a time."""
    if delimiter not in (",", ";"):
        raise ValueError(f"unsupported CSV delimiter {delimiter!r}")
    if layout == "siasn":
        (query, cells), header = siasn_cells(filters, issuer), completions.SIASN_COLUMNS
    else:
        (query, cells), header = lentera_cells(filters), completions.COLUMNS
    connection = session.connection()
    batches: Iterator[csv_batches.Batch]
    if connection.dialect.name == "postgresql":
        batches = csv_batches.postgres_copy(connection, query.with_only_columns(*cells), delimiter)
    else:

        def reread(ids: list[int]) -> list[list[str]]:
            rows = completions.rows_by_id(session, layout, filters, issuer, ids)
            return [[str(cell_text(value)) for value in row] for row in rows]

        lines = query.with_only_columns(_columns(query)["row_key"], cell_line(*cells))
        batches = csv_batches.sqlite_lines(
            connection, lines, width=len(cells), delimiter=delimiter, reread=reread
        )
    yield header_text(header, delimiter, bom).encode("utf-8")
    for data, count in batches:
        yield data
        if progress is not None:
            progress(count)
