"""The learning record as files: CSV for spreadsheets, PDF to hand to a supervisor."""

from __future__ import annotations

import csv
import io
from datetime import date

from app.i18n import gettext as _
from app.learning.jp import JPYear, RecordEntryView
from app.learning.pdf_record import LearningRecord, RecordEntry, render_learning_record

# Characters that make Excel or LibreOffice read a cell as a formula (OWASP's list); such a
# cell gets a leading apostrophe, which the spreadsheet shows as plain text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """`value`, made inert when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def category_label(value: str) -> str:
    """A competency category as people read it."""
    labels = {
        "teknis": _("Teknis"),
        "manajerial": _("Manajerial"),
        "sosial kultural": _("Sosial kultural"),
    }
    return labels.get(value, value)


def _certificate(entry: RecordEntryView) -> str:
    if not entry.certificate_number:
        return ""
    if entry.certificate_revoked:
        return _("{number} (dicabut)").format(number=entry.certificate_number)
    return entry.certificate_number


def record_csv(record: JPYear, *, issuer: str) -> bytes:
    """The year's counted entries as CSV that Excel opens with an Indonesian locale:
    UTF-8 with a BOM (so Excel detects the encoding) and `;` between cells (the `,` is the
    decimal separator there). `issuer` is named as the organiser of Lentera courses."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Tahun"),
            _("Pelatihan"),
            _("Kategori"),
            _("Penyelenggara"),
            _("Tanggal Selesai"),
            _("JP"),
            _("Nomor Sertifikat"),
            _("Sumber"),
        ]
    )
    for entry in record.entries:
        lentera = entry.source == "lentera"
        cells = [
            str(record.year),
            entry.title,
            category_label(entry.category),
            issuer if lentera else entry.organiser or "",
            entry.completed_on.isoformat(),
            str(entry.jp),
            _certificate(entry),
            "Lentera" if lentera else _("Eksternal"),
        ]
        writer.writerow([neutralise(cell) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def record_pdf(
    record: JPYear,
    *,
    full_name: str,
    nip: str,
    employee_type: str,
    unit_kerja: str,
    generated_on: date,
) -> bytes:
    """The year's counted entries as the PDF "Riwayat Belajar"."""
    entries = tuple(
        RecordEntry(
            title=entry.title,
            category=entry.category,
            jp=entry.jp,
            completed_on=entry.completed_on,
            source="Lentera" if entry.source == "lentera" else entry.organiser or "-",
            certificate_number=_certificate(entry) or None,
        )
        for entry in record.entries
    )
    return render_learning_record(
        LearningRecord(
            full_name=full_name,
            nip=nip,
            unit_kerja=unit_kerja,
            year=record.year,
            entries=entries,
            generated_on=generated_on,
            jp_target=record.target,
            employee_type=employee_type,
        )
    )
