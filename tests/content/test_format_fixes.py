"""Where a new trainer stumbled (issue 15): each form now parsed, or refused on its line."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli.content import content_cli
from app.content import store
from tests.content.helpers import COURSE_YAML, assert_problem, load, make_course, module, png, quiz
from tests.content.test_simulation import SCENARIO, _simulation
from tests.factories import login, make_user
from tests.learning.test_journey import enrol

EXPLAIN = "\n> Penjelasan: Ini sebabnya.\n"


def test_pasted_letter_options_with_a_letter_answer_are_refused_with_the_fix(
    tmp_path: Path,
) -> None:
    body = "## Ibu kota Sulawesi Tengah?\nA. Palu\nB. Poso\nC. Luwuk\nJawaban: A\n" + EXPLAIN
    result = load(tmp_path, {"tes-akhir.md": quiz(body)})
    problem = assert_problem(result, "bentuk A. ... / Jawaban: A", 8, file="tes-akhir.md")
    assert "- (x)" in problem.message
    assert len([p for p in result.problems if p.is_error]) == 1  # not a second, confusing one


def test_short_answer_that_happens_to_be_a_letter_is_still_a_short_answer(tmp_path: Path) -> None:
    body = "## Golongan ruang terendah PNS golongan II?\nJawaban: A\n" + EXPLAIN
    result = load(tmp_path, {"tes-akhir.md": quiz(body)})
    assert result.course is not None
    assert result.course.final_test.questions[0].accepted_answers == ("A",)


def test_unknown_keyword_line_in_a_quiz_is_refused_with_the_known_keywords(
    tmp_path: Path,
) -> None:
    before = "## Ibu kota?\nPenilaian: 10\n- (x) Palu\n- ( ) Poso\n- ( ) Luwuk\n" + EXPLAIN
    problem = assert_problem(load(tmp_path, {"tes-akhir.md": quiz(before)}), "Penilaian:", 5)
    assert "Jawaban:, > Penjelasan:" in problem.message
    after = "## Ibu kota?\n- (x) Palu\n- ( ) Poso\n- ( ) Luwuk\nSkor: 2\n" + EXPLAIN
    assert_problem(load(tmp_path, {"tes-akhir.md": quiz(after)}), "Baris Skor: tidak dikenal", 8)


def test_stem_line_with_an_ordinary_colon_stays_question_text(tmp_path: Path) -> None:
    body = (
        "## Apa yang Anda lakukan?\nKasus: warga datang tanpa KTP.\n\n- (x) A\n- ( ) B\n- ( ) C\n"
    )
    result = load(tmp_path, {"tes-akhir.md": quiz(body + EXPLAIN)})
    assert result.course is not None
    assert "Kasus: warga datang" in result.course.final_test.questions[0].stem_html


def test_options_made_of_punctuation_are_different_options(tmp_path: Path) -> None:
    body = "## Tanda baca akhir kalimat tanya?\n- (x) ?\n- ( ) !\n- ( ) .\n" + EXPLAIN
    result = load(tmp_path, {"tes-akhir.md": quiz(body)})
    assert [str(p) for p in result.problems] == []
    assert result.course is not None
    options = result.course.final_test.questions[0].options
    assert [o.html for o in options] == ["?", "!", "."]
    assert len({o.id for o in options}) == 3
    twice = "## Tanda baca?\n- (x) ?\n- ( ) !\n- ( ) ?\n" + EXPLAIN
    assert_problem(
        load(tmp_path, {"tes-akhir.md": quiz(twice)}), "sama dengan pilihan di baris 5", 7
    )


def test_select_all_hint_in_the_heading_is_not_shown_twice(tmp_path: Path) -> None:
    body = "## Asas pelayanan publik? (pilih semua yang benar)\n- [x] A1\n- [x] B2\n- [ ] C3\n"
    result = load(tmp_path, {"tes-akhir.md": quiz(body + EXPLAIN)})
    assert result.course is not None
    question = result.course.final_test.questions[0]
    assert question.stem_html == "<p>Asas pelayanan publik?</p>"  # the page adds the hint


def test_nested_double_quotes_in_a_title_get_a_precise_message(tmp_path: Path) -> None:
    text = module("Isi.\n").replace("judul: Modul Uji", 'judul: "Simulasi: "Pagi" di Loket"')
    result = load(tmp_path, {"01-pengantar.md": text})
    problem = assert_problem(result, "tanda kutip ganda di dalamnya", 2, file="01-pengantar.md")
    assert "tanda kutip tunggal" in problem.message


def test_unknown_keyword_line_under_a_choice_is_refused_with_a_guess(tmp_path: Path) -> None:
    body = SCENARIO.replace("Lanjut: akhir-baik", "Lanjut ke: akhir-baik")
    problem = assert_problem(_simulation(tmp_path, body), "Baris Lanjut ke: tidak dikenal", 16)
    assert "Mungkin maksud Anda Lanjut:?" in problem.message
    rated = SCENARIO.replace("Umpan balik: Tepat.", "Umpan balik: Tepat.\nPenilaian: baik")
    assert_problem(_simulation(tmp_path, rated), "Akibat:, Umpan balik:, Lanjut:, Nilai:", 16)


def test_next_to_an_end_word_explains_how_to_end_the_scenario(tmp_path: Path) -> None:
    body = SCENARIO.replace("Lanjut: akhir-baik", "Lanjut: SELESAI")
    problem = assert_problem(_simulation(tmp_path, body), "Lanjut: SELESAI", 16)
    assert "hapus baris Lanjut:" in problem.message


def test_situation_title_and_choice_rating_are_stored_in_the_spec(tmp_path: Path) -> None:
    body = (
        SCENARIO.replace("## Situasi: mulai\n", "## Situasi: mulai\nJudul: Pagi di loket\n")
        .replace("Lanjut: akhir-baik", "Nilai: baik\nLanjut: akhir-baik")
        .replace("Lanjut: akhir-buruk", "Nilai: Kurang\nLanjut: akhir-buruk")
    )
    result = _simulation(tmp_path, body)
    assert [str(p) for p in result.problems] == []
    assert result.course is not None
    simulation = result.course.modules[0].simulation
    assert simulation is not None
    start = simulation.situations["mulai"]
    assert start.title == "Pagi di loket" and "Judul" not in start.html
    assert [c.rating for c in start.choices] == ["baik", "kurang", None]
    wrong = SCENARIO.replace("Lanjut: akhir-baik", "Nilai: bagus\nLanjut: akhir-baik")
    assert_problem(_simulation(tmp_path, wrong), "Nilai: bagus tidak dikenal", 16)


def test_checking_a_course_folder_with_course_md_names_that_file(tmp_path: Path) -> None:
    folder = make_course(
        tmp_path, {"kursus.yaml": None, "course.md": COURSE_YAML, "gambar/peta.png": png(2, 2)}
    )
    result = CliRunner().invoke(content_cli, ["check", str(folder)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        lines[0].startswith("kursus-uji/course.md: galat: ")
        and "gambar/kursus" not in result.stdout
    )
    assert lines[-1].startswith("1 kursus diperiksa: 0 baik, 1 bermasalah; 1 galat")


def test_situation_title_is_shown_above_its_story(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    body = SCENARIO.replace("## Situasi: mulai\n", "## Situasi: mulai\nJudul: Pagi di loket\n")
    make_course(tmp_path, {"01-pengantar.md": module(body, kind="simulasi")})
    store.import_library(session, tmp_path)
    login(client, make_user(session))
    enrol(client, "TST-101")
    page = client.get("/kursus/TST-101/modul/01-pengantar/situasi/mulai")
    assert page.status_code == 200
    assert "<h2>Pagi di loket</h2>" in page.text
    assert page.text.index("Pagi di loket") < page.text.index("Pak Amir datang")
