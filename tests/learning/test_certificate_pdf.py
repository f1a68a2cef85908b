"""The certificate PDF (both pages), read back with pypdf."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
import segno
from fpdf import FPDF
from pypdf import PdfReader

from app.learning.pdf_certificate import (
    CertificateData,
    ModuleLine,
    fit_lines,
    pdf_text,
    render_certificate,
)

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
    signatory_nip="196805121994032004",
    signatory_pangkat="Pembina Utama Muda (IV/c)",
    started_on=date(2026, 11, 20),
    issued_on=date(2026, 11, 29),
    modules=(
        ModuleLine("Konsep Pelayanan Publik", 40),
        ModuleLine("Standar Pelayanan dan Maklumat", 55),
        ModuleLine("Menangani Pengaduan", 35),
    ),
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
    text = flat(read(certificate).pages[0].extract_text())
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
        "e-learning mandiri dari tanggal 20 November 2026 sampai dengan 28 November 2026",
        "nilai akhir 87",
        "Palu, 29 November 2026",
        "Dra. Siti Rahmawati, M.Si.",
        "Pindai untuk memverifikasi keaslian sertifikat ini",
        VERIFY_URL,
    ):
        assert expected in text
    assert "Kompetensi Teknis".casefold() in text.casefold()


def test_certificate_is_two_a4_landscape_pages(certificate: bytes) -> None:
    reader = read(certificate)
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(842, abs=1)
        assert float(page.mediabox.height) == pytest.approx(595, abs=1)


def test_signature_block_prints_title_then_name_pangkat_and_nip(certificate: bytes) -> None:
    text = read(certificate).pages[0].extract_text()
    lines = [line.strip() for line in text.splitlines()]
    name = lines.index("Dra. Siti Rahmawati, M.Si.")
    assert lines[name + 1 : name + 3] == ["Pembina Utama Muda (IV/c)", "NIP. 19680512 199403 2 004"]
    title = "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Palu,"
    assert flat(title) in flat("\n".join(lines[:name]))


def test_second_page_lists_the_modules_minutes_total_and_learning_mode(certificate: bytes) -> None:
    text = flat(read(certificate).pages[1].extract_text())
    assert "DAFTAR MODUL PEMBELAJARAN" in text
    for row in (
        "1 Konsep Pelayanan Publik 40",
        "2 Standar Pelayanan dan Maklumat 55",
        "3 Menangani Pengaduan 35",
        "Jumlah waktu belajar (estimasi) 130",
    ):
        assert row in text
    assert "6 JP (270 menit" in text
    assert "Moda pembelajaran: e-learning mandiri" in text
    assert "Nomor sertifikat LNT/2026/PP-101/000123" in text


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
    assert "NIP. 19680512 199403 2 004" in text  # the signatory is a PNS


def test_long_title_and_non_latin1_name_render_on_the_first_page() -> None:
    title = ("Pengelolaan Arsip Dinamis dan Statis Berbasis Elektronik " * 5)[:200]
    data = replace(CERTIFICATE, full_name="Nur ʿAisyah — Ŝ", course_title=title)
    pdf = render_certificate(data)
    assert len(read(pdf).pages) == 2
    text = read(pdf).pages[0].extract_text()
    assert "Nur 'Aisyah - S" in text
    assert flat(title) in flat(text)


def test_text_too_long_for_its_box_is_cut_with_an_ellipsis_on_the_first_page() -> None:
    data = replace(
        CERTIFICATE,
        full_name="W" * 300,  # one unbreakable word
        course_title="Pelatihan sangat panjang " * 40,
        jabatan="Jabatan fungsional yang sangat panjang " * 10,
    )
    pdf = render_certificate(data)
    assert len(read(pdf).pages) == 2
    assert "..." in read(pdf).pages[0].extract_text()


def test_a_long_module_list_continues_on_a_third_page() -> None:
    modules = tuple(ModuleLine(f"Modul {n}", 30) for n in range(1, 41))
    pdf = render_certificate(replace(CERTIFICATE, modules=modules))
    reader = read(pdf)
    assert len(reader.pages) == 3
    assert "40 Modul 40 30" in flat(reader.pages[2].extract_text())


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
