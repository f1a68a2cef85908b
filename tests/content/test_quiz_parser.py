"""Quiz files: question kinds, ids, and every mistake with its line (body starts at line 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content.format.specs import QuizSpec, normalise_answer
from tests.content.helpers import assert_problem, load, quiz

ALL_KINDS = """
## Apa tujuan standar pelayanan?
Perhatikan kasus berikut.

- ( ) Hiasan
- (x) Pedoman dan janji
- ( ) Daftar hadir

> Penjelasan: Standar adalah **janji**.
>
> Paragraf kedua.

## Manakah asas pelayanan publik? (pilih semua yang benar)
- [x] Kepastian hukum
- [X] Keterbukaan
- [ ] Kepentingan golongan

> Penjelasan: Dua asas.

## Petugas boleh menolak memberi informasi.
- ( ) Benar
- (x) Salah

> Penjelasan: Tidak boleh.

## Sebutkan kanal pengaduan nasional.
Jawaban: SP4N-LAPOR! | SP4N-LAPOR | sp4n lapor | LAPOR \\| 1708

> Penjelasan: Lewat lapor.go.id.
"""


def _final(tmp_path: Path, body: str, meta: str = "") -> QuizSpec:
    result = load(tmp_path, {"tes-akhir.md": quiz(body, meta)})
    assert [str(p) for p in result.problems] == []
    assert result.course is not None
    return result.course.final_test


def test_every_question_kind_is_parsed(tmp_path: Path) -> None:
    test = _final(tmp_path, ALL_KINDS, "jumlah_soal: 3\nbatas_waktu: 20\nmaks_percobaan: 2\n")
    assert (test.key, test.title, test.draw_count) == ("tes-akhir", "Kuis Uji", 3)
    assert (test.time_limit_minutes, test.max_attempts) == (20, 2)
    single, multiple, true_false, short = test.questions
    assert [q.kind for q in test.questions] == ["single", "multiple", "true_false", "short"]
    assert [q.line for q in test.questions] == [7, 18, 25, 31]
    assert (
        single.stem_html == "<p>Apa tujuan standar pelayanan?</p><p>Perhatikan kasus berikut.</p>\n"
    )
    assert [o.correct for o in single.options] == [False, True, False]
    assert (
        single.explanation_html
        == "<p>Standar adalah <strong>janji</strong>.</p>\n<p>Paragraf kedua.</p>\n"
    )
    assert [o.correct for o in multiple.options] == [True, True, False]
    assert [o.html for o in true_false.options] == ["Benar", "Salah"]
    assert true_false.correct_option_ids == {true_false.options[1].id}
    # Answers equal after normalising count once; "\|" keeps a literal bar.
    assert short.accepted_answers == ("SP4N-LAPOR!", "sp4n lapor", "LAPOR | 1708")
    assert short.options == ()


def test_ids_survive_cosmetic_edits_but_not_real_ones(tmp_path: Path) -> None:
    first = _final(tmp_path / "a", ALL_KINDS)
    cosmetic = ALL_KINDS.replace("Apa tujuan standar pelayanan?", "apa  tujuan standar Pelayanan ?")
    cosmetic = cosmetic.replace("(x) Pedoman dan janji", "(x) **Pedoman dan janji.**")
    second = _final(tmp_path / "b", cosmetic)
    assert [q.id for q in first.questions] == [q.id for q in second.questions]
    assert first.questions[0].options[1].id == second.questions[0].options[1].id
    changed = _final(tmp_path / "c", ALL_KINDS.replace("tujuan standar", "fungsi standar"))
    assert changed.questions[0].id != first.questions[0].id


def test_hash_in_a_code_block_is_not_a_new_question(tmp_path: Path) -> None:
    body = """
    ## Apa arti baris kode ini?
    ```
    ## bukan soal
    ```
    - (x) Komentar
    - ( ) Soal
    - ( ) Judul

    > Penjelasan: Ini contoh.
    """
    test = _final(tmp_path, body)
    assert len(test.questions) == 1 and "<pre><code>## bukan soal" in test.questions[0].stem_html


def test_quiz_without_questions_is_an_error(tmp_path: Path) -> None:
    assert_problem(
        load(tmp_path, {"tes-akhir.md": quiz("\nBelum ada soal.\n")}), "belum berisi soal", 4
    )


def _check(tmp_path: Path, body: str, fragment: str, line: int, severity: str = "error") -> None:
    result = load(tmp_path, {"tes-akhir.md": quiz(body)})
    assert_problem(result, fragment, line, file="tes-akhir.md", severity=severity)


QUESTION = "## Apa ibu kota Sulawesi Tengah?\n"
EXPLAIN = "\n> Penjelasan: Palu.\n"


@pytest.mark.parametrize(
    ("body", "fragment", "line"),
    [
        (QUESTION + EXPLAIN, "tidak memiliki pilihan jawaban maupun baris Jawaban:", 4),
        (
            QUESTION + "- (x) Palu\n- ( ) Poso\n- ( ) Luwuk\nJawaban: Palu\n" + EXPLAIN,
            "sekaligus",
            8,
        ),
        (QUESTION + "- (x) Palu\n- [ ] Poso\n- ( ) Luwuk\n" + EXPLAIN, "jangan mencampur", 6),
        (
            QUESTION + "- ( ) Palu\n- ( ) Poso\n- ( ) Luwuk\n" + EXPLAIN,
            "belum memiliki jawaban benar",
            4,
        ),
        (
            QUESTION + "- (x) Palu\n- (x) Poso\n- ( ) Luwuk\n" + EXPLAIN,
            "hanya boleh memiliki satu (x)",
            6,
        ),
        (
            QUESTION + "- [ ] Palu\n- [ ] Poso\n- [ ] Luwuk\n" + EXPLAIN,
            "pilihan jamak ini belum",
            4,
        ),
        (QUESTION + "- (x) Palu\n" + EXPLAIN, "paling sedikit 2 pilihan", 4),
        (QUESTION + "- (x) Palu\n- ( )\n- ( ) Luwuk\n" + EXPLAIN, "Pilihan ini kosong", 6),
        (QUESTION + "- (v) Palu\n- ( ) Poso\n- ( ) Luwuk\n" + EXPLAIN, "Tanda v tidak dikenal", 5),
        (
            QUESTION + "- (x) Palu\n- ( ) palu\n- ( ) Luwuk\n" + EXPLAIN,
            "sama dengan pilihan di baris 5",
            6,
        ),
        (
            QUESTION + "- (x) Palu\n- ( ) Poso\nLuwuk\n" + EXPLAIN,
            "sesudah pilihan jawaban tidak dipakai",
            7,
        ),
        (
            QUESTION + "- (x) Palu\n- ( ) Poso\n- Luwuk\n" + EXPLAIN,
            "Pilihan ini tidak memiliki tanda",
            7,
        ),
        (QUESTION + "Jawaban:  |  \n" + EXPLAIN, "belum berisi jawaban", 5),
        (QUESTION + "Jawaban: Palu\nJawaban: palu\n" + EXPLAIN, "ditulis dua kali", 6),
        (QUESTION + "Penjelasan: Palu.\nJawaban: Palu\n", "Tulis > di depan Penjelasan:", 5),
        (QUESTION + "Jawaban: Palu\n" + EXPLAIN + "\nCatatan lain.\n", "sesudah penjelasan", 9),
        (QUESTION + "Jawaban: Palu\n" + EXPLAIN + "> Penjelasan: lagi\n", "sudah memiliki", 8),
        ("# Soal 1\n" + QUESTION + "Jawaban: Palu\n" + EXPLAIN, "bukan #", 4),
        ("##\nJawaban: Palu\n" + EXPLAIN, "Judul ## soal ini kosong", 4),
    ],
)
def test_malformed_question_is_reported_on_its_line(
    tmp_path: Path, body: str, fragment: str, line: int
) -> None:
    _check(tmp_path, body, fragment, line)


@pytest.mark.parametrize(
    "options",
    [
        "- ( ) benar\n- (x) salah\n",
        "- ( ) Benar\n- (x) Salah\n- ( ) Tidak tahu\n",
        "- ( ) Betul\n- (x) Salah\n",
    ],
)
def test_true_false_must_be_exactly_benar_and_salah(tmp_path: Path, options: str) -> None:
    body = "## Bumi itu datar.\n" + options + EXPLAIN
    _check(tmp_path, body, "tepat dua pilihan yang ditulis persis Benar dan Salah", 5)


def test_true_false_with_square_brackets_is_an_error(tmp_path: Path) -> None:
    _check(tmp_path, "## Bumi itu datar.\n- [ ] Benar\n- [x] Salah\n" + EXPLAIN, "kurung bulat", 5)


def test_missing_explanation_is_a_warning(tmp_path: Path) -> None:
    _check(tmp_path, QUESTION + "Jawaban: Palu\n", "belum memiliki penjelasan", 4, "warning")


def test_two_option_choice_question_is_a_warning(tmp_path: Path) -> None:
    _check(
        tmp_path,
        QUESTION + "- (x) Palu\n- ( ) Poso\n" + EXPLAIN,
        "sebaiknya memiliki 3 sampai 5",
        4,
        "warning",
    )


def test_text_before_the_first_question_is_a_warning(tmp_path: Path) -> None:
    _check(
        tmp_path,
        "Kerjakan dengan jujur.\n\n" + QUESTION + "Jawaban: Palu\n" + EXPLAIN,
        "sebelum soal pertama",
        4,
        "warning",
    )


def test_duplicate_questions_are_found_after_normalising(tmp_path: Path) -> None:
    body = (
        QUESTION
        + "Jawaban: Palu\n"
        + EXPLAIN
        + "\n## apa ibu kota  sulawesi tengah\nJawaban: Palu\n"
        + EXPLAIN
    )
    _check(tmp_path, body, "sama dengan soal di baris 4", 9)


@pytest.mark.parametrize(
    ("draw", "fragment"),
    [(2, "hanya berisi 2 soal"), (3, "hanya berisi 2 soal"), (0, "paling kecil 1")],
)
def test_draw_count_must_be_smaller_than_the_bank(tmp_path: Path, draw: int, fragment: str) -> None:
    body = (
        QUESTION
        + "Jawaban: Palu\n"
        + EXPLAIN
        + "\n## Ibu kota Gorontalo?\nJawaban: Gorontalo\n"
        + EXPLAIN
    )
    result = load(tmp_path, {"tes-akhir.md": quiz(body, f"jumlah_soal: {draw}\n")})
    assert_problem(result, fragment, 3, file="tes-akhir.md")


def test_quiz_without_title_is_an_error(tmp_path: Path) -> None:
    text = "---\njumlah_soal: 1\n---\n" + QUESTION + "Jawaban: Palu\n" + EXPLAIN
    assert_problem(load(tmp_path, {"tes-akhir.md": text}), "Kunci judul belum ditulis", 2)


def test_practice_quiz_and_pretest_are_attached(tmp_path: Path) -> None:
    body = QUESTION + "Jawaban: Palu\n" + EXPLAIN
    result = load(tmp_path, {"01-pengantar.kuis.md": quiz(body), "tes-awal.md": quiz(body)})
    assert result.course is not None
    practice = result.course.modules[0].practice_quiz
    assert practice is not None and practice.key == "01-pengantar"
    assert result.course.pretest is not None and result.course.pretest.key == "tes-awal"
    assert [q.key for q in result.course.quizzes()] == ["tes-awal", "01-pengantar", "tes-akhir"]


def test_error_in_practice_quiz_names_the_quiz_file(tmp_path: Path) -> None:
    result = load(tmp_path, {"01-pengantar.kuis.md": quiz(QUESTION + EXPLAIN)})
    assert_problem(result, "maupun baris Jawaban:", 4, file="01-pengantar.kuis.md")


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  SP4N-LAPOR! ", "sp4n-lapor"),
        ("Dua   Belas", "dua belas"),
        ("(12)", "12"),
        ("«Berorientasi Pelayanan»", "berorientasi pelayanan"),
        ("ＳＫＭ", "skm"),
        ("...", ""),
    ],
)
def test_normalise_answer(raw: str, normal: str) -> None:
    assert normalise_answer(raw) == normal
