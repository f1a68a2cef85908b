"""Answer patterns across a quiz bank are warned about, with the lines of the questions."""

from __future__ import annotations

from pathlib import Path

from tests.content.helpers import assert_problem, load, quiz


def _single(n: int, correct_long: bool) -> str:
    right = "Menyampaikan kepastian waktu layanan kepada warga" if correct_long else "Tepat"
    return (
        f"## Soal tunggal nomor {n}\n- (x) {right}\n- ( ) Pilihan keliru satu\n"
        f"- ( ) Pilihan keliru dua\n\n> Penjelasan: Ini sebabnya.\n\n"
    )


def _true_false(n: int, key: str) -> str:
    wrong = "Benar" if key == "Salah" else "Salah"
    marks = {key: "(x)", wrong: "( )"}
    return (
        f"## Pernyataan nomor {n}\n- {marks['Benar']} Benar\n- {marks['Salah']} Salah\n\n"
        "> Penjelasan: Ini sebabnya.\n\n"
    )


def _multiple(n: int, correct: int) -> str:
    boxes = "".join(f"- [{'x' if i < correct else ' '}] Pilihan {i}\n" for i in range(5))
    return f"## Soal jamak nomor {n} (pilih semua yang benar)\n{boxes}\n> Penjelasan: Itu.\n\n"


def test_correct_option_longest_in_most_single_choice_items_is_a_warning(tmp_path: Path) -> None:
    body = "".join(_single(n, correct_long=n != 3) for n in range(1, 5))
    result = load(tmp_path, {"tes-akhir.md": quiz(body)})
    problem = assert_problem(result, "paling panjang", 4, file="tes-akhir.md", severity="warning")
    assert "3 dari 4 soal" in problem.message and "baris 4, 11, 25" in problem.message


def test_correct_option_longest_in_half_the_items_is_not_a_warning(tmp_path: Path) -> None:
    body = "".join(_single(n, correct_long=n <= 2) for n in range(1, 5))
    result = load(tmp_path, {"tes-akhir.md": quiz(body)})
    assert not [p for p in result.problems if "paling panjang" in p.message]


def test_all_true_false_keys_the_same_is_a_warning(tmp_path: Path) -> None:
    body = "".join(_true_false(n, "Salah") for n in range(1, 4))
    result = load(tmp_path, {"tes-akhir.md": quiz(body)})
    problem = assert_problem(result, "Benar/Salah", 4, file="tes-akhir.md", severity="warning")
    assert "Kunci 3 dari 3" in problem.message and "adalah Salah" in problem.message


def test_true_false_keys_more_than_80_percent_one_way_is_a_warning(tmp_path: Path) -> None:
    keys = ["Benar", "Salah", "Salah", "Salah", "Salah", "Salah"]
    body = "".join(_true_false(n, key) for n, key in enumerate(keys, start=1))
    result = load(tmp_path, {"tes-akhir.md": quiz(body)})
    problem = assert_problem(result, "Benar/Salah", 10, severity="warning")
    assert "Kunci 5 dari 6" in problem.message


def test_balanced_true_false_keys_are_not_a_warning(tmp_path: Path) -> None:
    keys = ["Benar", "Salah", "Salah", "Benar", "Salah"]
    body = "".join(_true_false(n, key) for n, key in enumerate(keys, start=1))
    result = load(tmp_path, {"tes-akhir.md": quiz(body)})
    assert not [p for p in result.problems if "Benar/Salah" in p.message]


def test_multiple_answer_items_with_the_same_count_of_keys_are_a_warning(tmp_path: Path) -> None:
    body = "".join(_multiple(n, 3) for n in range(1, 5))
    result = load(tmp_path, {"tes-akhir.md": quiz(body)})
    problem = assert_problem(result, "pilihan jamak di berkas", 4, severity="warning")
    assert "tepat 3 jawaban" in problem.message
    varied = "".join(_multiple(n, c) for n, c in zip(range(1, 5), (3, 3, 3, 2), strict=True))
    result = load(tmp_path, {"tes-akhir.md": quiz(varied)})
    assert not [p for p in result.problems if "pilihan jamak di berkas" in p.message]
