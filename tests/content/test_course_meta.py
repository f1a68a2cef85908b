"""Mistakes in kursus.yaml: each reported with its line and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content.format.loader import load_course
from tests.content.helpers import COURSE_YAML, assert_problem, load, make_course


def _yaml(old: str, new: str) -> str:
    assert old in COURSE_YAML
    return COURSE_YAML.replace(old, new)


def test_valid_course_loads_with_every_field(tmp_path: Path) -> None:
    result = load(tmp_path)
    assert result.problems == []
    course = result.course
    assert course is not None
    assert (course.code, course.title, course.category, course.jp) == (
        "TST-101",
        "Kursus Uji",
        "teknis",
        1,
    )
    assert (course.level, course.authors, course.version) == ("dasar", ("Penguji",), "1.0")
    assert (course.passing_score, course.score_policy, course.prerequisites) == (70, "terbaik", ())
    assert course.folder == "kursus-uji" and len(course.content_hash) == 64


def test_course_file_that_is_not_utf8_is_reported_at_the_first_bad_line(tmp_path: Path) -> None:
    data = COURSE_YAML.replace("Kursus Uji", "Kursus Ujï").encode("latin-1")
    assert_problem(load(tmp_path, {"kursus.yaml": data}), "UTF-8", 2, file="kursus.yaml")


def test_tab_indentation_is_explained(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": _yaml("  - Penguji", "\t- Penguji")})
    assert_problem(result, "karakter Tab", 8)


def test_colon_inside_unquoted_text_asks_for_quotes(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": _yaml("judul: Kursus Uji", "judul: Uji: Satu")})
    assert_problem(result, "Apit seluruh teks itu dengan tanda kutip", 2)


def test_course_file_that_is_a_list_is_rejected(tmp_path: Path) -> None:
    assert_problem(load(tmp_path, {"kursus.yaml": "- kode\n- judul\n"}), "kunci: nilai", 1)


def test_missing_required_key_names_it_with_an_example(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": _yaml("jp: 1\n", "")})
    assert_problem(result, "Kunci jp belum ditulis. Tambahkan baris seperti: jp: 2", 1)


def test_unknown_key_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": COURSE_YAML + "judull: Salah Ketik\n"})
    problem = assert_problem(
        result, "Kunci judull tidak dikenal", 13, file="kursus.yaml", severity="warning"
    )
    assert "Mungkin maksud Anda judul?" in problem.message
    assert result.course is not None


@pytest.mark.parametrize(
    ("old", "new", "fragment", "line"),
    [
        ("kategori: teknis", "kategori: teknik", "Mungkin maksud Anda teknis?", 4),
        ("kategori: teknis", "kategori: umum", "Pilih salah satu: teknis, manajerial", 4),
        ("jp: 1", "jp: 0", "paling kecil 1 (tertulis: 0)", 5),
        ("jp: 1", "jp: dua", "harus angka bulat saja", 5),
        ("jp: 1", "jp: 1.5", "harus angka bulat saja", 5),
        ("tingkat: dasar", "tingkat: mahir", "Isi tingkat tidak dikenal", 6),
        ('versi: "1.0"', "versi: 1.10", 'versi: "1.1"', 9),
        ("nilai_lulus: 70", "nilai_lulus: 120", "0 sampai 100 (tertulis: 120)", 10),
        ("nilai_dihitung: terbaik", "nilai_dihitung: rata-rata", "terbaik, terakhir", 11),
        ("kode: TST-101", "kode: tst 101", "Kode kursus tst 101 tidak sah", 1),
        ("prasyarat: []", "prasyarat: [TST-101]", "prasyarat bagi dirinya sendiri", 12),
        ("prasyarat: []", "prasyarat: [kom101]", "bukan kode kursus yang sah", 12),
        ("  - Penguji", "  -", "Isi penulis harus daftar nama", 7),
        ("ringkasan: Kursus kecil untuk pengujian.", "ringkasan:", "Isi ringkasan masih kosong", 3),
    ],
)
def test_wrong_value_is_reported_on_its_line(
    tmp_path: Path, old: str, new: str, fragment: str, line: int
) -> None:
    assert_problem(load(tmp_path, {"kursus.yaml": _yaml(old, new)}), fragment, line)


def test_key_written_twice_is_an_error(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": COURSE_YAML + "jp: 2\n"})
    assert_problem(result, "Kunci jp ditulis dua kali (juga di baris 5)", 13)


def test_category_is_forgiven_for_case_and_spaces(tmp_path: Path) -> None:
    result = load(
        tmp_path, {"kursus.yaml": _yaml("kategori: teknis", "kategori: Sosial  Kultural")}
    )
    assert result.course is not None and result.course.category == "sosial kultural"


def test_missing_prerequisites_key_means_none(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": _yaml("prasyarat: []\n", "")})
    assert result.course is not None and result.course.prerequisites == ()


def test_folder_without_course_file_is_reported(tmp_path: Path) -> None:
    folder = make_course(tmp_path, {"kursus.yaml": None, "kursus.yml": COURSE_YAML})
    result = load_course(folder, tmp_path)
    assert result.course is None
    assert "Ganti nama kursus.yml menjadi kursus.yaml" in result.problems[0].message
    assert result.problems[0].path == "kursus-uji/kursus.yml"  # the file to rename


def test_course_md_instead_of_course_file_is_reported_on_course_md(tmp_path: Path) -> None:
    folder = make_course(tmp_path, {"kursus.yaml": None, "course.md": COURSE_YAML})
    result = load_course(folder, tmp_path)
    assert [(p.path, p.line) for p in result.problems] == [("kursus-uji/course.md", None)]
    assert "Ganti nama course.md menjadi kursus.yaml" in result.problems[0].message


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = _yaml("jp: 1", "jp: 0").replace("nilai_lulus: 70", "nilai_lulus: -1")
    result = load(tmp_path, {"kursus.yaml": text, "tes-akhir.md": None})
    found = [(p.path, p.line) for p in result.problems if p.is_error]
    assert found == [
        ("kursus-uji/kursus.yaml", 5),
        ("kursus-uji/kursus.yaml", 10),
        ("kursus-uji/tes-akhir.md", None),
    ]
