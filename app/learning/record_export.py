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


def certificate_status(entry: RecordEntryView) -> str:
    """'Dicabut' for a revoked certificate, 'Berlaku' for a valid one, '' for none."""
    if not entry.certificate_number or entry.source != "lentera":
        return ""
    return _("Dicabut") if entry.certificate_revoked else _("Berlaku")


def revocation_note(entry: RecordEntryView) -> str:
    """How a revoked certificate is described in the PDF: date and reason."""
    if not entry.certificate_revoked:
        return ""
    day = entry.revoked_on.isoformat() if entry.revoked_on else "-"
    return _("Dicabut {date}: {reason}").format(date=day, reason=entry.revoke_reason or "-")


def record_csv(record: JPYear, *, issuer: str) -> bytes:
    """The year's entries as CSV that Excel opens with an Indonesian locale:
    UTF-8 with a BOM (so Excel detects the encoding) and `;` between cells (the `,` is the
    decimal separator there). `issuer` is named as the organiser of Lentera courses.

    The JP column holds the JP counted, so it adds up to the year's total: a completion
    whose certificate is revoked is listed with 0 JP, "Dicabut", its date and reason."""
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
            _("Status Sertifikat"),
            _("Tanggal Dicabut"),
            _("Alasan Pencabutan"),
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
            str(entry.credited_jp),
            entry.certificate_number or "",
            "Lentera" if lentera else _("Eksternal"),
            certificate_status(entry),
            entry.revoked_on.isoformat() if entry.certificate_revoked and entry.revoked_on else "",
            (entry.revoke_reason or "") if entry.certificate_revoked else "",
        ]
        writer.writerow([neutralise(cell) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def period_text(record: JPYear) -> str:
    """Which year the record counts: "tahun kontrak <start> - <end>" or "tahun <year>"."""
    window = record.window
    if window is not None and window.contract:
        return _("tahun kontrak {start} - {end}").format(
            start=window.starts_on.strftime("%d-%m-%Y"), end=window.last_day.strftime("%d-%m-%Y")
        )
    return _("tahun {year}").format(year=record.year)


def record_pdf(
    record: JPYear,
    *,
    full_name: str,
    nip: str,
    employee_type: str,
    unit_kerja: str,
    generated_on: date,
) -> bytes:
    """The year's entries as the PDF "Riwayat Belajar" (revoked ones with 0 JP, marked)."""
    entries = tuple(
        RecordEntry(
            title=entry.title,
            category=entry.category,
            jp=entry.credited_jp,
            completed_on=entry.completed_on,
            source="Lentera" if entry.source == "lentera" else entry.organiser or "-",
            certificate_number=entry.certificate_number,
            revoked=revocation_note(entry) or None,
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
            allotment=record.is_allotment,
            period=period_text(record) if record.is_allotment else None,
            rule_basis=record.rule.citation if record.is_allotment and record.rule else None,
        )
    )
