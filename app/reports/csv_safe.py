"""Spreadsheet-safe cells: neutralise formula injection, format dates for Indonesian Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from app import clock

# A cell starting with one of these is run as a formula by Excel and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def sanitize(value: object) -> object:
    """Neutralise text that a spreadsheet would execute; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def cell_text(value: object) -> str:
    """How a value is written in CSV: dates as DD-MM-YYYY (local, `app.clock`), None as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return clock.local_date(value).strftime("%d-%m-%Y")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(sanitize(value))


def csv_stream(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, delimiter: str, bom: bool
) -> Iterator[bytes]:
    """Encode rows as CSV chunks of about 64 KB, never holding the whole file in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell_text(value) for value in row])
        if buffer.tell() > 65536:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
