"""Quiz item analysis for trainers: how hard each question is and how well it separates learners.

Pure functions over attempt data (no database, no I/O), in the classical test theory trainers
know from paper tests:

- Difficulty index p: the share of attempts that answered the question correctly (0..1). Very
  low p means almost nobody gets it (unclear, or not taught); very high p means it tests nothing.
- Discrimination index D (Kelley's upper-lower method): rank the attempts that saw the question
  by their total score; D is the correct share in the top 27% minus the correct share in the
  bottom 27%. Learners who did well overall should get a good question right more often than
  learners who did poorly, so a good question has D of 0.2 or more; near zero or negative often
  means a misleading stem or a wrong answer key.
- The most chosen wrong option (for a short answer: the most common wrong text typed) shows the
  misconception behind a hard question, or an accepted answer the trainer forgot to list.

Only submitted, on-time attempts count, like the score itself. Quizzes may draw a few questions
from a bank, so each question is analysed over the attempts that actually saw it, and its
upper and lower groups are taken among those. An attempt is graded with `grading.grade` against
the quiz version it answered; questions are grouped across versions by their stable id, and
their text (and options' text) is taken from the newest version that has them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from app.content.format.markdown import plain_text
from app.content.format.specs import QuizSpec, normalise_answer
from app.learning import grading

# Kelley's classic share for the upper and lower groups.
GROUP_SHARE = 0.27
# Review thresholds, stated on the report page as well.
TOO_HARD_BELOW = 0.3
TOO_EASY_ABOVE = 0.9
LOW_DISCRIMINATION_BELOW = 0.2
# Below this many attempts a question's p and D move a lot with each learner: the page says so.
FEW_ATTEMPTS = 20
_MAX_TEXT = 160

Flag = Literal["sulit", "mudah", "daya_beda"]


class AttemptLike(Protocol):
    """What the analysis reads from an attempt (a `QuizAttempt` row fits)."""

    @property
    def quiz_version_id(self) -> int: ...
    @property
    def drawn(self) -> list[Any]: ...  # [[question_id, [option ids]], ...]
    @property
    def answers(self) -> dict[str, Any] | None: ...  # {question_id: [option ids] | text}
    @property
    def score(self) -> float | None: ...
    @property
    def submitted_at(self) -> datetime | None: ...
    @property
    def late(self) -> bool: ...


@dataclass(frozen=True)
class WrongAnswer:
    text: str  # the option's text, or the wrong text typed (normalised) for a short answer
    count: int
    share: float  # of the attempts that saw the question
    typed: bool  # a short answer's text rather than an option


@dataclass(frozen=True)
class ItemStats:
    question_id: str
    text: str
    kind: str
    attempts: int  # submitted on-time attempts that saw the question
    correct: int
    difficulty: float | None  # p, None without attempts
    discrimination: float | None  # D, None with fewer than two attempts
    wrong: WrongAnswer | None
    flags: tuple[Flag, ...]
    retired: bool  # no longer in the newest version of the quiz

    @property
    def needs_review(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class QuizAnalysis:
    key: str
    title: str
    attempts: int  # submitted on-time attempts analysed
    versions_seen: int  # quiz versions those attempts answered
    items: tuple[ItemStats, ...]  # newest version's order, then retired questions

    @property
    def few_attempts(self) -> bool:
        return self.attempts < FEW_ATTEMPTS

    @property
    def to_review(self) -> int:
        return sum(item.needs_review for item in self.items)


# One attempt's outcome on one question: the attempt's total score (for ranking), whether the
# answer was right, and the wrong option ids chosen (or the normalised wrong text typed). A plain
# tuple: there is one per attempt and question, and a named tuple costs several times more.
_Seen = tuple[float, bool, tuple[str, ...]]
_Outcome = tuple[bool, tuple[str, ...]]  # right or not, and the wrong choices as above


class _Grader:
    """Grades one answer to one question with `grading.grade`, remembering each distinct answer.

    Learners give the same few answers to a question, so tens of thousands of attempts cost a
    few hundred gradings plus dictionary lookups, and the rules stay those of `grading`.
    """

    def __init__(self, versions: Mapping[int, QuizSpec]) -> None:
        self.versions = versions
        self.known: dict[tuple[int, str, grading.Answer | None], _Outcome | None] = {}

    def __call__(self, version_id: int, question_id: str, given: Any) -> _Outcome | None:
        answer: grading.Answer | None = tuple(given) if isinstance(given, list) else given
        key = (version_id, question_id, answer)
        if key not in self.known:
            self.known[key] = self._grade(version_id, question_id, answer)
        return self.known[key]

    def _grade(
        self, version_id: int, question_id: str, answer: grading.Answer | None
    ) -> _Outcome | None:
        drawn = [grading.DrawnQuestion(question_id, ())]
        answers = {question_id: answer} if answer is not None else {}
        results = grading.grade(self.versions[version_id], drawn, answers).results
        if not results:  # not in the version answered (since removed): not counted
            return None
        item = results[0]
        wrong: tuple[str, ...] = ()
        if not item.correct and isinstance(item.given, str):
            wrong = (normalise_answer(item.given),)
        elif not item.correct and item.given is not None:
            wrong = tuple(o for o in item.given if o not in item.correct_option_ids)
        return item.correct, wrong


def analyse_quiz(versions: Mapping[int, QuizSpec], attempts: Iterable[AttemptLike]) -> QuizAnalysis:
    """Item statistics of one quiz (one key) from its versions (by quiz version id) and attempts.

    `versions` holds every version the attempts answered, and may hold more (the current one);
    version ids grow with each new version, so the highest id is the newest. Attempts that were
    not submitted, were late, or answered a version not given are left out.
    """
    if not versions:
        raise ValueError("at least one quiz version is needed")
    newest = versions[max(versions)]
    seen: dict[str, list[_Seen]] = defaultdict(list)
    grader = _Grader(versions)
    version_ids: set[int] = set()
    count = 0
    for attempt in attempts:
        if attempt.quiz_version_id not in versions or attempt.submitted_at is None or attempt.late:
            continue
        count += 1
        version_ids.add(attempt.quiz_version_id)
        for question_id, outcome in _outcomes(grader, attempt):
            seen[question_id].append(outcome)

    texts, kinds, option_texts = _texts(versions)
    current = {q.id: None for q in newest.questions}  # an ordered set
    # Questions only older versions had, newest version first, if anyone answered them.
    retired = [
        q.id
        for version_id in sorted(versions, reverse=True)
        for q in versions[version_id].questions
        if q.id in seen and q.id not in current
    ]
    items = tuple(
        _item(qid, texts[qid], kinds[qid], option_texts[qid], seen.get(qid, []), qid not in current)
        for qid in dict.fromkeys([*current, *retired])
    )
    return QuizAnalysis(newest.key, newest.title, count, len(version_ids), items)


def _outcomes(grader: _Grader, attempt: AttemptLike) -> Iterator[tuple[str, _Seen]]:
    answers = attempt.answers or {}
    outcomes: dict[str, _Outcome] = {}
    for question_id, _options in attempt.drawn:
        if question_id in outcomes:
            continue
        outcome = grader(attempt.quiz_version_id, question_id, answers.get(question_id))
        if outcome is not None:
            outcomes[question_id] = outcome
    # Attempts are ranked by the score the learner got (stored with the attempt); only if it is
    # missing, by the share these gradings found right, which is how grading computes it.
    total = attempt.score
    if total is None:
        right = sum(correct for correct, _wrong in outcomes.values())
        total = right / len(outcomes) if outcomes else 0.0
    for question_id, (correct, wrong) in outcomes.items():
        yield question_id, (total, correct, wrong)


def _texts(
    versions: Mapping[int, QuizSpec],
) -> tuple[dict[str, str], dict[str, str], defaultdict[str, dict[str, str]]]:
    """Question text, kind and option texts by id, the newest version winning."""
    texts: dict[str, str] = {}
    kinds: dict[str, str] = {}
    options: defaultdict[str, dict[str, str]] = defaultdict(dict)
    for version_id in sorted(versions):  # oldest first: newer versions overwrite
        for question in versions[version_id].questions:
            texts[question.id] = _short(plain_text(question.stem_html))
            kinds[question.id] = question.kind
            for option in question.options:
                options[question.id][option.id] = _short(plain_text(option.html))
    return texts, kinds, options


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_TEXT else flat[: _MAX_TEXT - 1].rstrip() + "…"


def _item(
    question_id: str,
    text: str,
    kind: str,
    option_texts: Mapping[str, str],
    seen: list[_Seen],
    retired: bool,
) -> ItemStats:
    n = len(seen)
    correct = sum(s[1] for s in seen)
    p = correct / n if n else None
    d = discrimination(seen)
    flags: list[Flag] = []
    if p is not None and p < TOO_HARD_BELOW:
        flags.append("sulit")
    if p is not None and p > TOO_EASY_ABOVE:
        flags.append("mudah")
    if d is not None and d < LOW_DISCRIMINATION_BELOW:
        flags.append("daya_beda")
    return ItemStats(
        question_id=question_id,
        text=text,
        kind=kind,
        attempts=n,
        correct=correct,
        difficulty=p,
        discrimination=d,
        wrong=_most_chosen_wrong(seen, option_texts, typed=kind == "short"),
        flags=tuple(flags),
        retired=retired,
    )


def discrimination(seen: list[_Seen]) -> float | None:
    """Kelley's D over the attempts that saw a question; None with fewer than two."""
    n = len(seen)
    if n < 2:
        return None
    group = max(1, int(GROUP_SHARE * n + 0.5))
    # A stable sort: among equal totals the earlier attempt ranks higher, so a rerun of the
    # report gives the same D (ties at the group boundary are inherent to the method).
    ranked = sorted(seen, key=lambda s: s[0], reverse=True)
    upper = sum(s[1] for s in ranked[:group]) / group
    lower = sum(s[1] for s in ranked[-group:]) / group
    return upper - lower


def _most_chosen_wrong(
    seen: list[_Seen], option_texts: Mapping[str, str], *, typed: bool
) -> WrongAnswer | None:
    counts: Counter[str] = Counter()
    for _total, _correct, wrong in seen:
        if wrong:
            counts.update(wrong)  # each wrong option once per attempt (grading dedupes)
    if not counts:
        return None
    choice, count = counts.most_common(1)[0]
    text = _short(choice) if typed else option_texts.get(choice, choice)
    return WrongAnswer(text=text, count=count, share=count / len(seen), typed=typed)
