"""Learning-record PDFs, read back with pypdf (certificates: test_certificate_pdf.py)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from app.learning.pdf_record import LearningRecord, RecordEntry, render_learning_record


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in read(pdf).pages)


def flat(text: str) -> str:
    """Text with line breaks as spaces, for phrases that may wrap."""
    return " ".join(text.split())


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
