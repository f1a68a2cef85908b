"""The completion certificate: two A4 landscape pages with fpdf2 and a segno QR code.

The first page carries what Indonesian training certificates carry (number, the learner's
identity as on personnel records, the course with its JP, the study period and final score,
the signatory by title, name, pangkat and NIP) and a QR code to the public verification page,
which is what makes a printed copy checkable. The second page lists the modules with their
estimated minutes, the total and the learning mode, as an STTP's second page does.

Everything printed comes from one `CertificateData`, the snapshot frozen when the certificate
was issued (app.learning.certificate_snapshot); nothing is read from settings here.

The text is always Bahasa Indonesia, whatever the interface language: the certificate is an
official document handed to the BKPSDM and kept in personnel files, so it is not passed
through gettext. Only fpdf2's core fonts are used (no font files to ship), so every string
goes through `pdf_text` first: a name with characters outside Latin-1 must print, not crash.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import segno
from babel.dates import format_date
from fpdf import FPDF

from app import clock
from app.accounts.nip import display as display_nip

MINUTES_PER_JP = 45  # one "jam pelajaran" of ASN training

_NAVY = (20, 45, 90)
_GOLD = (176, 141, 62)
_GREY = (90, 90, 90)
_ELLIPSIS = "..."

# Typographic characters people paste from word processors, and letters NFKD cannot reduce,
# mapped to the closest Latin-1 text before falling back to decomposition.
_REPLACEMENTS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u02bb": "'",
        "\u02bf": "'",
        "\u02be": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2022": "\u00b7",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
        "\u0131": "i",
        "\u0141": "L",
        "\u0142": "l",
        "\u0110": "D",
        "\u0111": "d",
        "\u0152": "OE",
        "\u0153": "oe",
        "\u20ac": "EUR",
    }
)


def pdf_text(text: str) -> str:
    """`text` reduced to Latin-1 for the core fonts: look-alikes, then NFKD, then '?'."""
    out: list[str] = []
    for char in text.translate(_REPLACEMENTS):
        if char in "\t\n\r":
            out.append(" ")
        elif unicodedata.category(char) == "Cc":
            continue  # other control characters have no glyph and no meaning on paper
        elif _is_latin1(char):
            out.append(char)
        else:
            # "Ŝ" -> "S" + combining circumflex: keep the base letter, drop the accent.
            parts = [
                c
                for c in unicodedata.normalize("NFKD", char).translate(_REPLACEMENTS)
                if _is_latin1(c) and not unicodedata.combining(c)
            ]
            out.append("".join(parts) or "?")
    return "".join(out)


def _is_latin1(char: str) -> bool:
    return ord(char) < 0x100


def indonesian_date(day: date) -> str:
    """A date as Indonesian documents write it: 28 November 2026."""
    return format_date(day, format="long", locale="id")


def creation_moment(day: date) -> datetime:
    """Midnight in Palu on `day`: a fixed creation date, so the same data gives the same file."""
    return datetime.combine(day, time(0, 0), tzinfo=clock.zone())


def fit_lines(
    pdf: FPDF,
    text: str,
    width: float,
    *,
    family: str,
    style: str = "",
    max_size: float,
    min_size: float,
    max_lines: int = 1,
    shrink_before_wrap: bool = True,
) -> tuple[float, list[str]]:
    """The largest font size at which `text` fits in `max_lines` lines of `width`, and the lines.

    With `shrink_before_wrap`, one line is preferred down to 70% of `max_size` before wrapping
    is allowed. Text that does not fit even at `min_size` is cut with an ellipsis, so nothing
    ever leaves its box. The font is left set at the returned size.
    """
    one_line_floor = max(min_size, max_size * 0.7) if shrink_before_wrap else max_size
    size = max_size
    while True:
        allowed = 1 if size > one_line_floor else max_lines
        lines = _wrap(pdf, text, width, family, style, size)
        if len(lines) <= allowed or size <= min_size:
            break
        size = max(min_size, size - 0.5)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _ellipsize(pdf, lines[-1], width)
    return size, lines


def _wrap(pdf: FPDF, text: str, width: float, family: str, style: str, size: float) -> list[str]:
    pdf.set_font(family, style, size)
    lines = pdf.multi_cell(width, text=text, dry_run=True, output="LINES")
    assert isinstance(lines, list)  # output="LINES" returns only the lines
    return [str(line) for line in lines] or [""]


def _ellipsize(pdf: FPDF, line: str, width: float) -> str:
    room = width - 2 * pdf.c_margin
    line = line.rstrip()
    while line and pdf.get_string_width(line + _ELLIPSIS) > room:
        line = line[:-1].rstrip()
    return line + _ELLIPSIS


def draw_lines(
    pdf: FPDF, lines: Sequence[str], x: float, y: float, width: float, height: float, align: str
) -> float:
    """Print already-fitted lines one under another from (x, y); returns the y below them."""
    for line in lines:
        pdf.set_xy(x, y)
        pdf.cell(width, height, line, align=align)
        y += height
    return y


def _line_height(size: float) -> float:
    # Font size is in points; 1.25 of it, in millimetres, is comfortable leading.
    return size * 1.25 * 25.4 / 72


@dataclass(frozen=True)
class ModuleLine:
    """A module as the second page lists it."""

    title: str
    minutes: int


LEARNING_MODE = "e-learning mandiri"


@dataclass(frozen=True)
class CertificateData:
    number: str
    full_name: str
    nip: str
    employee_type: str  # "PNS" or "PPPK"
    pangkat_golongan: str
    jabatan: str
    unit_kerja: str
    instansi: str  # e.g. "Pemerintah Kota Palu"
    course_title: str
    course_code: str
    category: str  # "teknis", "manajerial" or "sosial kultural"
    jp: int
    completed_on: date
    final_score: int  # 0..100
    issuer: str  # e.g. "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Palu"
    signatory_name: str  # a person's name, never a title
    signatory_title: str  # e.g. "Kepala BKPSDM Kota Palu"
    verify_url: str
    signatory_nip: str = ""
    signatory_pangkat: str = ""  # e.g. "Pembina Utama Muda (IV/c)"
    started_on: date | None = None  # first module opened, local date
    issued_on: date | None = None  # the date by the signature (a re-issue is later)
    learning_mode: str = LEARNING_MODE
    modules: tuple[ModuleLine, ...] = ()
    place: str = "Palu"  # where the certificate is signed, before the date

    @property
    def signed_on(self) -> date:
        return self.issued_on or self.completed_on


# Page geometry in millimetres (A4 landscape).
_PAGE_W = 297.0
_PAGE_H = 210.0
_TEXT_W = 230.0  # the centred column
_BOTTOM_Y = 150.0  # QR code and signature block start here; the text above must end before it
_QR_SIZE = 30.0
_MAX_GAP = 7.0  # most space added between two sections of the body


def render_certificate(data: CertificateData) -> bytes:
    """The certificate as PDF bytes (unsigned: app.learning.signing signs them)."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)  # the first page by construction; every block is fitted
    pdf.set_margins(0, 0, 0)
    pdf.set_creation_date(creation_moment(data.signed_on))
    pdf.set_title(f"Sertifikat {data.number}")
    pdf.set_subject(data.course_title)
    pdf.set_author(data.issuer)
    pdf.set_creator("Lentera")
    pdf.set_lang("id")
    pdf.add_page()
    _frame(pdf)
    _body(pdf, data, _heading(pdf, data))
    _verification(pdf, data)
    _signature(pdf, data)
    _modules_page(pdf, data)
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*_NAVY)
    pdf.set_line_width(1.4)
    pdf.rect(8, 8, _PAGE_W - 16, _PAGE_H - 16)
    pdf.set_draw_color(*_GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(11, 11, _PAGE_W - 22, _PAGE_H - 22)


def _centred(
    pdf: FPDF,
    text: str,
    y: float,
    *,
    family: str,
    style: str = "",
    max_size: float,
    min_size: float | None = None,
    max_lines: int = 1,
    width: float = _TEXT_W,
) -> float:
    size, lines = fit_lines(
        pdf,
        pdf_text(text),
        width,
        family=family,
        style=style,
        max_size=max_size,
        min_size=min_size or max_size,
        max_lines=max_lines,
    )
    return draw_lines(pdf, lines, (_PAGE_W - width) / 2, y, width, _line_height(size), "C")


def _heading(pdf: FPDF, data: CertificateData) -> float:
    pdf.set_text_color(*_NAVY)
    y = _centred(pdf, data.instansi.upper(), 17, family="Helvetica", style="B", max_size=12)
    y = _centred(
        pdf,
        data.issuer.upper(),
        y,
        family="Helvetica",
        style="B",
        max_size=11,
        min_size=8,
        max_lines=2,
    )
    pdf.set_draw_color(*_GOLD)
    pdf.set_line_width(0.6)
    pdf.line(_PAGE_W / 2 - 60, y + 2, _PAGE_W / 2 + 60, y + 2)
    pdf.set_char_spacing(3)
    y = _centred(pdf, "SERTIFIKAT", y + 4, family="Times", style="B", max_size=34)
    pdf.set_char_spacing(0)
    pdf.set_text_color(0, 0, 0)
    return _centred(pdf, f"Nomor: {data.number}", y, family="Helvetica", max_size=11, min_size=8)


def _body(pdf: FPDF, data: CertificateData, top: float) -> None:
    # The sections keep their own spacing; what room is left between the heading and the
    # signature block is spread between them (up to a point) and the rest centres the body,
    # so a short name and title do not leave a hole above the signature.
    sections = (_recipient_name, _identity, _course)
    heights = [section(_scratch_page(), data, 0.0) for section in sections]
    room = _BOTTOM_Y - 4 - top - sum(heights)
    gap = min(_MAX_GAP, max(0.0, room) / (len(sections) + 1))
    y = top + max(0.0, room - gap * (len(sections) - 1)) / 2
    for section in sections:
        y = section(pdf, data, y) + gap


def _scratch_page() -> FPDF:
    # Measuring by drawing on a throwaway page keeps one code path for layout and drawing.
    scratch = FPDF(orientation="L", unit="mm", format="A4")
    scratch.set_auto_page_break(False)
    scratch.add_page()
    return scratch


def _recipient_name(pdf: FPDF, data: CertificateData, y: float) -> float:
    y = _centred(pdf, "diberikan kepada:", y, family="Times", style="I", max_size=13)
    pdf.set_text_color(*_NAVY)
    y = _centred(
        pdf, data.full_name, y, family="Times", style="B", max_size=26, min_size=14, max_lines=2
    )
    pdf.set_text_color(0, 0, 0)
    return y


def _identity(pdf: FPDF, data: CertificateData, y: float) -> float:
    is_pppk = data.employee_type.strip().upper() == "PPPK"
    rows = (
        ("NI PPPK" if is_pppk else "NIP", display_nip(data.nip)),
        ("Golongan" if is_pppk else "Pangkat/Golongan", data.pangkat_golongan),
        ("Jabatan", data.jabatan),
        ("Unit Kerja", data.unit_kerja),
        ("Instansi", data.instansi),
    )
    label_w, colon_w, value_w = 38.0, 4.0, 128.0
    x = (_PAGE_W - label_w - colon_w - value_w) / 2
    height = _line_height(10.5)
    for label, value in rows:
        pdf.set_font("Helvetica", "", 10.5)
        pdf.set_xy(x, y)
        pdf.cell(label_w, height, label)
        pdf.cell(colon_w, height, ":")
        # A long jabatan or unit name wraps rather than shrinking into illegibility.
        size, lines = fit_lines(
            pdf,
            pdf_text(value.strip() or "-"),
            value_w,
            family="Helvetica",
            style="B",
            max_size=10.5,
            min_size=8.5,
            max_lines=2,
            shrink_before_wrap=False,
        )
        y = max(
            y + height,
            draw_lines(pdf, lines, x + label_w + colon_w, y, value_w, _line_height(size), "L"),
        )
    return y


def _course(pdf: FPDF, data: CertificateData, y: float) -> float:
    y = _centred(pdf, "telah menyelesaikan pelatihan", y, family="Times", style="I", max_size=13)
    pdf.set_text_color(*_NAVY)
    y = _centred(
        pdf,
        data.course_title,
        y + 0.5,
        family="Helvetica",
        style="B",
        max_size=18,
        min_size=10,
        max_lines=3,
    )
    pdf.set_text_color(0, 0, 0)
    category = data.category.strip().title()
    minutes = data.jp * MINUTES_PER_JP
    y = _centred(
        pdf,
        f"kompetensi {category} (kode {data.course_code}), "
        f"dengan beban belajar {data.jp} JP ({minutes} menit),",
        y + 1,
        family="Helvetica",
        max_size=11,
        min_size=8,
    )
    return _centred(
        pdf,
        f"secara {data.learning_mode} {_period(data)} dengan nilai akhir {data.final_score}.",
        y,
        family="Helvetica",
        max_size=11,
        min_size=8,
    )


def _period(data: CertificateData) -> str:
    end = indonesian_date(data.completed_on)
    if data.started_on is None or data.started_on >= data.completed_on:
        return f"pada tanggal {end}"
    return f"dari tanggal {indonesian_date(data.started_on)} sampai dengan {end}"


def _verification(pdf: FPDF, data: CertificateData) -> None:
    x, y = 22.0, _BOTTOM_Y + 8
    qr = segno.make(data.verify_url, error="m")
    png = io.BytesIO()
    # The white page around the code is its quiet zone; nothing is drawn within 5 mm of it.
    qr.save(png, kind="png", scale=8, border=0)
    png.seek(0)
    pdf.image(png, x=x, y=y, w=_QR_SIZE, h=_QR_SIZE, alt_text="Kode QR verifikasi sertifikat")
    text_x = x + _QR_SIZE + 5
    width = 95.0
    pdf.set_text_color(*_GREY)
    size, lines = fit_lines(
        pdf,
        "Pindai untuk memverifikasi keaslian sertifikat ini",
        width,
        family="Helvetica",
        style="I",
        max_size=8.5,
        min_size=8.5,
        max_lines=2,
    )
    after = draw_lines(pdf, lines, text_x, y + 11, width, _line_height(size), "L")
    # The URL must be copyable in one piece: shrink before breaking it.
    size, lines = fit_lines(
        pdf,
        pdf_text(data.verify_url),
        width,
        family="Helvetica",
        max_size=7.5,
        min_size=5,
        max_lines=3,
    )
    draw_lines(pdf, lines, text_x, after, width, _line_height(size), "L")
    pdf.set_text_color(0, 0, 0)


def _signature(pdf: FPDF, data: CertificateData) -> None:
    # Title, room for a stamp, then the person: name, pangkat, NIP (as official letters do).
    width = 95.0
    x = _PAGE_W - 22 - width
    y = _BOTTOM_Y
    for text, max_lines in (
        (f"{data.place}, {indonesian_date(data.signed_on)}", 1),
        (f"{data.signatory_title},", 2),
    ):
        size, lines = fit_lines(
            pdf,
            pdf_text(text),
            width,
            family="Helvetica",
            max_size=10.5,
            min_size=8,
            max_lines=max_lines,
            shrink_before_wrap=False,
        )
        y = draw_lines(pdf, lines, x, y, width, _line_height(size), "C")
    # Room for a wet signature and stamp on a printed copy (the PDF itself is signed digitally).
    y = max(y + 13, _BOTTOM_Y + 24)
    size, lines = fit_lines(
        pdf,
        pdf_text(data.signatory_name),
        width,
        family="Helvetica",
        style="BU",
        max_size=11,
        min_size=8,
        max_lines=1,
    )
    y = draw_lines(pdf, lines, x, y, width, _line_height(size), "C")
    details = [data.signatory_pangkat]
    if data.signatory_nip:
        details.append(f"NIP. {display_nip(data.signatory_nip)}")
    for text in details:
        if not text.strip():
            continue
        size, lines = fit_lines(
            pdf, pdf_text(text), width, family="Helvetica", max_size=10, min_size=8
        )
        y = draw_lines(pdf, lines, x, y, width, _line_height(size), "C")


# Second page: the modules, as an STTP lists its subjects and hours.
_TABLE_W = 200.0


def _modules_page(pdf: FPDF, data: CertificateData) -> None:
    pdf.add_page()
    _frame(pdf)
    pdf.set_auto_page_break(True, margin=20)  # a long module list continues on a third page
    pdf.set_text_color(*_NAVY)
    y = _centred(pdf, "DAFTAR MODUL PEMBELAJARAN", 20, family="Helvetica", style="B", max_size=14)
    pdf.set_text_color(0, 0, 0)
    y = _centred(
        pdf, data.course_title, y + 1, family="Helvetica", style="B", max_size=12, min_size=9,
        max_lines=2,
    )  # fmt: skip
    y = _centred(
        pdf,
        f"Nomor sertifikat {data.number} - {data.full_name or '-'}",
        y,
        family="Helvetica",
        max_size=10,
        min_size=8,
    )
    rows = [("No.", "Modul", "Waktu (menit)")]
    rows += [
        (str(index), pdf_text(module.title), str(module.minutes))
        for index, module in enumerate(data.modules, start=1)
    ]
    total = sum(module.minutes for module in data.modules)
    pdf.set_xy((_PAGE_W - _TABLE_W) / 2, y + 4)
    pdf.set_font("Helvetica", "", 10)
    with pdf.table(
        width=_TABLE_W,
        col_widths=(12, 158, 30),
        text_align=("CENTER", "LEFT", "CENTER"),
        line_height=_line_height(10) + 1,
        first_row_as_headings=True,
        repeat_headings=1,
    ) as table:
        for row in rows:
            table.row(row)
        if not data.modules:
            table.row(("-", "Daftar modul tidak tercatat pada saat penerbitan", "-"))
    pdf.set_x((_PAGE_W - _TABLE_W) / 2)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(170, _line_height(10) + 2, "Jumlah waktu belajar (estimasi)", align="R")
    pdf.cell(30, _line_height(10) + 2, str(total), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    minutes = data.jp * MINUTES_PER_JP
    for line in (
        f"Beban belajar yang diakui: {data.jp} JP ({minutes} menit; 1 JP = {MINUTES_PER_JP} menit)",
        f"Moda pembelajaran: {data.learning_mode}",
        f"Periode belajar: {_period(data)}",
    ):
        pdf.set_x((_PAGE_W - _TABLE_W) / 2)
        pdf.cell(_TABLE_W, _line_height(10) + 1, pdf_text(line), new_x="LMARGIN", new_y="NEXT")
