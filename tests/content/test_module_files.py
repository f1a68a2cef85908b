"""Mistakes in module files, file names and referenced files: message fragment and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content.format import assets
from tests.content.helpers import BODY, FINAL_TEST, assert_problem, load, module, png


def test_module_name_without_two_digit_prefix_gets_a_suggested_name(tmp_path: Path) -> None:
    result = load(tmp_path, {"2-Bab Dua.md": module(BODY)})
    problem = assert_problem(result, "Nama berkas 2-Bab Dua.md tidak dikenali", None)
    assert "Usul nama: 02-bab-dua.md" in problem.message


def test_misspelt_final_test_name_is_recognised(tmp_path: Path) -> None:
    result = load(tmp_path, {"tes-akhir.md": None, "tes_akhir.md": FINAL_TEST})
    assert_problem(result, "Mungkin maksud Anda tes-akhir.md?", None, file="tes_akhir.md")
    assert_problem(result, "belum memiliki tes akhir", None, file="tes-akhir.md")


def test_two_modules_with_the_same_number_are_an_error(tmp_path: Path) -> None:
    result = load(tmp_path, {"01-lain.md": module(BODY)})
    assert_problem(
        result, "Nomor urut 01 sudah dipakai oleh 01-lain.md", None, file="01-pengantar.md"
    )


def test_practice_quiz_without_its_module_is_an_error(tmp_path: Path) -> None:
    result = load(tmp_path, {"01-pengantr.kuis.md": FINAL_TEST})
    problem = assert_problem(result, "tidak memiliki modul 01-pengantr.md", None)
    assert "Mungkin modulnya 01-pengantar.md?" in problem.message


def test_course_without_modules_is_an_error(tmp_path: Path) -> None:
    assert_problem(load(tmp_path, {"01-pengantar.md": None}), "belum memiliki modul", None)


def test_missing_front_matter_is_reported_on_line_1(tmp_path: Path) -> None:
    result = load(tmp_path, {"01-pengantar.md": "judul: Pengantar\n\n" + BODY})
    assert_problem(result, "baris --- di awal terlupa", 1, file="01-pengantar.md")


def test_unclosed_front_matter_is_reported(tmp_path: Path) -> None:
    text = "---\njudul: Pengantar\nmenit: 10\njenis: bacaan\n\n" + BODY
    assert_problem(load(tmp_path, {"01-pengantar.md": text}), "tidak pernah ditutup", 1)


def test_yaml_error_in_front_matter_points_at_the_file_line(tmp_path: Path) -> None:
    text = module(BODY).replace("menit: 10", "menit: 10\n\tjenis: x")
    assert_problem(load(tmp_path, {"01-pengantar.md": text}), "karakter Tab", 4)


@pytest.mark.parametrize(
    ("old", "new", "fragment", "line"),
    [
        ("menit: 10", "menit: 0", "Isi menit harus angka bulat paling kecil 1", 3),
        ("menit: 10", "menit: sepuluh", "Isi menit harus angka bulat saja", 3),
        ("jenis: bacaan", "jenis: bacan", "Mungkin maksud Anda bacaan?", 4),
        ("menit: 10\n", "", "Kunci menit belum ditulis", 2),
    ],
)
def test_wrong_module_keys_are_reported(
    tmp_path: Path, old: str, new: str, fragment: str, line: int
) -> None:
    text = module(BODY).replace(old, new)
    assert_problem(load(tmp_path, {"01-pengantar.md": text}), fragment, line)


def test_unknown_module_key_is_a_warning(tmp_path: Path) -> None:
    text = module(BODY).replace("jenis: bacaan", "jenis: bacaan\nmenitt: 5")
    assert_problem(
        load(tmp_path, {"01-pengantar.md": text}),
        "Mungkin maksud Anda menit?",
        5,
        severity="warning",
    )


def test_empty_module_body_is_an_error(tmp_path: Path) -> None:
    assert_problem(load(tmp_path, {"01-pengantar.md": module("\n\n")}), "Isi modul ini kosong", 6)


def test_very_short_module_is_a_warning(tmp_path: Path) -> None:
    result = load(tmp_path, {"01-pengantar.md": module("Hanya beberapa kata saja.")})
    assert_problem(result, "sangat pendek (4 kata)", 6, severity="warning")
    assert result.course is not None


def test_repeated_title_as_h1_is_a_warning(tmp_path: Path) -> None:
    result = load(tmp_path, {"01-pengantar.md": module(f"# Modul Uji\n\n{BODY}")})
    assert_problem(result, "Judul # tidak dipakai", 7, severity="warning")


def test_link_to_a_module_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    body = f"{BODY}\n\nLihat juga\n[modul tiga](03-tidak-ada.md)."
    result = load(tmp_path, {"01-pengantar.md": module(body)})
    assert_problem(result, "Modul 03-tidak-ada.md tidak ada", 10, file="01-pengantar.md")


def test_link_to_a_missing_attachment_is_an_error(tmp_path: Path) -> None:
    body = f"{BODY}\n\n[Unduh formulir](lampiran/formulir.pdf)"
    result = load(tmp_path, {"01-pengantar.md": module(body)})
    assert_problem(result, "Berkas lampiran/formulir.pdf tidak ditemukan", 9)


def test_missing_image_is_an_error(tmp_path: Path) -> None:
    body = f"{BODY}\n\n![Alur layanan](gambar/alur.png)"
    assert_problem(load(tmp_path, {"01-pengantar.md": module(body)}), "Gambar gambar/alur.png", 9)


def test_image_name_with_wrong_case_suggests_the_real_name(tmp_path: Path) -> None:
    body = f"{BODY}\n\n![Alur layanan](Gambar/Alur.PNG)"
    result = load(tmp_path, {"01-pengantar.md": module(body), "gambar/alur.png": png(4, 3)})
    problem = assert_problem(result, "Gambar Gambar/Alur.PNG tidak ditemukan", 9)
    assert "Mungkin maksud Anda gambar/alur.png?" in problem.message


def test_image_without_alt_text_is_a_warning(tmp_path: Path) -> None:
    body = f"{BODY}\n\n![](gambar/alur.png)"
    result = load(tmp_path, {"01-pengantar.md": module(body), "gambar/alur.png": png(4, 3)})
    assert_problem(result, "Gambar tanpa teks alternatif", 9, severity="warning")


def test_external_image_is_an_error(tmp_path: Path) -> None:
    body = f"{BODY}\n\n![Logo](https://contoh.go.id/logo.png)"
    assert_problem(load(tmp_path, {"01-pengantar.md": module(body)}), "Gambar dari situs luar", 9)


def test_pdf_used_as_an_image_is_an_error(tmp_path: Path) -> None:
    body = f"{BODY}\n\n![Formulir](lampiran/formulir.pdf)"
    files: dict[str, str | bytes | None] = {
        "01-pengantar.md": module(body),
        "lampiran/formulir.pdf": b"%PDF-1.4\n",
    }
    assert_problem(load(tmp_path, files), "lampiran/formulir.pdf bukan gambar", 9)


def test_file_type_outside_the_allow_list_is_an_error(tmp_path: Path) -> None:
    body = f"{BODY}\n\n[Materi](lampiran/materi.docx)"
    files: dict[str, str | bytes | None] = {
        "01-pengantar.md": module(body),
        "lampiran/materi.docx": b"PK",
    }
    result = load(tmp_path, files)
    assert_problem(result, "berjenis .docx yang tidak didukung", 9, file="01-pengantar.md")
    assert_problem(result, "Jenis berkas .docx tidak didukung", None, file="lampiran/materi.docx")


def test_image_over_the_size_limit_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets, "IMAGE_LIMIT", 10)
    body = f"{BODY}\n\n![Alur layanan](gambar/alur.png)"
    result = load(tmp_path, {"01-pengantar.md": module(body), "gambar/alur.png": png(60, 60)})
    assert_problem(result, "melebihi batas", None, file="gambar/alur.png")


def test_svg_with_a_script_is_refused(tmp_path: Path) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>x()</script></svg>'
    )
    body = f"{BODY}\n\n![Alur layanan](gambar/alur.svg)"
    result = load(tmp_path, {"01-pengantar.md": module(body), "gambar/alur.svg": svg})
    assert_problem(result, "memuat skrip", None, file="gambar/alur.svg")


def test_unused_image_is_a_warning(tmp_path: Path) -> None:
    result = load(tmp_path, {"gambar/lama.png": png(2, 2)})
    assert_problem(result, "tidak dipakai", None, file="gambar/lama.png", severity="warning")


def test_stray_file_beside_the_modules_is_a_warning(tmp_path: Path) -> None:
    result = load(tmp_path, {"catatan.txt": "draf"})
    assert_problem(result, "tidak dikenali dan diabaikan", None, severity="warning")


def test_hidden_files_and_readme_are_ignored(tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {
        ".DS_Store": b"\x00\x01",
        "README.md": "Catatan penyusun",
        "gambar/.thumbs": b"x",
    }
    assert load(tmp_path, files).problems == []


def test_missing_final_test_is_an_error(tmp_path: Path) -> None:
    assert_problem(load(tmp_path, {"tes-akhir.md": None}), "belum memiliki tes akhir", None)


@pytest.mark.parametrize(
    ("href", "fragment"),
    [
        ("javascript:alert(1)", "Alamat jenis javascript: tidak diizinkan"),
        ("data:text/html,hai", "Alamat jenis data: tidak diizinkan"),
        ("C:\\Users\\guru\\foto.png", "menunjuk berkas di komputer Anda"),
        ("/gambar/alur.png", "diawali garis miring"),
        ("../kursus-lain/01-a.md", "keluar dari folder kursus"),
        ("01-pengantar.kuis.md", "Tautan ke kuis latihan"),
        ("catatan.md", "tidak dikenali: tautan antarmodul"),
        ("tes-awal.md", "tes-awal.md tidak ada di kursus ini"),
    ],
)
def test_links_that_cannot_work_are_errors(tmp_path: Path, href: str, fragment: str) -> None:
    body = f"{BODY}\n\n[tautan]({href})"
    assert_problem(load(tmp_path, {"01-pengantar.md": module(body)}), fragment, 9)


def test_link_to_a_missing_section_of_another_module_is_a_warning(tmp_path: Path) -> None:
    second = module(f"## Bagian Ada\n\n{BODY}")
    first = module(f"{BODY}\n\n[lihat](02-kedua.md#bagian-tidak-ada)")
    result = load(tmp_path, {"01-pengantar.md": first, "02-kedua.md": second})
    problem = assert_problem(result, "Bagian #bagian-tidak-ada tidak ada", 9, severity="warning")
    assert "bagian-ada" in problem.message


def test_situations_in_a_module_that_is_not_a_simulation_are_an_error(tmp_path: Path) -> None:
    body = f"{BODY}\n\n## Situasi: mulai\nCerita."
    assert_problem(load(tmp_path, {"01-pengantar.md": module(body)}), "jenisnya bacaan", 9)


def test_raw_html_is_a_warning_because_it_shows_as_text(tmp_path: Path) -> None:
    body = f"{BODY}\n\nIni <b>tebal</b>."
    result = load(tmp_path, {"01-pengantar.md": module(body)})
    assert_problem(result, "Kode HTML <b> tidak didukung", 9, severity="warning")


def test_footnote_without_its_text_is_a_warning(tmp_path: Path) -> None:
    body = f"{BODY}\n\nMenurut undang-undang[^uu]."
    result = load(tmp_path, {"01-pengantar.md": module(body)})
    assert_problem(result, "Catatan kaki [^uu] tidak memiliki isi", 9, severity="warning")


def test_empty_link_text_is_a_warning(tmp_path: Path) -> None:
    second = module(BODY)
    result = load(
        tmp_path, {"01-pengantar.md": module(f"{BODY}\n\n[](02-kedua.md)"), "02-kedua.md": second}
    )
    assert_problem(result, "Teks tautan kosong", 9, severity="warning")


def test_windows_line_endings_and_bom_are_accepted(tmp_path: Path) -> None:
    text = "\ufeff" + module(f"{BODY}\n\n## Bagian\n\n[bawah](#bagian)").replace("\n", "\r\n")
    result = load(tmp_path, {"01-pengantar.md": text.encode("utf-8")})
    assert result.problems == []
