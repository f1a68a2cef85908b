"""kursus.yaml `perilaku_diamati`: read into the spec, every bad item an error at its line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content import store
from app.content.models import Course
from tests.content.helpers import COURSE_YAML, assert_problem, load, make_course

# COURSE_YAML has 12 lines: the key is on line 13, its first item on line 14.
BEHAVIOURS = """\
perilaku_diamati:
  - Menyapa warga dan menanyakan keperluannya sebelum memeriksa berkas.
  - >
    Menjelaskan persyaratan yang kurang beserta
    cara melengkapinya.
  - Mencatat pengaduan warga di kanal resmi pada hari yang sama.
"""


def test_behaviours_are_read_in_order_with_spaces_tidied(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": COURSE_YAML + BEHAVIOURS})
    assert result.problems == []
    assert result.course is not None
    assert result.course.observed_behaviours == (
        "Menyapa warga dan menanyakan keperluannya sebelum memeriksa berkas.",
        "Menjelaskan persyaratan yang kurang beserta cara melengkapinya.",
        "Mencatat pengaduan warga di kanal resmi pada hari yang sama.",
    )


def test_a_course_without_the_key_has_no_behaviours(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": COURSE_YAML})
    assert result.course is not None
    assert result.course.observed_behaviours == ()


def test_behaviours_that_are_not_a_list_are_an_error_at_the_key(tmp_path: Path) -> None:
    text = COURSE_YAML + "perilaku_diamati: Menyapa warga dengan ramah.\n"
    result = load(tmp_path, {"kursus.yaml": text})
    assert result.course is None
    assert_problem(result, "perilaku_diamati tidak dapat dibaca", 13, file="kursus.yaml")
    empty = load(tmp_path, {"kursus.yaml": COURSE_YAML + "perilaku_diamati: []\n"})
    assert_problem(empty, "perilaku_diamati tidak dapat dibaca", 13)


def test_each_bad_item_is_an_error_at_its_own_line(tmp_path: Path) -> None:
    text = COURSE_YAML + (
        "perilaku_diamati:\n"
        "  - Menyapa warga dan menanyakan keperluannya.\n"  # 14: fine
        "  - Ramah\n"  # 15: too short
        "  - judul: bukan kalimat\n"  # 16: a mapping
        "  - menyapa warga   dan menanyakan keperluannya.\n"  # 17: the first again
    )
    result = load(tmp_path, {"kursus.yaml": text})
    assert result.course is None
    assert_problem(result, "Perilaku ke-2 terdiri dari 5 karakter", 15)
    assert_problem(result, "Perilaku ke-3 bukan kalimat", 16)
    assert_problem(result, "Perilaku ke-4 sama dengan perilaku ke-1", 17)


def test_more_than_ten_behaviours_is_an_error(tmp_path: Path) -> None:
    items = "".join(f"  - Perilaku nomor {n} yang dapat diamati.\n" for n in range(1, 12))
    result = load(tmp_path, {"kursus.yaml": COURSE_YAML + "perilaku_diamati:\n" + items})
    assert_problem(result, "memuat 11 butir; paling banyak 10", 13)


def test_a_misspelt_key_is_a_warning_with_a_guess(tmp_path: Path) -> None:
    text = COURSE_YAML + BEHAVIOURS.replace("perilaku_diamati", "perilaku_diamat")
    result = load(tmp_path, {"kursus.yaml": text})
    problem = assert_problem(result, "Mungkin maksud Anda perilaku_diamati", 13, severity="warning")
    assert problem.path.endswith("kursus.yaml")


def test_published_version_keeps_the_behaviours(session: Session, tmp_path: Path) -> None:
    make_course(tmp_path, {"kursus.yaml": COURSE_YAML + BEHAVIOURS})
    store.import_library(session, tmp_path)
    course = session.scalar(select(Course).where(Course.code == "TST-101"))
    assert course is not None and course.current_version is not None
    assert course.current_version.observed_behaviours == [
        "Menyapa warga dan menanyakan keperluannya sebelum memeriksa berkas.",
        "Menjelaskan persyaratan yang kurang beserta cara melengkapinya.",
        "Mencatat pengaduan warga di kanal resmi pada hari yang sama.",
    ]
