"""Checks across courses: duplicate codes, unknown prerequisites, cycles; broken ones left out."""

from __future__ import annotations

from pathlib import Path

from app.content.format.loader import load_library
from tests.content.helpers import COURSE_YAML, find, make_course


def _course(root: Path, folder: str, code: str, prerequisites: str = "[]") -> None:
    text = COURSE_YAML.replace("TST-101", code).replace(
        "prasyarat: []", f"prasyarat: {prerequisites}"
    )
    make_course(root, {"kursus.yaml": text}, folder=folder)


def test_duplicate_codes_name_both_folders_and_leave_both_out(tmp_path: Path) -> None:
    _course(tmp_path, "kursus-a", "AAA-101")
    _course(tmp_path, "kursus-b", "AAA-101")
    _course(tmp_path, "kursus-c", "CCC-101")
    library = load_library(tmp_path)
    assert list(library.courses) == ["CCC-101"]
    assert sorted(library.broken) == ["kursus-a", "kursus-b"]
    problem = find(library.broken["kursus-a"], "Kode AAA-101 juga dipakai oleh folder kursus-b")
    assert (problem.path, problem.line) == ("kursus-a/kursus.yaml", 1)
    find(library.broken["kursus-b"], "juga dipakai oleh folder kursus-a")


def test_unknown_prerequisite_is_an_error_with_a_guess(tmp_path: Path) -> None:
    _course(tmp_path, "komunikasi", "KOM-101")
    _course(tmp_path, "kepemimpinan", "MWK-201", "[KOM-110]")
    library = load_library(tmp_path)
    assert list(library.courses) == ["KOM-101"]
    problem = find(library.problems, "Prasyarat KOM-110 tidak dikenal")
    assert (problem.path, problem.line) == ("kepemimpinan/kursus.yaml", 12)
    assert "Mungkin maksud Anda KOM-101?" in problem.message


def test_prerequisite_cycle_is_named(tmp_path: Path) -> None:
    _course(tmp_path, "a", "AAA-101", "[BBB-101]")
    _course(tmp_path, "b", "BBB-101", "[CCC-101]")
    _course(tmp_path, "c", "CCC-101", "[AAA-101]")
    _course(tmp_path, "d", "DDD-101", "[AAA-101]")
    library = load_library(tmp_path)
    assert sorted(library.broken) == ["a", "b", "c"]
    assert list(library.courses) == ["DDD-101"]
    for folder in ("a", "b", "c"):
        problem = find(library.broken[folder], "AAA-101 -> BBB-101 -> CCC-101 -> AAA-101")
        assert problem.line == 12


def test_prerequisite_that_is_broken_is_a_warning(tmp_path: Path) -> None:
    _course(tmp_path, "komunikasi", "KOM-101")
    (tmp_path / "komunikasi" / "tes-akhir.md").unlink()
    _course(tmp_path, "kepemimpinan", "MWK-201", "[KOM-101]")
    library = load_library(tmp_path)
    assert list(library.courses) == ["MWK-201"] and list(library.broken) == ["komunikasi"]
    problem = find(library.problems, "Kursus prasyarat KOM-101 sedang bermasalah")
    assert problem.severity == "warning"


def test_broken_course_is_left_out_and_the_others_still_load(tmp_path: Path) -> None:
    _course(tmp_path, "baik", "BAIK-101")
    make_course(tmp_path, {"01-pengantar.md": "tanpa kepala berkas"}, folder="rusak")
    (tmp_path / "bukan-kursus").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "README.md").write_text("Folder materi", encoding="utf-8")
    library = load_library(tmp_path)
    assert list(library.courses) == ["BAIK-101"]
    assert sorted(library.broken) == ["bukan-kursus", "rusak"]
    assert library.broken["rusak"][0].path == "rusak/01-pengantar.md"
    assert library.error_count == 2 and library.warning_count == 0


def test_checking_one_course_reports_only_that_course(tmp_path: Path) -> None:
    _course(tmp_path, "komunikasi", "KOM-101")
    make_course(tmp_path, {"tes-akhir.md": None}, folder="rusak")
    _course(tmp_path, "kepemimpinan", "MWK-201", "[KOM-101]")
    library = load_library(tmp_path, course="kepemimpinan")
    assert list(library.courses) == ["MWK-201"] and library.problems == []
