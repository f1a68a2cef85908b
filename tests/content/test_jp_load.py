"""The JP rule: `jp` x 45 minutes must be within one JP of the learning time a course plans."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.content.format.jp_load import PlannedLoad
from app.content.format.loader import load_course

FOLDER = "pelayanan-publik-prima"


def _jp_warnings(content: Path, jp: int, practice_time_limit: int | None = None) -> list[str]:
    course_file = content / FOLDER / "kursus.yaml"
    text = course_file.read_text(encoding="utf-8")
    course_file.write_text(re.sub(r"(?m)^jp: \d+$", f"jp: {jp}", text), encoding="utf-8")
    # The module 2 practice quiz shows 5 questions (5 minutes without a time limit).
    quiz = content / FOLDER / "02-standar-dan-maklumat-pelayanan.kuis.md"
    quiz_text = re.sub(r"(?m)^batas_waktu: \d+\n", "", quiz.read_text(encoding="utf-8"))
    if practice_time_limit is not None:
        quiz_text = quiz_text.replace("---\n", f"---\nbatas_waktu: {practice_time_limit}\n", 1)
    quiz.write_text(quiz_text, encoding="utf-8")
    result = load_course(content / FOLDER, content)
    assert [p for p in result.problems if p.is_error] == []
    return [str(p) for p in result.problems if "beban belajar" in p.message]


def _jp_line(content: Path) -> int:
    lines = (content / FOLDER / "kursus.yaml").read_text(encoding="utf-8").splitlines()
    return lines.index("jp: 6") + 1


def test_jp_above_the_planned_minutes_is_warned_on_the_jp_line(content_copy: Path) -> None:
    # PPP-101 plans 236 minutes: modules 175, tests 15 + 20 (their time limits), practice
    # quizzes 26 (one minute per question, none has a time limit). 7 JP = 315 minutes.
    jp_line = _jp_line(content_copy)
    assert _jp_warnings(content_copy, 7) == [
        f"{FOLDER}/kursus.yaml:{jp_line}: peringatan: jp: 7 berarti 315 menit, tetapi beban "
        "belajar kursus ini 236 menit (modul 175 menit, tes dan kuis 61 menit). JP yang diakui "
        "melebihi waktu belajarnya satu JP atau lebih: tulis jp: 6, atau perbaiki perkiraan "
        "menit modul bila memang terlalu kecil."
    ]


def test_planned_minutes_a_jp_or_more_above_the_jp_are_warned_on_the_jp_line(
    content_copy: Path,
) -> None:
    # 4 JP = 180 minutes, 56 below the 236 planned: the course asks more than it credits.
    # 5 JP (225, 11 below) and 6 JP (270, 34 above) both fit, so both are suggested.
    jp_line = _jp_line(content_copy)
    assert _jp_warnings(content_copy, 4) == [
        f"{FOLDER}/kursus.yaml:{jp_line}: peringatan: jp: 4 berarti 180 menit, tetapi beban "
        "belajar kursus ini 236 menit (modul 175 menit, tes dan kuis 61 menit). Waktu "
        "belajarnya melebihi JP yang diakui satu JP atau lebih: tulis jp: 5 atau jp: 6, atau "
        "perbaiki perkiraan menit modul bila memang terlalu besar."
    ]
    assert len(_jp_warnings(content_copy, 2)) == 1


def test_jp_within_one_jp_of_the_load_on_either_side_is_not_warned(content_copy: Path) -> None:
    # 6 JP = 270 minutes, 34 above the load; 5 JP = 225 minutes, 11 below it.
    assert _jp_warnings(content_copy, 6) == []
    assert _jp_warnings(content_copy, 5) == []


def test_a_load_of_whole_jp_accepts_only_that_jp(content_copy: Path) -> None:
    # A 39-minute limit on the 5-question practice quiz makes the load 236 + 34 = 270 minutes,
    # exactly 6 JP: 5 JP is 45 minutes short and 7 JP 45 minutes over, both one whole JP.
    assert _jp_warnings(content_copy, 6, practice_time_limit=39) == []
    (under,) = _jp_warnings(content_copy, 5, practice_time_limit=39)
    assert "beban belajar kursus ini 270 menit" in under
    assert "Waktu belajarnya melebihi JP yang diakui" in under
    assert "tulis jp: 6, atau" in under


def test_a_time_limit_replaces_the_minute_per_question(content_copy: Path) -> None:
    # A 40-minute limit on one practice quiz (5 questions) adds 35 minutes: 271 > 315 - 45.
    assert _jp_warnings(content_copy, 7, practice_time_limit=40) == []


@pytest.mark.parametrize(
    ("total", "accepted"),
    [
        (262, [5, 6]),  # KOM-101 before its review: 4 JP was 82 minutes short
        (270, [6]),  # whole JP: a minute less is 5 or 6, a minute more 6 or 7
        (269, [5, 6]),
        (271, [6, 7]),
        (20, [1]),  # never fewer than 1 JP
    ],
)
def test_the_accepted_jp_are_those_within_45_minutes_of_the_load(
    total: int, accepted: list[int]
) -> None:
    load = PlannedLoad(module_minutes=total, quiz_minutes=0)
    assert [jp for jp in range(1, 12) if load.accepts(jp)] == accepted
    assert (load.lowest_jp, load.highest_jp) == (accepted[0], accepted[-1])
