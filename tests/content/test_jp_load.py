"""The JP rule: a course must not credit more JP than the learning time it plans."""

from __future__ import annotations

from pathlib import Path

from app.content.format.loader import load_course

FOLDER = "pelayanan-publik-prima"


def _jp_warnings(content: Path, jp: int) -> list[str]:
    course_file = content / FOLDER / "kursus.yaml"
    text = course_file.read_text(encoding="utf-8")
    course_file.write_text(text.replace("\njp: 6\n", f"\njp: {jp}\n"), encoding="utf-8")
    result = load_course(content / FOLDER, content)
    assert [p for p in result.problems if p.is_error] == []
    return [str(p) for p in result.problems if "beban belajar" in p.message]


def test_jp_above_the_planned_minutes_is_warned_on_the_jp_line(content_copy: Path) -> None:
    # PPP-101 plans 236 minutes: modules 175, tests 15 + 20 (their time limits), practice
    # quizzes 26 (one minute per question, none has a time limit). 7 JP = 315 minutes.
    lines = (content_copy / FOLDER / "kursus.yaml").read_text(encoding="utf-8").splitlines()
    jp_line = lines.index("jp: 6") + 1
    assert _jp_warnings(content_copy, 7) == [
        f"{FOLDER}/kursus.yaml:{jp_line}: peringatan: jp: 7 berarti 315 menit, tetapi beban "
        "belajar kursus ini 236 menit (modul 175 menit, tes dan kuis 61 menit). JP yang diakui "
        "melebihi waktu belajarnya satu JP atau lebih: tulis jp: 6, atau perbaiki perkiraan "
        "menit modul bila memang terlalu kecil."
    ]


def test_jp_within_one_jp_of_the_load_or_below_it_is_not_warned(content_copy: Path) -> None:
    # 6 JP = 270 minutes, 34 above the load (rounding up to whole JP); fewer JP is conservative.
    assert _jp_warnings(content_copy, 6) == []
    assert _jp_warnings(content_copy, 2) == []


def test_a_time_limit_replaces_the_minute_per_question(content_copy: Path) -> None:
    # A time limit on one practice quiz (5 questions) adds 40 - 5 minutes: 271 > 270 - 45.
    quiz = content_copy / FOLDER / "02-standar-dan-maklumat-pelayanan.kuis.md"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("---\n", "---\nbatas_waktu: 40\n", 1), encoding="utf-8")
    assert _jp_warnings(content_copy, 7) == []
