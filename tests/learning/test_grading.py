"""Quiz drawing and grading: every question kind, removed questions, time limits, gains."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.content.format.problems import ProblemLog
from app.content.format.quiz_parser import parse_quiz_text
from app.content.format.specs import OptionSpec, QuestionKind, QuestionSpec, QuizSpec, text_id
from app.content.format.urls import CourseUrls, LinkResolver
from app.learning.grading import (
    Answer,
    DrawnQuestion,
    deadline,
    draw_questions,
    grade,
    is_late,
    learning_gain,
    normalized_gain,
    score_percent,
)


def option(text: str, correct: bool = False) -> OptionSpec:
    return OptionSpec(text_id(text), text, correct)


def question(
    qid: str,
    kind: QuestionKind = "single",
    options: tuple[OptionSpec, ...] = (),
    accepted: tuple[str, ...] = (),
) -> QuestionSpec:
    return QuestionSpec(qid, kind, f"<p>{qid}</p>", options, accepted, "", 1)


SINGLE = question("q-single", "single", (option("A"), option("B", True), option("C")))
MULTIPLE = question(
    "q-multi", "multiple", (option("Satu", True), option("Dua", True), option("Tiga"))
)
TRUE_FALSE = question("q-tf", "true_false", (option("Salah", True), option("Benar")))
SHORT = question("q-short", "short", accepted=("SP4N-LAPOR!", "Lapor 1708"))


def make_quiz(*questions: QuestionSpec, draw_count: int | None = None) -> QuizSpec:
    return QuizSpec("tes-akhir", "Tes Akhir", draw_count, None, None, questions, "hash")


QUIZ = make_quiz(SINGLE, MULTIPLE, TRUE_FALSE, SHORT)


def ids(*texts: str) -> tuple[str, ...]:
    """The option ids of these option texts."""
    return tuple(text_id(t) for t in texts)


def grade_one(q: QuestionSpec, answer: Answer | None) -> tuple[bool, bool]:
    """Grade a one-question quiz; (correct, missing)."""
    quiz = make_quiz(q)
    answers = {} if answer is None else {q.id: answer}
    result = grade(quiz, draw_questions(quiz, "s"), answers).results[0]
    return result.correct, result.missing


# --- each kind: right, wrong, missing ---------------------------------------------------------


def test_single_choice_with_the_correct_option_is_correct() -> None:
    assert grade_one(SINGLE, ids("B")) == (True, False)


def test_single_choice_with_a_wrong_option_is_wrong() -> None:
    assert grade_one(SINGLE, ids("A")) == (False, False)


def test_single_choice_with_the_correct_and_another_option_is_wrong() -> None:
    assert grade_one(SINGLE, ids("B", "C")) == (False, False)


def test_single_choice_posted_as_a_plain_string_is_a_selection_of_one() -> None:
    assert grade_one(SINGLE, text_id("B")) == (True, False)


def test_single_choice_without_an_answer_is_missing_and_wrong() -> None:
    assert grade_one(SINGLE, None) == (False, True)
    assert grade_one(SINGLE, ()) == (False, True)


def test_multiple_choice_with_exactly_the_correct_set_is_correct() -> None:
    assert grade_one(MULTIPLE, ids("Dua", "Satu")) == (True, False)


def test_multiple_choice_with_only_part_of_the_correct_set_is_wrong() -> None:
    assert grade_one(MULTIPLE, ids("Satu")) == (False, False)


def test_multiple_choice_with_the_correct_set_plus_a_wrong_option_is_wrong() -> None:
    assert grade_one(MULTIPLE, ids("Satu", "Dua", "Tiga")) == (False, False)


def test_multiple_choice_without_an_answer_is_missing() -> None:
    assert grade_one(MULTIPLE, None) == (False, True)


def test_multiple_choice_repeated_ids_count_once() -> None:
    assert grade_one(MULTIPLE, ids("Satu", "Satu", "Dua")) == (True, False)


def test_true_false_with_the_correct_option_is_correct() -> None:
    assert grade_one(TRUE_FALSE, ids("Salah")) == (True, False)


def test_true_false_with_the_wrong_option_is_wrong() -> None:
    assert grade_one(TRUE_FALSE, ids("Benar")) == (False, False)


def test_true_false_with_both_options_is_wrong() -> None:
    assert grade_one(TRUE_FALSE, ids("Benar", "Salah")) == (False, False)


def test_true_false_without_an_answer_is_missing() -> None:
    assert grade_one(TRUE_FALSE, None) == (False, True)


def test_short_answer_matching_an_accepted_answer_is_correct() -> None:
    assert grade_one(SHORT, "Lapor 1708") == (True, False)


def test_short_answer_not_matching_is_wrong() -> None:
    assert grade_one(SHORT, "Ombudsman") == (False, False)


@pytest.mark.parametrize(
    "typed",
    ["sp4n-lapor", "  SP4N-LAPOR  ", "sp4n-lapor!", "SP4N-LAPOR.", "(sp4n-lapor)", "lapor   1708"],
)
def test_short_answer_ignores_case_spacing_and_surrounding_punctuation(typed: str) -> None:
    assert grade_one(SHORT, typed) == (True, False)


def test_short_answer_inner_punctuation_still_matters() -> None:
    assert grade_one(SHORT, "sp4n lapor") == (False, False)


def test_short_answer_blank_is_missing() -> None:
    assert grade_one(SHORT, "   ") == (False, True)
    assert grade_one(SHORT, None) == (False, True)


def test_short_answer_of_punctuation_only_is_given_but_wrong() -> None:
    assert grade_one(SHORT, "?!") == (False, False)


def test_short_answer_given_as_a_selection_is_missing() -> None:
    assert grade_one(SHORT, ("SP4N-LAPOR",)) == (False, True)


# --- the attempt as a whole -------------------------------------------------------------------


def test_grade_counts_score_and_keeps_drawn_order() -> None:
    drawn = draw_questions(QUIZ, "urutan")
    answers: dict[str, Answer] = {
        SINGLE.id: ids("B"),
        MULTIPLE.id: ids("Satu"),
        SHORT.id: "sp4n-lapor",
    }
    result = grade(QUIZ, drawn, answers)
    assert (result.correct_count, result.total, result.score) == (2, 4, 0.5)
    assert [r.question_id for r in result.results] == [d.question_id for d in drawn]
    by_id = {r.question_id: r for r in result.results}
    assert by_id[TRUE_FALSE.id].missing
    assert by_id[MULTIPLE.id].given == ids("Satu")
    assert by_id[MULTIPLE.id].correct_option_ids == frozenset(ids("Satu", "Dua"))
    assert by_id[SHORT.id].given == "sp4n-lapor"
    assert by_id[SHORT.id].accepted_answers == ("SP4N-LAPOR!", "Lapor 1708")


def test_option_ids_of_another_question_are_ignored() -> None:
    foreign = ids("Tiga")
    correct, missing = grade_one(SINGLE, (*ids("B"), *foreign))
    assert (correct, missing) == (True, False)
    result = grade(make_quiz(SINGLE), draw_questions(make_quiz(SINGLE), "s"), {SINGLE.id: foreign})
    assert result.results[0].missing
    assert result.results[0].given is None


def test_answers_to_questions_not_in_the_attempt_are_ignored() -> None:
    quiz = make_quiz(SINGLE, MULTIPLE)
    drawn = (DrawnQuestion(SINGLE.id, ids("A", "B", "C")),)
    result = grade(quiz, drawn, {SINGLE.id: ids("B"), MULTIPLE.id: ("x",)})
    assert (result.correct_count, result.total) == (1, 1)


def test_questions_removed_from_the_quiz_are_skipped_not_counted_wrong() -> None:
    drawn = draw_questions(QUIZ, "lama")
    republished = replace(QUIZ, questions=(SINGLE, SHORT))
    result = grade(republished, drawn, {SINGLE.id: ids("B"), SHORT.id: "Lapor 1708"})
    assert (result.correct_count, result.total, result.score) == (2, 2, 1.0)
    assert {r.question_id for r in result.results} == {SINGLE.id, SHORT.id}


def test_an_attempt_whose_questions_were_all_removed_scores_zero() -> None:
    drawn = draw_questions(QUIZ, "lama")
    result = grade(replace(QUIZ, questions=()), drawn, {})
    assert (result.score, result.correct_count, result.total, result.results) == (0.0, 0, 0, ())


def test_a_question_drawn_twice_is_counted_once() -> None:
    drawn = (DrawnQuestion(SINGLE.id, ()), DrawnQuestion(SINGLE.id, ()))
    result = grade(QUIZ, drawn, {SINGLE.id: ids("B")})
    assert (result.correct_count, result.total) == (1, 1)


# --- drawing ----------------------------------------------------------------------------------

BANK = make_quiz(
    *(
        question(f"q{n}", "single", tuple(option(f"{n}-{k}", k == 0) for k in range(4)))
        for n in range(10)
    ),
    TRUE_FALSE,
    SHORT,
)


def test_draw_without_draw_count_gives_every_question_once() -> None:
    drawn = draw_questions(BANK, "a")
    assert sorted(d.question_id for d in drawn) == sorted(q.id for q in BANK.questions)


def test_draw_respects_draw_count() -> None:
    drawn = draw_questions(replace(BANK, draw_count=5), "a")
    assert len(drawn) == 5
    assert len({d.question_id for d in drawn}) == 5
    assert {d.question_id for d in drawn} <= {q.id for q in BANK.questions}


def test_draw_count_larger_than_the_bank_gives_the_whole_bank() -> None:
    assert len(draw_questions(replace(BANK, draw_count=50), "a")) == len(BANK.questions)


def test_draw_is_deterministic_for_the_same_seed() -> None:
    quiz = replace(BANK, draw_count=5)
    assert draw_questions(quiz, "attempt-1") == draw_questions(quiz, "attempt-1")


def test_draw_differs_across_seeds() -> None:
    quiz = replace(BANK, draw_count=5)
    draws = {draw_questions(quiz, f"attempt-{n}") for n in range(20)}
    assert len(draws) > 1
    picked = {tuple(sorted(d.question_id for d in draw)) for draw in draws}
    assert len(picked) > 1  # not only the order but the selection changes


def test_draw_shuffles_options_of_choice_questions() -> None:
    orders = {draw_questions(make_quiz(SINGLE), f"s{n}")[0].option_ids for n in range(20)}
    assert len(orders) > 1
    assert all(sorted(o) == sorted(o.id for o in SINGLE.options) for o in orders)


def test_draw_keeps_benar_before_salah() -> None:
    benar, salah = text_id("Benar"), text_id("Salah")
    for n in range(20):
        drawn = {d.question_id: d for d in draw_questions(BANK, f"s{n}")}
        assert drawn[TRUE_FALSE.id].option_ids == (benar, salah)


def test_draw_gives_short_answers_no_options() -> None:
    drawn = {d.question_id: d for d in draw_questions(BANK, "a")}
    assert drawn[SHORT.id].option_ids == ()


def test_parsed_true_false_question_keeps_benar_first(tmp_path: Path) -> None:
    text = (
        "---\njudul: Kuis\n---\n"
        "## Petugas boleh menolak memberi informasi.\n"
        "- (x) Salah\n- ( ) Benar\n\n> Penjelasan: Tidak boleh.\n"
    )
    resolver = LinkResolver(tmp_path, CourseUrls("KODE"), frozenset())
    quiz = parse_quiz_text(text, "kuis", "kuis.md", resolver, ProblemLog())
    assert quiz is not None
    assert quiz.questions[0].kind == "true_false"
    drawn = draw_questions(quiz, "x")[0]
    assert drawn.option_ids == (text_id("Benar"), text_id("Salah"))
    assert grade(quiz, (drawn,), {drawn.question_id: (text_id("Salah"),)}).score == 1.0


# --- scores, time limits, gains ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "percent"),
    [(0.0, 0), (1.0, 100), (0.845, 85), (0.844, 84), (7 / 8, 88), (5 / 8, 63), (1 / 3, 33)],
)
def test_score_percent_rounds_half_up(score: float, percent: int) -> None:
    assert score_percent(score) == percent


def test_score_percent_rejects_a_percentage() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        score_percent(85.0)


START = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_deadline_is_start_plus_limit() -> None:
    assert deadline(START, 30) == START + timedelta(minutes=30)
    assert deadline(START, None) is None


def test_submission_exactly_at_deadline_plus_grace_is_not_late() -> None:
    assert not is_late(START, START + timedelta(minutes=30, seconds=30), 30)


def test_submission_one_second_after_deadline_plus_grace_is_late() -> None:
    assert is_late(START, START + timedelta(minutes=30, seconds=31), 30)


def test_grace_period_can_be_changed() -> None:
    assert is_late(START, START + timedelta(minutes=30, seconds=1), 30, grace_seconds=0)


def test_without_time_limit_never_late() -> None:
    assert not is_late(START, START + timedelta(days=3), None)


def test_late_rule_compares_instants_across_time_zones() -> None:
    wita = timezone(timedelta(hours=8))  # Palu
    submitted = datetime(2026, 11, 28, 17, 30, 31, tzinfo=wita)  # 09:30:31 UTC
    assert is_late(START, submitted, 30)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_late(START.replace(tzinfo=None), START.replace(tzinfo=None), 30)
    with pytest.raises(ValueError, match="aware"):
        deadline(START.replace(tzinfo=None), None)


def test_learning_gain_is_in_percentage_points() -> None:
    assert learning_gain(0.4, 0.9) == pytest.approx(50.0)
    assert learning_gain(0.8, 0.6) == pytest.approx(-20.0)


@pytest.mark.parametrize(("pre", "post"), [(None, 0.5), (0.5, None), (None, None)])
def test_gains_need_both_scores(pre: float | None, post: float | None) -> None:
    assert learning_gain(pre, post) is None
    assert normalized_gain(pre, post) is None


def test_normalized_gain_is_hakes_g() -> None:
    assert normalized_gain(0.4, 0.7) == pytest.approx(0.5)
    assert normalized_gain(0.0, 1.0) == pytest.approx(1.0)
    assert normalized_gain(0.5, 0.25) == pytest.approx(-0.5)


def test_normalized_gain_is_undefined_after_a_perfect_pretest() -> None:
    assert normalized_gain(1.0, 1.0) is None


def test_gains_reject_percentages() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        learning_gain(40, 90)
    with pytest.raises(ValueError, match="between 0 and 1"):
        normalized_gain(0.4, 90)
