"""The study-rule keys of the course format: `tes_awal_wajib` and `waktu_minimal_persen` in
kursus.yaml, `waktu_minimal_persen` in a module's front matter (docs/content-format.md)."""

from __future__ import annotations

from pathlib import Path

from app.content.format.specs import DEFAULT_MIN_TIME_PERCENT
from tests.content.helpers import COURSE_YAML, MODULE, assert_problem, load


def test_rules_default_to_pretest_first_and_thirty_percent(tmp_path: Path) -> None:
    course = load(tmp_path).course
    assert course is not None
    assert course.pretest_required is True and course.min_time_percent == 30
    assert DEFAULT_MIN_TIME_PERCENT == 30
    assert course.modules[0].min_time_percent is None  # the course's value applies


def test_course_and_module_set_their_own_rules(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "kursus.yaml": COURSE_YAML + "tes_awal_wajib: tidak\nwaktu_minimal_persen: 50\n",
            "01-pengantar.md": MODULE.replace(
                "menit: 10\n", "menit: 10\nwaktu_minimal_persen: 0\n"
            ),
        },
    )
    assert result.problems == []
    course = result.course
    assert course is not None
    assert (course.pretest_required, course.min_time_percent) == (False, 50)
    assert course.modules[0].min_time_percent == 0


def test_pretest_rule_takes_ya_or_tidak(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": COURSE_YAML + "tes_awal_wajib: mungkin\n"})
    assert_problem(result, "Isi tes_awal_wajib harus ya atau tidak (tertulis: mungkin).", 13)


def test_minimum_share_must_be_a_percentage(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": COURSE_YAML + "waktu_minimal_persen: 150\n"})
    assert_problem(result, "waktu_minimal_persen harus angka bulat 0 sampai 100", 13)
    module = MODULE.replace("menit: 10\n", "menit: 10\nwaktu_minimal_persen: 30%\n")
    result = load(tmp_path, {"01-pengantar.md": module})
    assert_problem(result, "waktu_minimal_persen harus angka bulat saja", 4, file="01-pengantar.md")


def test_requiring_a_pretest_the_course_does_not_have_is_an_error(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": COURSE_YAML + "tes_awal_wajib: ya\n"})
    assert_problem(result, "tidak memiliki tes-awal.md", 13)
