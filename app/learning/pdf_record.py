"""A learner's "Riwayat Belajar" for one year: A4 portrait PDF with fpdf2.

It lists the year's completed training, on Lentera and elsewhere, and sets the JP total
against the yearly development target (20 JP for every ASN), so a learner can hand it to the
supervisor or the BKPSDM. Unlike the certificate it is the learner's own report, so its text
follows the interface language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from fpdf import FPDF, FontFace

from app.accounts.nip import display as display_nip
from app.i18n import get_locale
from app.i18n import gettext as _
from app.learning.pdf_certificate import creation_moment, fit_lines, pdf_text

DEFAULT_JP_TARGET = 20

_NAVY = (20, 45, 90)
_HEADINGS_FILL = (226, 232, 242)
_ROW_FILL = (246, 246, 246)
_MARGIN = 15.0
_FOOTER_ROOM = 15.0
# Fractions of the table width: No, Pelatihan, Kategori, Penyelenggara, Tanggal, JP, No. sertifikat.
# The certificate number gets room for a whole number on one line; the title wraps instead.
_COLUMN_WIDTHS = (7, 48, 19, 28, 20, 8, 40)


@dataclass(frozen=True)
class RecordEntry:
    title: str
    category: str  # "teknis", "manajerial" or "sosial kultural"
    jp: int
    completed_on: date
    source: str  # "Lentera" or the external organiser
    certificate_number: str | None
    revoked: str | None = None  # "Dicabut <date>: <reason>" when the certificate is revoked


@dataclass(frozen=True)
class LearningRecord:
    full_name: str
    nip: str
    unit_kerja: str
    year: int
    entries: tuple[RecordEntry, ...]  # the year's completions; the caller selects them
    generated_on: date
    jp_target: int = DEFAULT_JP_TARGET
    employee_type: str = "PNS"  # "PPPK" labels the number NI PPPK
    # A PPPK's allotment (at most `jp_target` JP), never a minimum to fall short of.
    allotment: bool = False
    period: str | None = None  # e.g. "tahun kontrak 1 Mar 2026 - 28 Feb 2027"
    rule_basis: str | None = None  # the legal basis of the rule (a setting)


class _RecordPDF(FPDF):
    def __init__(self, record: LearningRecord) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.record = record

    def header(self) -> None:
        # Loose printed pages must still say whose record they are.
        if self.page_no() == 1:
            return
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(90, 90, 90)
        text = _("Riwayat Belajar {year} - {name}").format(
            year=self.record.year, name=self.record.full_name
        )
        _size, lines = fit_lines(
            self, pdf_text(text), self.epw, family="Helvetica", style="I", max_size=8, min_size=8
        )
        self.cell(self.epw, 5, lines[0], align="L")
        self.set_text_color(0, 0, 0)
        self.ln(8)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        printed = _("Dicetak {date} dari Lentera").format(date=_date(self.record.generated_on))
        self.cell(self.epw / 2, 5, pdf_text(printed), align="L")
        pages = _("Halaman {page} dari {total}").format(page=self.page_no(), total="{nb}")
        self.cell(self.epw / 2, 5, pdf_text(pages), align="R")
        self.set_text_color(0, 0, 0)


def jp_total(record: LearningRecord) -> int:
    """The JP of every entry of the record."""
    return sum(entry.jp for entry in record.entries)


def target_status(record: LearningRecord) -> str:
    """'Target tercapai' when the year's JP reach the target, else how many JP are missing."""
    missing = record.jp_target - jp_total(record)
    if missing <= 0:
        return _("Target tercapai")
    return _("Kurang {n} JP").format(n=missing)


def render_learning_record(record: LearningRecord) -> bytes:
    """The record as PDF bytes."""
    pdf = _RecordPDF(record)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=_FOOTER_ROOM + 5)
    pdf.set_creation_date(creation_moment(record.generated_on))
    pdf.set_title(pdf_text(_("Riwayat Belajar {year}").format(year=record.year)))
    pdf.set_author(record.full_name)
    pdf.set_creator("Lentera")
    pdf.set_lang(get_locale())
    pdf.add_page()
    _identity(pdf, record)
    _summary(pdf, record)
    if record.entries:
        _table(pdf, record)
    else:
        pdf.set_font("Helvetica", "I", 10)
        pdf.multi_cell(
            pdf.epw,
            6,
            pdf_text(
                _("Belum ada pelatihan yang tercatat pada tahun {year}.").format(year=record.year)
            ),
        )
    return bytes(pdf.output())


def _date(day: date, format: str = "long") -> str:
    return format_date(day, format=format, locale=get_locale())


def _identity(pdf: FPDF, record: LearningRecord) -> None:
    pdf.set_text_color(*_NAVY)
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(pdf.epw, 9, pdf_text(_("RIWAYAT BELAJAR")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    year_line = _("Tahun {year}").format(year=record.year)
    pdf.cell(pdf.epw, 6, pdf_text(year_line), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    label = "NI PPPK" if record.employee_type.strip().upper() == "PPPK" else "NIP"
    rows = (
        (_("Nama"), record.full_name),
        (label, display_nip(record.nip)),
        (_("Unit Kerja"), record.unit_kerja),
    )
    for name, value in rows:
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(30, 6, pdf_text(name))
        pdf.cell(4, 6, ":")
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(
            pdf.epw - 34,
            6,
            pdf_text(value.strip() or "-"),
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)


def _summary(pdf: FPDF, record: LearningRecord) -> None:
    total = jp_total(record)
    reached = total >= record.jp_target
    pdf.set_fill_color(*((225, 240, 228) if reached or record.allotment else (252, 236, 222)))
    pdf.set_font("Helvetica", "B", 11)
    if record.allotment:
        text = _("Jumlah JP {period}: {total} JP dari jatah paling banyak {allotment} JP").format(
            period=record.period or record.year, total=total, allotment=record.jp_target
        )
    else:
        text = _("Jumlah JP tahun {year}: {total} JP dari target {target} JP - {status}").format(
            year=record.year, total=total, target=record.jp_target, status=target_status(record)
        )
    pdf.multi_cell(pdf.epw, 8, pdf_text(text), fill=True, align="C", padding=(1, 2))
    if record.rule_basis or (record.period and not record.allotment):
        pdf.set_font("Helvetica", "", 8)
        basis = " - ".join(part for part in (record.period, record.rule_basis) if part)
        pdf.multi_cell(pdf.epw, 5, pdf_text(basis), align="C")
    pdf.set_fill_color(255, 255, 255)
    pdf.ln(5)


def _certificate_cell(entry: RecordEntry) -> str:
    """The certificate number; a revoked one is marked with its date and reason (0 JP)."""
    number = entry.certificate_number or "-"
    if entry.revoked:
        return f"{number} - {_('DICABUT')}. {entry.revoked}"
    return number


def _table(pdf: FPDF, record: LearningRecord) -> None:
    entries = sorted(record.entries, key=lambda e: (e.completed_on, e.title.casefold()))
    headings = (
        _("No"),
        _("Pelatihan"),
        _("Kategori"),
        _("Penyelenggara"),
        _("Tanggal selesai"),
        _("JP"),
        _("No. sertifikat"),
    )
    pdf.set_font("Helvetica", "", 8)
    with pdf.table(
        col_widths=_COLUMN_WIDTHS,
        width=pdf.epw,
        text_align=("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT"),
        line_height=4.5,
        padding=1,
        headings_style=FontFace(emphasis="BOLD", fill_color=_HEADINGS_FILL),
        cell_fill_mode="ROWS",
        cell_fill_color=_ROW_FILL,
        repeat_headings=1,
    ) as table:
        row = table.row()
        for heading in headings:
            row.cell(pdf_text(heading))
        for number, entry in enumerate(entries, start=1):
            row = table.row()
            cells = (
                str(number),
                entry.title,
                entry.category.strip().title(),
                entry.source,
                _date(entry.completed_on, "medium"),
                str(entry.jp),
                _certificate_cell(entry),
            )
            for text in cells:
                row.cell(pdf_text(text))
        row = table.row(style=FontFace(emphasis="BOLD"))
        row.cell(pdf_text(_("Jumlah")), colspan=5, align="RIGHT")
        row.cell(str(jp_total(record)))
        row.cell("")
