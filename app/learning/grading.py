"""Drawing and grading quiz attempts: pure functions, no database, no I/O.

The grading rules, as trainers and learners are told them:

- Single choice and Benar/Salah: correct only when exactly the correct option is chosen.
- Multiple choice ("pilih semua yang benar"): all or nothing. Correct only when the chosen
  options are exactly the correct ones; choosing only some of them, or adding a wrong one,
  earns nothing for that question. There is no partial credit.
- Short answer: correct when the text typed matches one of the accepted answers, ignoring
  capital letters, extra spaces and punctuation at the start or end ("sp4n lapor!" matches
  "SP4N Lapor").
- A question shown in the attempt but left unanswered counts as wrong.
- Options that do not belong to a question are ignored (a selection made of nothing else is
  the same as no answer).
- A question that was in the attempt but has since been removed from the quiz (the course was
  republished) is left out of the total: no learner loses marks for it.
- Score = correct answers / questions counted, 0 when there is nothing to count.
- An attempt with a time limit is late when it is submitted more than 30 seconds after the
  deadline; the 30 seconds absorb a slow connection at the moment of sending.

Scores are 0-1 floats everywhere; `score_percent` turns one into the whole percentage shown.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeAlias

from app.content.format.specs import OptionSpec, QuestionSpec, QuizSpec, normalise_answer, text_id

# Selected option ids for a choice question, the text typed for a short answer.
Answer: TypeAlias = tuple[str, ...] | str

DEFAULT_GRACE_SECONDS = 30

# Option ids are hashes of the normalised option text, so a Benar/Salah question's options can
# be recognised whatever order the trainer wrote them in.
_TRUE_ID = text_id("Benar")


@dataclass(frozen=True)
class DrawnQuestion:
    question_id: str
    option_ids: tuple[str, ...]  # in the order shown; empty for a short answer


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    correct: bool
    given: Answer | None  # the options that count (in the order given) or the text typed
    correct_option_ids: frozenset[str]
    accepted_answers: tuple[str, ...]
    missing: bool  # in the attempt but not answered; counted as wrong


@dataclass(frozen=True)
class GradeResult:
    score: float  # 0..1
    correct_count: int
    total: int
    results: tuple[QuestionResult, ...]  # in the order drawn, removed questions left out


def draw_questions(quiz: QuizSpec, seed: str) -> tuple[DrawnQuestion, ...]:
    """The questions of one attempt, and each one's option order; the same for the same seed.

    Store the draw with the attempt rather than re-deriving it later: `random`'s algorithms
    may change between Python versions, and the quiz itself may be republished.
    """
    # Not security randomness: the seed only makes an attempt's order reproducible.
    rng = random.Random(seed)  # noqa: S311
    questions = list(quiz.questions)
    if quiz.draw_count is not None and quiz.draw_count < len(questions):
        questions = rng.sample(questions, quiz.draw_count)  # already in random order
    else:
        rng.shuffle(questions)
    return tuple(DrawnQuestion(q.id, _option_order(q, rng)) for q in questions)


def _option_order(question: QuestionSpec, rng: random.Random) -> tuple[str, ...]:
    if question.kind == "true_false":
        # Benar/Salah is read as a statement to judge; a swapped pair only trips people up.
        ordered = sorted(question.options, key=lambda o: o.id != _TRUE_ID)
        return tuple(o.id for o in ordered)
    options: list[OptionSpec] = list(question.options)
    rng.shuffle(options)
    return tuple(o.id for o in options)


def grade(
    quiz: QuizSpec, drawn: Sequence[DrawnQuestion], answers: Mapping[str, Answer]
) -> GradeResult:
    """Grade an attempt's answers (by question id) against the quiz as it is now."""
    results: list[QuestionResult] = []
    seen: set[str] = set()
    for item in drawn:
        question = quiz.question(item.question_id)
        if question is None or question.id in seen:
            continue
        seen.add(question.id)
        results.append(_grade_question(question, answers.get(question.id)))
    correct = sum(r.correct for r in results)
    total = len(results)
    return GradeResult(correct / total if total else 0.0, correct, total, tuple(results))


def _grade_question(question: QuestionSpec, given: Answer | None) -> QuestionResult:
    expected = question.correct_option_ids
    if question.kind == "short":
        text = given if isinstance(given, str) else None
        if text is None or not text.strip():
            return _missing(question)
        typed = normalise_answer(text)
        accepted = {normalise_answer(a) for a in question.accepted_answers}
        ok = bool(typed) and typed in accepted
        return QuestionResult(question.id, ok, text, expected, question.accepted_answers, False)
    # A single-choice form posts one value rather than a list; treat it as a selection of one.
    picked = (given,) if isinstance(given, str) else (given or ())
    own_ids = {o.id for o in question.options}
    selection = tuple(dict.fromkeys(i for i in picked if i in own_ids))
    if not selection:
        return _missing(question)
    ok = frozenset(selection) == expected
    return QuestionResult(question.id, ok, selection, expected, question.accepted_answers, False)


def _missing(question: QuestionSpec) -> QuestionResult:
    return QuestionResult(
        question.id, False, None, question.correct_option_ids, question.accepted_answers, True
    )


def score_percent(score: float) -> int:
    """The score as a whole percentage, halves rounded up (0.845 -> 85)."""
    _check_score(score)
    # Through the shortest decimal repr, so 0.845 (stored as 0.84499...) still rounds up.
    return int((Decimal(repr(score)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def deadline(started_at: datetime, time_limit_minutes: int | None) -> datetime | None:
    """When the attempt's time runs out as shown to the learner; None without a limit."""
    _check_aware(started_at)
    if time_limit_minutes is None:
        return None
    return started_at + timedelta(minutes=time_limit_minutes)


def is_late(
    started_at: datetime,
    submitted_at: datetime,
    time_limit_minutes: int | None,
    grace_seconds: int = DEFAULT_GRACE_SECONDS,
) -> bool:
    """Whether the submission came after the deadline plus the grace period."""
    _check_aware(submitted_at)
    due = deadline(started_at, time_limit_minutes)
    return due is not None and submitted_at > due + timedelta(seconds=grace_seconds)


def learning_gain(pre: float | None, post: float | None) -> float | None:
    """Post-test minus pre-test score in percentage points; None if either is missing."""
    if pre is None or post is None:
        return None
    _check_score(pre)
    _check_score(post)
    return (post - pre) * 100


def normalized_gain(pre: float | None, post: float | None) -> float | None:
    """Hake's g = (post - pre) / (1 - pre); None if a score is missing or the pre-test was 100%."""
    if pre is None or post is None:
        return None
    _check_score(pre)
    _check_score(post)
    if pre >= 1.0:
        return None
    return (post - pre) / (1 - pre)


def _check_score(score: float) -> None:
    # A percentage passed where a 0-1 score belongs would give plausible-looking nonsense.
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"a score is between 0 and 1, not {score!r}")


def _check_aware(moment: datetime) -> None:
    # Two naive datetimes compare without error, silently in whatever zone each was taken.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, not {moment!r}")
