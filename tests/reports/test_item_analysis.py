"""Quiz item analysis, as pure functions: difficulty p, discrimination D, wrong answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from app.content.format.specs import OptionSpec, QuestionSpec, QuizSpec
from app.reports.item_analysis import analyse_quiz

WHEN = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


@dataclass
class Attempt:
    """The fields of a QuizAttempt the analysis reads."""

    answers: dict[str, Any]
    score: float
    quiz_version_id: int = 1
    drawn: list[Any] = field(default_factory=list)
    submitted_at: datetime | None = WHEN
    late: bool = False


def _option(key: str, text: str, correct: bool = False) -> OptionSpec:
    return OptionSpec(id=key, html=text, correct=correct)


def _question(
    qid: str, stem: str, options: tuple[OptionSpec, ...] = (), kind: str = "single", **kw: Any
) -> QuestionSpec:
    return QuestionSpec(
        id=qid,
        kind=kind,  # type: ignore[arg-type]
        stem_html=f"<p>{stem}</p>",
        options=options,
        accepted_answers=kw.get("accepted", ()),
        explanation_html="",
        line=1,
    )


ASAS = _question(
    "q1",
    "Asas mana yang dilanggar?",
    (
        _option("a", "Kepastian hukum", True),
        _option("b", "Partisipatif"),
        _option("c", "Akuntabel"),
    ),
)
SURVEI = _question(
    "q2",
    "Manakah bagian dari survei kepuasan? (pilih semua yang benar)",
    (_option("x", "Unsur layanan", True), _option("y", "Skala", True), _option("z", "Nama warga")),
    kind="multiple",
)
KANAL = _question(
    "q3", "Apa nama kanal pengaduan nasional?", kind="short", accepted=("SP4N Lapor",)
)
QUIZ = QuizSpec("tes-akhir", "Tes Akhir", None, 20, 3, (ASAS, SURVEI, KANAL), "h1")


def _drawn(*questions: QuestionSpec) -> list[Any]:
    return [[q.id, [o.id for o in q.options]] for q in questions]


def _attempts() -> list[Attempt]:
    """Ten on-time attempts, best total first, with answers chosen to give round numbers."""
    q1 = ["a", "a", "b", "a", "a", "c", "a", "b", "b", "c"]  # 5 right; upper 2/3, lower 0/3
    q2 = [["x", "z"]] + [["x", "y"]] * 9  # 9 right; upper 2/3, lower 3/3
    q3 = ["sp4n lapor!", "SP4N  LAPOR", "lapor", "LAPOR ", "Lapor.", "email", "lapor", "email"]
    q3 += ["lapor", "email"]  # 2 right; "lapor" wrong 5 times, "email" 3 times
    return [
        Attempt(
            answers={"q1": [q1[i]], "q2": q2[i], "q3": q3[i]},
            score=1.0 - i / 10,
            drawn=_drawn(ASAS, SURVEI, KANAL),
        )
        for i in range(10)
    ]


def test_difficulty_and_discrimination_match_a_hand_computed_example() -> None:
    analysis = analyse_quiz({1: QUIZ}, _attempts())
    assert (analysis.key, analysis.title, analysis.attempts) == ("tes-akhir", "Tes Akhir", 10)
    asas, survei, kanal = analysis.items
    # Ten attempts: groups of round(0.27 * 10) = 3, the three best totals and the three worst.
    assert (asas.attempts, asas.correct, asas.difficulty) == (10, 5, 0.5)
    assert asas.discrimination == pytest.approx(2 / 3 - 0 / 3)
    assert asas.flags == () and not asas.needs_review
    assert survei.difficulty == 0.9 and survei.discrimination == pytest.approx(2 / 3 - 1)
    assert survei.flags == ("daya_beda",)  # p = 0.9 is not above 0.9; D is negative
    assert kanal.difficulty == pytest.approx(0.2) and kanal.flags == ("sulit",)
    assert analysis.to_review == 2 and analysis.few_attempts


def test_most_chosen_wrong_option_is_named_by_its_text_with_its_share() -> None:
    asas, survei, _kanal = analyse_quiz({1: QUIZ}, _attempts()).items
    assert asas.wrong is not None
    assert (asas.wrong.text, asas.wrong.count, asas.wrong.share) == ("Partisipatif", 3, 0.3)
    assert not asas.wrong.typed
    # A multiple-choice answer with one wrong option among right ones names the wrong one.
    assert survei.wrong is not None and (survei.wrong.text, survei.wrong.share) == (
        "Nama warga",
        0.1,
    )


def test_short_answers_are_matched_like_grading_and_wrong_texts_are_grouped() -> None:
    kanal = analyse_quiz({1: QUIZ}, _attempts()).items[2]
    # "sp4n lapor!" and "SP4N  LAPOR" match "SP4N Lapor" (case, spaces, end punctuation).
    assert kanal.correct == 2
    assert kanal.discrimination == pytest.approx(2 / 3)
    assert kanal.wrong is not None
    assert (kanal.wrong.text, kanal.wrong.count, kanal.wrong.typed) == ("lapor", 5, True)


def test_late_and_unsubmitted_attempts_are_left_out() -> None:
    wrong_everywhere = {"q1": ["b"], "q2": ["z"], "q3": "salah"}
    extra = [
        Attempt(wrong_everywhere, 0.0, drawn=_drawn(ASAS, SURVEI, KANAL), late=True),
        Attempt(wrong_everywhere, 0.0, drawn=_drawn(ASAS, SURVEI, KANAL), submitted_at=None),
    ]
    with_extra = analyse_quiz({1: QUIZ}, [*_attempts(), *extra])
    assert with_extra == analyse_quiz({1: QUIZ}, _attempts())


def test_a_quiz_without_attempts_lists_its_questions_without_numbers() -> None:
    analysis = analyse_quiz({1: QUIZ}, [])
    assert analysis.attempts == 0 and analysis.to_review == 0
    assert [item.text for item in analysis.items] == [
        "Asas mana yang dilanggar?",
        "Manakah bagian dari survei kepuasan? (pilih semua yang benar)",
        "Apa nama kanal pengaduan nasional?",
    ]
    for item in analysis.items:
        assert (item.attempts, item.difficulty, item.discrimination) == (0, None, None)
        assert item.wrong is None and item.flags == ()


def test_one_attempt_gives_p_but_no_discrimination() -> None:
    item = analyse_quiz({1: QUIZ}, _attempts()[:1]).items[0]
    assert (item.difficulty, item.discrimination) == (1.0, None)


def test_attempts_across_versions_are_graded_by_their_version_and_named_by_the_newest() -> None:
    # Version 1 had the wrong key (b) and a question since removed; version 2 fixed the key and
    # polished the wording (same id: only case and spacing changed).
    old_asas = _question(
        "q1",
        "asas  mana yang DILANGGAR?",
        (
            _option("a", "Kepastian hukum"),
            _option("b", "Partisipatif", True),
            _option("c", "Akuntabel"),
        ),
    )
    gone = _question("q9", "Soal lama", (_option("m", "Ya", True), _option("n", "Tidak")))
    v1 = QuizSpec("tes-awal", "Tes Awal (lama)", None, None, 1, (old_asas, gone), "h-old")
    v2 = QuizSpec("tes-awal", "Tes Awal", 2, None, 1, (ASAS, SURVEI, KANAL), "h-new")
    attempts = [
        Attempt({"q1": ["b"], "q9": ["n"]}, 0.5, quiz_version_id=7, drawn=_drawn(old_asas, gone)),
        Attempt(
            {"q1": ["a"], "q3": "SP4N Lapor"}, 1.0, quiz_version_id=9, drawn=_drawn(ASAS, KANAL)
        ),
        Attempt({"q1": ["b"]}, 0.0, quiz_version_id=3, drawn=_drawn(ASAS)),  # version not given
    ]
    analysis = analyse_quiz({7: v1, 9: v2}, attempts)
    assert (analysis.title, analysis.attempts, analysis.versions_seen) == ("Tes Awal", 2, 2)
    by_id = {item.question_id: item for item in analysis.items}
    assert [item.question_id for item in analysis.items] == ["q1", "q2", "q3", "q9"]
    # Both answers were right for the version answered; the text is the newest wording.
    assert (by_id["q1"].attempts, by_id["q1"].correct) == (2, 2)
    assert by_id["q1"].text == "Asas mana yang dilanggar?" and not by_id["q1"].retired
    # Drawn questions: each is analysed over the attempts that saw it.
    assert by_id["q2"].attempts == 0 and by_id["q3"].attempts == 1
    assert by_id["q9"].retired and by_id["q9"].wrong is not None
    assert by_id["q9"].wrong.text == "Tidak"


def test_no_versions_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        analyse_quiz({}, [])
