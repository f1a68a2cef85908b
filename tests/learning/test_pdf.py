"""Certificate and learning-record PDFs, read back with pypdf."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
import segno
from fpdf import FPDF
from pypdf import PdfReader

from app.learning.pdf_certificate import CertificateData, fit_lines, pdf_text, render_certificate
from app.learning.pdf_record import LearningRecord, RecordEntry, render_learning_record

VERIFY_URL = "https://lentera.palukota.go.id/sertifikat/verifikasi/LNT-2026-000123"

CERTIFICATE = CertificateData(
    number="LNT/2026/PP-101/000123",
    full_name="Andi Ridwan Lamakarate, S.Sos.",
    nip="198503152010012003",
    employee_type="PNS",
    pangkat_golongan="Penata Tingkat I (III/d)",
    jabatan="Analis Sumber Daya Manusia Aparatur Ahli Muda",
    unit_kerja="Bidang Pengembangan Kompetensi Aparatur",
    instansi="Pemerintah Kota Palu",
    course_title="Pelayanan Publik Prima bagi Aparatur Sipil Negara",
    course_code="PP-101",
    category="teknis",
    jp=6,
    completed_on=date(2026, 11, 28),
    final_score=87,
    issuer="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Palu",
    signatory_name="Dra. Siti Rahmawati, M.Si.",
    signatory_title="Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Palu",
    verify_url=VERIFY_URL,
)


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in read(pdf).pages)


def flat(text: str) -> str:
    """Text with line breaks as spaces, for phrases that may wrap."""
    return " ".join(text.split())


# --- certificate ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate() -> bytes:
    return render_certificate(CERTIFICATE)


def test_certificate_carries_the_certificate_details(certificate: bytes) -> None:
    text = page_text(certificate)
    for expected in (
        "SERTIFIKAT",
        "Nomor: LNT/2026/PP-101/000123",
        "diberikan kepada",
        "Andi Ridwan Lamakarate, S.Sos.",
        "NIP : 19850315 201001 2 003",
        "Pangkat/Golongan : Penata Tingkat I (III/d)",
        "Pelayanan Publik Prima bagi Aparatur Sipil Negara",
        "kode PP-101",
        "6 JP (270 menit)",
        "28 November 2026",
        "nilai akhir 87",
        "Palu, 28 November 2026",
        "Dra. Siti Rahmawati, M.Si.",
        "Pindai untuk memverifikasi keaslian sertifikat ini",
        VERIFY_URL,
    ):
        assert expected in text
    assert "Kompetensi Teknis".casefold() in text.casefold()


def test_certificate_is_one_a4_landscape_page(certificate: bytes) -> None:
    reader = read(certificate)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(842, abs=1)
    assert float(box.height) == pytest.approx(595, abs=1)


def test_certificate_qr_code_encodes_the_verify_url(certificate: bytes) -> None:
    images = read(certificate).pages[0].images
    assert len(images) == 1
    picture = images[0].image
    assert picture is not None
    grey = picture.convert("1")  # pure black and white: a pixel is 0 or 255
    expected = [
        [bool(v) for v in row] for row in segno.make(VERIFY_URL, error="m").matrix_iter(border=0)
    ]
    size = len(expected)
    step = grey.width / size
    # Sample the centre of every module and compare with the symbol segno makes for the URL.
    seen = [
        [
            grey.getpixel((int((col + 0.5) * step), int((row + 0.5) * step))) == 0
            for col in range(size)
        ]
        for row in range(size)
    ]
    assert seen == expected


def test_pppk_certificate_labels_the_number_ni_pppk() -> None:
    pppk = replace(CERTIFICATE, employee_type="PPPK", nip="199001012021212001")
    text = page_text(render_certificate(pppk))
    assert "NI PPPK : 19900101 202121 2 001" in text
    assert "NIP :" not in text


def test_long_title_and_non_latin1_name_render_on_one_page() -> None:
    title = ("Pengelolaan Arsip Dinamis dan Statis Berbasis Elektronik " * 5)[:200]
    data = replace(CERTIFICATE, full_name="Nur ʿAisyah — Ŝ", course_title=title)
    pdf = render_certificate(data)
    assert len(read(pdf).pages) == 1
    text = page_text(pdf)
    assert "Nur 'Aisyah - S" in text
    assert flat(title) in flat(text)


def test_text_too_long_for_its_box_is_cut_with_an_ellipsis_on_one_page() -> None:
    data = replace(
        CERTIFICATE,
        full_name="W" * 300,  # one unbreakable word
        course_title="Pelatihan sangat panjang " * 40,
        jabatan="Jabatan fungsional yang sangat panjang " * 10,
    )
    pdf = render_certificate(data)
    assert len(read(pdf).pages) == 1
    assert "..." in page_text(pdf)


def test_certificate_is_reproducible(certificate: bytes) -> None:
    assert render_certificate(CERTIFICATE) == certificate


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("Nur ʿAisyah — Ŝ", "Nur 'Aisyah - S"),
        ("“Prima” ‘ASN’ – 2026…", "\"Prima\" 'ASN' - 2026..."),
        ("Évi Müller, S.Kom.", "Évi Müller, S.Kom."),  # Latin-1 letters stay
        ("Đặng Thị Ngọc", "Dang Thi Ngoc"),
        ("Łukasz Œuvre", "Lukasz OEuvre"),
        ("王 芳", "? ?"),
        ("baris\nbaru\tdan\x07bel", "baris baru danbel"),
        ("ﬁtri", "fitri"),  # a ligature decomposes
    ],
)
def test_pdf_text_reduces_any_text_to_latin1(raw: str, safe: str) -> None:
    assert pdf_text(raw) == safe
    pdf_text(raw).encode("latin-1")


def test_fitted_lines_never_exceed_their_box() -> None:
    pdf = FPDF()
    pdf.add_page()
    text = "Pelatihan Kepemimpinan Pengawas Angkatan XII " * 8 + "X" * 200
    size, lines = fit_lines(
        pdf, text, 80, family="Helvetica", style="B", max_size=18, min_size=10, max_lines=3
    )
    assert size == 10
    assert len(lines) == 3
    assert lines[-1].endswith("...")
    pdf.set_font("Helvetica", "B", size)
    assert all(pdf.get_string_width(line) <= 80 for line in lines)


def test_short_text_keeps_the_largest_size_on_one_line() -> None:
    pdf = FPDF()
    pdf.add_page()
    assert fit_lines(pdf, "Pelayanan Prima", 200, family="Helvetica", max_size=18, min_size=10) == (
        18,
        ["Pelayanan Prima"],
    )


# --- learning record --------------------------------------------------------------------------


def entry(n: int, jp: int = 2, certificate: str | None = "LNT/2026/PP-101/000123") -> RecordEntry:
    return RecordEntry(
        title=f"Pelatihan Pelayanan Publik ke-{n}",
        category="teknis",
        jp=jp,
        completed_on=date(2026, 1, 1) + timedelta(days=n),
        source="Lentera" if n % 2 else "LAN RI",
        certificate_number=certificate,
    )


RECORD = LearningRecord(
    full_name="Nur ʿAisyah",
    nip="198503152010012003",
    unit_kerja="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    year=2026,
    entries=(entry(1, jp=6, certificate=None),),
    generated_on=date(2026, 11, 28),
)


def test_record_shows_identity_entries_and_shortfall() -> None:
    pdf = render_learning_record(RECORD)
    reader = read(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((595, 842), abs=1)
    text = page_text(pdf)
    for expected in (
        "RIWAYAT BELAJAR",
        "Tahun 2026",
        "Nur 'Aisyah",
        "19850315 201001 2 003",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "6 JP dari target 20 JP",
        "Kurang 14 JP",
        "No Pelatihan Kategori Penyelenggara Tanggal selesai JP No. sertifikat",
        "Pelatihan Pelayanan Publik ke-1",
        "Teknis",
        "2 Jan 2026",
        "Jumlah 6",
        "Halaman 1 dari 1",
    ):
        assert expected in flat(text)


def test_record_reaching_the_target_says_so() -> None:
    record = replace(RECORD, entries=tuple(entry(n, jp=5) for n in range(4)))
    text = flat(page_text(render_learning_record(record)))
    assert "20 JP dari target 20 JP" in text
    assert "Target tercapai" in text
    assert "Kurang" not in text


def test_record_target_can_be_changed() -> None:
    text = flat(page_text(render_learning_record(replace(RECORD, jp_target=40))))
    assert "Kurang 34 JP" in text


def test_record_with_many_entries_repeats_the_table_headings_on_every_page() -> None:
    record = replace(RECORD, entries=tuple(entry(n) for n in range(60)))
    pdf = render_learning_record(record)
    reader = read(pdf)
    pages = len(reader.pages)
    assert pages > 1
    for number, page in enumerate(reader.pages, start=1):
        text = flat(page.extract_text())
        assert "No Pelatihan Kategori Penyelenggara Tanggal selesai JP No. sertifikat" in text
        assert f"Halaman {number} dari {pages}" in text
    everything = flat(page_text(pdf))
    assert "120 JP dari target 20 JP" in everything
    assert "Jumlah 120" in everything
    assert all(f"Pelatihan Pelayanan Publik ke-{n} " in everything for n in range(60))


def test_record_lists_entries_by_completion_date() -> None:
    record = replace(RECORD, entries=(entry(9), entry(3), entry(5)))
    text = flat(page_text(render_learning_record(record)))
    positions = [text.index(f"Pelatihan Pelayanan Publik ke-{n} ") for n in (3, 5, 9)]
    assert positions == sorted(positions)
    assert "1 Pelatihan Pelayanan Publik ke-3 " in text


def test_record_without_entries_says_nothing_is_recorded() -> None:
    text = flat(page_text(render_learning_record(replace(RECORD, entries=()))))
    assert "Belum ada pelatihan yang tercatat pada tahun 2026." in text
    assert "Kurang 20 JP" in text
    assert "No. sertifikat" not in text


def test_pppk_record_labels_the_number_ni_pppk() -> None:
    record = replace(RECORD, employee_type="PPPK", nip="199001012021212001")
    assert "NI PPPK : 19900101 202121 2 001" in page_text(render_learning_record(record))
