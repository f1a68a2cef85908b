"""Simulation modules: structure, and each mistake with its line (the body starts at line 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content.format.loader import CourseLoad
from tests.content.helpers import assert_problem, dedent, load, module

INTRO = "Anda bertugas di loket kelurahan. Pilih tindakan yang paling tepat di setiap situasi.\n"

SCENARIO = """
Anda bertugas di loket kelurahan. Pilih tindakan yang paling tepat di setiap situasi.

## Situasi: mulai
Pak Amir datang dengan wajah kesal.

### Pilihan: Menyapa dan mendengarkan
Akibat: Pak Amir mulai tenang
dan menjelaskan masalahnya.
Umpan balik: Tepat.
Lanjut: akhir-baik

### Pilihan: Menyuruhnya menunggu
Akibat: Pak Amir marah.
Umpan balik: Kurang tepat.
Lanjut: akhir-buruk

### Pilihan: Memberi kepastian waktu
Akibat: Pak Amir pulang puas.
Umpan balik: Baik sekali.

## Situasi: akhir-baik
Masalah selesai.

## Situasi: akhir-buruk
Pak Amir menulis pengaduan.
"""


def _simulation(tmp_path: Path, body: str) -> CourseLoad:
    return load(tmp_path, {"01-pengantar.md": module(body, kind="simulasi")})


def test_scenario_is_parsed_into_situations_and_choices(tmp_path: Path) -> None:
    result = _simulation(tmp_path, SCENARIO)
    assert result.problems == []
    assert result.course is not None
    spec = result.course.modules[0]
    simulation = spec.simulation
    assert simulation is not None
    assert simulation.start == "mulai" and list(simulation.situations) == [
        "mulai",
        "akhir-baik",
        "akhir-buruk",
    ]
    assert spec.html == simulation.intro_html and "loket kelurahan" in spec.html and spec.toc == ()
    first = simulation.situations["mulai"]
    assert [c.next for c in first.choices] == ["akhir-baik", "akhir-buruk", None]
    assert first.choices[0].label == "Menyapa dan mendengarkan"
    assert (
        first.choices[0].consequence_html
        == "<p>Pak Amir mulai tenang\ndan menjelaskan masalahnya.</p>\n"
    )
    assert first.choices[0].feedback_html == "<p>Tepat.</p>\n"
    assert simulation.situations["akhir-baik"].is_ending
    assert len({c.id for c in first.choices}) == 3


def _check(tmp_path: Path, body: str, fragment: str, line: int, severity: str = "error") -> None:
    result = _simulation(tmp_path, body)
    assert_problem(result, fragment, line, file="01-pengantar.md", severity=severity)


def test_heading_in_the_introduction_is_an_error(tmp_path: Path) -> None:
    _check(
        tmp_path, "## Pengantar\n" + SCENARIO, "Pengantar simulasi tidak boleh memakai judul ##", 7
    )


def test_other_level_two_heading_after_the_situations_is_an_error(tmp_path: Path) -> None:
    _check(tmp_path, SCENARIO + "\n## Penutup\nTerima kasih.\n", "hanya dipakai untuk situasi", 33)


def test_duplicate_situation_id_is_an_error(tmp_path: Path) -> None:
    body = SCENARIO + "\n## Situasi: mulai\nLagi.\n"
    _check(tmp_path, body, "Id situasi mulai sudah dipakai di baris 9", 33)


def test_situation_id_that_is_not_a_slug_is_an_error(tmp_path: Path) -> None:
    body = SCENARIO.replace("akhir-buruk", "Akhir Buruk")
    _check(tmp_path, body, "Id situasi Akhir Buruk tidak sah", 30)


def test_next_to_an_unknown_situation_is_an_error_with_a_guess(tmp_path: Path) -> None:
    body = SCENARIO.replace("Lanjut: akhir-baik", "Lanjut: akhir-baek")
    _check(tmp_path, body, "Lanjut: akhir-baek menyebut situasi yang tidak ada", 16)
    assert (
        "Mungkin maksud Anda akhir-baik?" in _simulation(tmp_path / "x", body).problems[0].message
    )


def test_empty_next_is_an_error(tmp_path: Path) -> None:
    _check(tmp_path, SCENARIO.replace("Lanjut: akhir-baik", "Lanjut:"), "Baris Lanjut: kosong", 16)


def test_unreachable_situation_is_a_warning(tmp_path: Path) -> None:
    body = SCENARIO + "\n## Situasi: cadangan\nTidak pernah dicapai.\n"
    _check(tmp_path, body, "Situasi cadangan tidak dapat dicapai", 33, "warning")


@pytest.mark.parametrize("count", [1, 5])
def test_situation_with_one_or_more_than_four_choices_is_a_warning(
    tmp_path: Path, count: int
) -> None:
    choices = "".join(
        f"\n### Pilihan: Pilihan {n}\nAkibat: A{n}.\nUmpan balik: U{n}.\n" for n in range(count)
    )
    body = INTRO + "\n## Situasi: mulai\nCerita.\n" + choices
    _check(tmp_path, body, f"memiliki {count} pilihan", 9, "warning")


@pytest.mark.parametrize(
    ("field", "line"), [("Akibat: Pak Amir marah.\n", 18), ("Umpan balik: Kurang tepat.\n", 18)]
)
def test_choice_without_consequence_or_feedback_is_an_error(
    tmp_path: Path, field: str, line: int
) -> None:
    label = "Akibat:" if field.startswith("Akibat") else "Umpan balik:"
    _check(tmp_path, SCENARIO.replace(field, ""), f"belum memiliki baris {label}", line)


def test_field_written_twice_is_an_error(tmp_path: Path) -> None:
    body = SCENARIO.replace("Umpan balik: Tepat.\n", "Umpan balik: Tepat.\nUmpan Balik: Lagi.\n")
    _check(tmp_path, body, "ditulis dua kali", 16)


def test_text_under_a_choice_without_a_field_name_is_an_error(tmp_path: Path) -> None:
    body = SCENARIO.replace(
        "### Pilihan: Menyuruhnya menunggu\n", "### Pilihan: Menyuruhnya menunggu\nIa menunggu.\n"
    )
    _check(tmp_path, body, "harus diawali Akibat:", 19)


def test_heading_inside_a_choice_is_an_error(tmp_path: Path) -> None:
    body = SCENARIO.replace(
        "Umpan balik: Baik sekali.\n", "Umpan balik: Baik sekali.\n#### Catatan\n"
    )
    _check(tmp_path, body, "berada di dalam sebuah pilihan", 26)


def test_simulation_without_situations_is_an_error(tmp_path: Path) -> None:
    _check(tmp_path, INTRO * 3, "belum memiliki situasi", 7)


def test_scenario_that_never_ends_is_a_warning(tmp_path: Path) -> None:
    body = dedent(
        """
        Pengantar yang cukup panjang untuk sebuah simulasi kecil tentang antrean di loket.

        ## Situasi: mulai
        Antrean panjang.

        ### Pilihan: Menunggu
        Akibat: Tetap panjang.
        Umpan balik: Coba lagi.
        Lanjut: mulai

        ### Pilihan: Bertanya
        Akibat: Tidak dijawab.
        Umpan balik: Coba lagi.
        Lanjut: mulai
        """
    )
    _check(tmp_path, body, "tidak pernah berakhir", 9, "warning")


def test_empty_situation_text_is_a_warning(tmp_path: Path) -> None:
    _check(
        tmp_path,
        SCENARIO.replace("Masalah selesai.\n", ""),
        "Situasi akhir-baik belum memiliki cerita",
        27,
        "warning",
    )
