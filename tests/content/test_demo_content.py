"""The courses shipped in content/ and the example course of docs/content-format.md load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.content.format.loader import Library, load_course, load_library

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(CONTENT)


def test_demo_courses_load_without_errors(library: Library) -> None:
    for problem in library.problems:
        print(problem)  # warnings are allowed; shown with `pytest -s`
    assert [p for p in library.problems if p.is_error] == []
    assert library.broken == {}
    assert sorted(library.courses) == ["KOM-101", "MWK-201", "PDP-101", "PPP-101"]


@pytest.mark.parametrize(
    ("code", "folder", "modules", "pretest", "final", "draw"),
    [
        ("PPP-101", "pelayanan-publik-prima", 6, 10, 16, 10),
        ("KOM-101", "komunikasi-efektif-asn", 7, 10, 16, 10),
        ("MWK-201", "manajemen-waktu-kepemimpinan", 6, 10, 15, 10),
        ("PDP-101", "pelindungan-data-pribadi-layanan", 5, 10, 15, 10),
    ],
)
def test_demo_course_has_expected_modules_and_questions(
    library: Library, code: str, folder: str, modules: int, pretest: int, final: int, draw: int
) -> None:
    course = library.courses[code]
    assert course.folder == folder
    assert len(course.modules) == modules
    assert [m.position for m in course.modules] == list(range(1, modules + 1))
    assert course.pretest is not None and len(course.pretest.questions) == pretest
    assert len(course.final_test.questions) == final
    assert course.final_test.draw_count == draw


def test_practice_quizzes_are_attached_to_their_modules(library: Library) -> None:
    counts = {
        m.slug: len(m.practice_quiz.questions)
        for c in library.courses.values()
        for m in c.modules
        if m.practice_quiz is not None
    }
    assert counts == {
        "01-dasar-hukum-dan-asas": 5,
        "02-standar-dan-maklumat-pelayanan": 5,
        "03-pengaduan-dan-skm": 4,
        "04-pelayanan-inklusif": 6,
        "05-etika-dan-gratifikasi": 6,
        "01-dasar-komunikasi-pelayanan": 4,
        "02-mendengarkan-aktif-dan-empati": 6,
        "03-bahasa-yang-mudah-dipahami": 4,
        "04-komunikasi-tertulis-dan-digital": 5,
        "05-komunikasi-lintas-budaya-di-palu": 5,
        "06-percakapan-sulit-dan-keluhan": 3,
        "01-mengelola-waktu-dan-prioritas": 5,
        "02-delegasi-dan-coaching": 5,
        "03-memimpin-perubahan-dengan-data": 5,
        "04-kepemimpinan-krisis-dan-kolaborasi": 4,
        "05-studi-kasus-sepekan-kepala-seksi": 4,
        "02-meminta-dan-menyimpan-data-secukupnya": 3,
        "03-keamanan-informasi-sehari-hari": 3,
    }


def test_mwk_201_requires_kom_101(library: Library) -> None:
    assert library.courses["MWK-201"].prerequisites == ("KOM-101",)
    assert library.courses["KOM-101"].prerequisites == ()


def test_ppp_101_simulation_and_image_are_loaded(library: Library) -> None:
    course = library.courses["PPP-101"]
    simulation = course.modules[5].simulation
    assert simulation is not None and simulation.start == "mulai"
    assert len(simulation.situations) == 8
    assert course.assets == ("gambar/alur-pengaduan.svg",)
    assert 'width="760" height="200"' in course.modules[2].html


def test_every_question_kind_occurs_in_the_demo_final_tests(library: Library) -> None:
    kinds = {q.kind for c in library.courses.values() for q in c.final_test.questions}
    assert kinds == {"single", "multiple", "true_false", "short"}


def test_loading_twice_gives_equal_specs_and_hashes(library: Library) -> None:
    again = load_library(CONTENT)
    assert again.courses == library.courses


def test_example_course_in_the_trainers_guide_loads(tmp_path: Path) -> None:
    # docs/content-format.md section 8 shows a whole course; a guide whose example fails the
    # checker would teach trainers the wrong thing.
    guide = (REPO / "docs" / "content-format.md").read_text(encoding="utf-8")
    section = guide[guide.index("## 8.") : guide.index("## 9.")]
    blocks = re.findall(r"\*\*`([^`]+)`\*\*\s*\n\s*```\w*\n(.*?)\n```", section, re.DOTALL)
    assert {name for name, _ in blocks} == {
        "kursus.yaml",
        "01-etika-bertelepon.md",
        "02-simulasi-telepon.md",
        "tes-akhir.md",
    }
    folder = tmp_path / "menerima-telepon-warga"
    folder.mkdir()
    for name, text in blocks:
        (folder / name).write_text(text + "\n", encoding="utf-8")
    result = load_course(folder, tmp_path)
    assert [str(p) for p in result.problems if p.is_error] == []
    assert result.course is not None and result.course.code == "TLP-101"
    simulation = result.course.modules[1].simulation
    assert simulation is not None
    assert [s.is_ending for s in simulation.situations.values()] == [False, False, True, True]
