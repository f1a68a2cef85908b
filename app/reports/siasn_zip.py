"""The SIASN export as a ZIP: the records file plus each listed certificate's signed PDF.

SIASN's riwayat kursus record takes the certificate file as its document, so HR attaches
`<nomorSertipikat>.pdf` from the ZIP to the record with that number. The PDFs are the
stored signed files (`certificate_issue.pdf_bytes`: a certificate that has none yet gets
it made and stored now, exactly as at its first download), so they are byte-identical to
what the learner downloads.

Memory stays bounded: the ZIP is written to a temporary file, the records file streamed
into it and one PDF at a time; the caller streams the file and deletes it.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.learning import certificate_issue
from app.learning.models import Certificate
from app.reports import completions, exports, siasn

NUMBER_INDEX = siasn.COLUMNS.index("nomorSertipikat")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def pdf_name(number: str) -> str:
    """The file name of a certificate in the ZIP: its number, made safe for any file system."""
    return _UNSAFE.sub("-", number) + ".pdf"


def build(
    session: Session,
    filters: completions.ExportFilters,
    options: siasn.Options,
    *,
    fmt: exports.Format,
    data_name: str,
    delimiter: str = ";",
    bom: bool = True,
) -> tuple[str, int]:
    """Write the ZIP to a temporary file; returns its path and the number of records."""
    handle, path = tempfile.mkstemp(suffix=".zip", prefix="lentera-siasn-")
    os.close(handle)
    numbers: list[str] = []
    rows_seen = 0

    def rows() -> Iterator[Sequence[object]]:
        nonlocal rows_seen
        for row in completions.iter_siasn(session, filters, options):
            rows_seen += 1
            number = row[NUMBER_INDEX]
            if number:
                numbers.append(str(number))
            yield row

    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open(data_name, "w") as out:
                for chunk in exports.file_chunks(
                    siasn.COLUMNS, rows(), fmt, delimiter=delimiter, bom=bom
                ):
                    out.write(chunk)
            for number in numbers:
                certificate = session.scalars(
                    select(Certificate).where(Certificate.number == number)
                ).one()
                pdf = certificate_issue.pdf_bytes(session, certificate, utcnow())
                # Stored: a PDF is compressed already.
                archive.writestr(pdf_name(number), pdf, compress_type=zipfile.ZIP_STORED)
    except BaseException:
        os.unlink(path)
        raise
    return path, rows_seen


def file_chunks(path: str) -> Iterator[bytes]:
    """The ZIP's bytes in 64 KB chunks; the file is deleted once read (or abandoned)."""
    try:
        with open(path, "rb") as data:
            while chunk := data.read(65536):
                yield chunk
    finally:
        os.unlink(path)
