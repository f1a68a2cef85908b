"""Writing export rows as CSV (streamed) or XLSX (write-only workbook on disk, then streamed).

The completion export's CSV takes the fast path of `completions_csv` (cells computed by the
database); XLSX needs typed Python values per cell (dates as dates, numbers as numbers), so
it keeps `rows_for`, as does the JP compliance export (a few thousand rows).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Literal

from sqlalchemy.orm import Session

from app import clock
from app.reports import completions, completions_csv, siasn
from app.reports.csv_safe import csv_stream, sanitize

Layout = Literal["lentera", "siasn"]
Format = Literal["csv", "xlsx"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_for(
    session: Session,
    layout: Layout,
    filters: completions.ExportFilters,
    issuer: str | siasn.Options,
) -> tuple[list[str], Iterator[Sequence[object]]]:
    """The header and the rows of an export layout."""
    if layout == "siasn":
        return completions.SIASN_COLUMNS, completions.iter_siasn(session, filters, issuer)
    return completions.COLUMNS, completions.iter_records(session, filters)


def _xlsx_value(value: object) -> object:
    if isinstance(value, datetime):
        return clock.local_date(value)
    return sanitize(value)


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], path: str) -> None:
    """A write-only workbook: rows go straight to disk, memory stays flat."""
    from openpyxl import Workbook  # here: importing it costs a CSV export 0.2 s

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Rekap")
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    workbook.save(path)


def file_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    fmt: Format,
    *,
    delimiter: str = ",",
    bom: bool = False,
) -> Iterator[bytes]:
    """Rows as CSV chunks (streamed) or as an XLSX file written to disk, then read back."""
    if fmt == "csv":
        yield from csv_stream(header, rows, delimiter=delimiter, bom=bom)
        return
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="lentera-export-")
    os.close(handle)
    try:
        write_xlsx(header, rows, path)
        with open(path, "rb") as data:
            while chunk := data.read(65536):
                yield chunk
    finally:
        os.unlink(path)


def stream_export(
    open_session: Callable[[], AbstractContextManager[Session]],
    *,
    layout: Layout,
    fmt: Format,
    filters: completions.ExportFilters,
    issuer: str | siasn.Options,
    delimiter: str = ",",
    bom: bool = False,
) -> Iterator[bytes]:
    """The export file as byte chunks; reads the database in its own session while streaming."""
    with open_session() as session:
        if fmt == "csv":
            yield from completions_csv.export_chunks(
                session, layout, filters, issuer, delimiter=delimiter, bom=bom
            )
            return
        header, rows = rows_for(session, layout, filters, issuer)
        yield from file_chunks(header, rows, fmt, delimiter=delimiter, bom=bom)


def file_name(layout: Layout, fmt: Format, today: date) -> str:
    stem = "riwayat-kursus-siasn" if layout == "siasn" else "rekap-penyelesaian"
    return f"{stem}-{today.isoformat()}.{fmt}"
