"""Quiz attempts on the server: start (or resume), submit once, count by the course's rule.

Rules enforced here, not in the page:
- An attempt is a server record with its own draw (questions and option order) and deadline.
- A learner has at most one open attempt per quiz; starting again resumes it.
- The attempt limit counts every attempt started; a pre-test without one allows one attempt.
- The final test opens once every module is complete; the pre-test closes once a module has
  been opened (app/learning/course_rules.py owns both standing rules).
- Answers are accepted once: a second submission (a double tap, a replay) changes nothing.
- Late submissions (after the time limit plus a 30-second grace) are recorded and graded so
  the learner sees the explanations, but they never count: not for passing, not for the score.
- Which attempt counts, passing and what a result page reveals: `app/learning/score_policy.py`
  (read it first: it tells the whole story from grading to credited JP).
- A quiz version never changes once stored, so its parsed spec is cached by version
  (`spec_for_version`): submits and result views do not re-read and re-parse its JSON.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Integer, Row, Select, Update, bindparam, select, update
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.content.catalog import CourseView
from app.content.format.specs import FINAL_TEST_KEY, PRETEST_KEY, OptionSpec, QuestionSpec, QuizSpec
from app.content.models import QuizVersion
from app.db import insert_or_ignore_returning
from app.errors import AppError
from app.i18n import gettext as _
from app.learning import course_rules, grading
from app.learning.models import QuizAttempt


class QuizRuleError(AppError):
    """A quiz rule stops the action; the message tells the learner which and why."""

    status_code = 409


def quiz_spec(row: QuizVersion) -> QuizSpec:
    """Rebuild the immutable quiz spec from its stored JSON."""
    questions = tuple(
        QuestionSpec(
            id=q["id"],
            kind=q["kind"],
            stem_html=q["stem_html"],
            options=tuple(OptionSpec(**o) for o in q["options"]),
            accepted_answers=tuple(q["accepted_answers"]),
            explanation_html=q["explanation_html"],
            line=q["line"],
        )
        for q in row.questions
    )
    return QuizSpec(
        key=row.key,
        title=row.title,
        draw_count=row.draw_count,
        time_limit_minutes=row.time_limit_minutes,
        max_attempts=row.max_attempts,
        questions=questions,
        content_hash=row.content_hash,
        answer_reveal=row.answer_reveal,
    )


# Parsed quizzes by immutable version. The key carries the version's quiz key and content hash
# beside its id: on SQLite a deleted last row's id can be given again to a new row (no
# AUTOINCREMENT), and a cache must never answer for a different quiz.
SPEC_CACHE_SIZE = 256
_specs: OrderedDict[tuple[int, str, str], QuizSpec] = OrderedDict()
_specs_lock = threading.Lock()


_SPEC_COLUMNS = (QuizVersion.id, QuizVersion.key, QuizVersion.content_hash)


@cache
def _spec_by_id_statement() -> Select[int, str, str]:
    # Built once with bound parameters, like `_attempts_statement`: tests run these per view.
    return select(*_SPEC_COLUMNS).where(QuizVersion.id == bindparam("id", type_=Integer))


@cache
def _spec_by_key_statement() -> Select[int, str, str]:
    return select(*_SPEC_COLUMNS).where(
        QuizVersion.course_version_id == bindparam("version_id", type_=Integer),
        QuizVersion.key == bindparam("key", type_=QuizVersion.key.type),
    )


def spec_for_version(session: Session, version_id: int) -> QuizSpec | None:
    """The parsed quiz of one stored quiz version, from an in-process LRU cache.

    A hit reads three short columns instead of the questions' JSON and rebuilds nothing.
    """
    found = session.execute(_spec_by_id_statement(), {"id": version_id}).one_or_none()
    return _spec_of(session, found) if found is not None else None


def quiz_of(session: Session, version_id: int, key: str) -> tuple[int, QuizSpec] | None:
    """The quiz `key` of a course version: its quiz version's id and parsed spec (cached).

    One statement of three short columns on a hit: starting an attempt used to load the whole
    row, and SQLAlchemy decoded the bank's JSON on every start.
    """
    params = {"version_id": version_id, "key": key}
    found = session.execute(_spec_by_key_statement(), params).one_or_none()
    return (found.id, _spec_of(session, found)) if found is not None else None


def _spec_of(session: Session, found: Row[int, str, str]) -> QuizSpec:
    with _specs_lock:
        spec = _specs.get((found.id, found.key, found.content_hash))
    if spec is not None:
        return spec
    row = session.get(QuizVersion, found.id)
    assert row is not None
    return cached_spec(row)


def cached_spec(row: QuizVersion) -> QuizSpec:
    """The parsed quiz of a loaded quiz version row, built once per version."""
    cache_key = (row.id, row.key, row.content_hash)
    with _specs_lock:
        spec = _specs.get(cache_key)
        if spec is not None:
            _specs.move_to_end(cache_key)
            return spec
    spec = quiz_spec(row)
    with _specs_lock:
        _specs[cache_key] = spec
        while len(_specs) > SPEC_CACHE_SIZE:
            _specs.popitem(last=False)
    return spec


@cache
def _attempts_statement() -> Select[QuizAttempt]:
    # Built once with bound parameters: the course page reads two quizzes' attempts on each
    # view, and building the SELECT cost more CPU than running it.
    return (
        select(QuizAttempt)
        .where(
            QuizAttempt.user_id == bindparam("user_id", type_=Integer),
            QuizAttempt.course_id == bindparam("course_id", type_=Integer),
            QuizAttempt.quiz_key == bindparam("key", type_=QuizAttempt.quiz_key.type),
        )
        .order_by(QuizAttempt.number)
    )


def attempts_for(session: Session, user_id: int, course_id: int, key: str) -> list[QuizAttempt]:
    """The learner's attempts at one quiz, first to last."""
    params = {"user_id": user_id, "course_id": course_id, "key": key}
    return list(session.scalars(_attempts_statement(), params))


def start_attempt(
    session: Session,
    *,
    user_id: int,
    view: CourseView,
    key: str,
    now: datetime,
    all_modules_done: bool,
    modules_opened: bool = False,
) -> QuizAttempt:
    """Start a new attempt, or return the open one; raises QuizRuleError when not allowed."""
    quiz = quiz_of(session, view.version_id, key)
    if quiz is None:
        raise QuizRuleError(_("Tes ini tidak ada di kursus {title}.").format(title=view.title))
    if key == PRETEST_KEY:
        course_rules.require_pretest_open(modules_opened)
    existing = attempts_for(session, user_id, view.course_id, key)
    open_attempt = next((a for a in existing if a.submitted_at is None), None)
    if open_attempt is not None:
        return open_attempt
    if key == FINAL_TEST_KEY and not all_modules_done:
        raise QuizRuleError(
            _("Tes akhir terbuka setelah semua modul ditandai selesai. Selesaikan modul dulu.")
        )
    quiz_version_id, spec = quiz
    limit = course_rules.attempt_limit(key, spec.max_attempts)
    if limit is not None and len(existing) >= limit:
        raise QuizRuleError(
            _("Kesempatan mengerjakan tes ini sudah habis ({n} kali).").format(n=limit)
        )
    seed = secrets.token_hex(8)
    drawn = grading.draw_questions(spec, seed)
    # INSERT ... ON CONFLICT DO NOTHING instead of a savepoint: if a concurrent request took
    # this attempt number first, nothing is inserted and its attempt is resumed. (A SAVEPOINT
    # opened before any write would be committed on its own by SQLite's Python driver.) The
    # new row comes back from the INSERT itself (RETURNING), not from a second read.
    inserted = insert_or_ignore_returning(
        session,
        QuizAttempt,
        {
            "user_id": user_id,
            "course_id": view.course_id,
            "quiz_key": key,
            "quiz_version_id": quiz_version_id,
            "number": len(existing) + 1,
            "seed": seed,
            "drawn": [[d.question_id, list(d.option_ids)] for d in drawn],
            "started_at": now,
            "deadline_at": grading.deadline(now, spec.time_limit_minutes),
            "late": False,
        },
    )
    if inserted is not None:
        return inserted
    current = attempts_for(session, user_id, view.course_id, key)
    attempt = next((a for a in current if a.submitted_at is None), None)
    if attempt is None:
        # Only possible if the concurrent winner was already submitted: start again.
        raise QuizRuleError(_("Percobaan baru saja dimulai dari perangkat lain; muat ulang."))
    return attempt


def drawn_questions(attempt: QuizAttempt) -> tuple[grading.DrawnQuestion, ...]:
    """The attempt's questions and option order, as drawn when it started."""
    return tuple(grading.DrawnQuestion(q, tuple(opts)) for q, opts in attempt.drawn)


def parse_answers(
    drawn: Sequence[grading.DrawnQuestion], spec: QuizSpec, form: Mapping[str, Sequence[str]]
) -> dict[str, grading.Answer]:
    """Answers from form fields `q-<question id>`; unknown fields are ignored."""
    answers: dict[str, grading.Answer] = {}
    for item in drawn:
        question = spec.question(item.question_id)
        values = [v for v in form.get(f"q-{item.question_id}", []) if v]
        if question is None or not values:
            continue
        if question.kind == "short":
            answers[item.question_id] = values[0][:500]
        else:
            answers[item.question_id] = tuple(dict.fromkeys(values))[:20]
    return answers


@cache
def _submit_statement() -> Update:
    """Conditional on "not submitted yet": of two concurrent submissions only one can win.

    Built once with bound parameters, named unlike any column (an UPDATE's parameter named
    for a column would be SET twice)."""
    values = {
        name: bindparam(f"new_{name}", type_=QuizAttempt.__table__.c[name].type)
        for name in ("submitted_at", "answers", "score", "correct_count", "total", "late")
    }
    return (
        update(QuizAttempt)
        .where(
            QuizAttempt.id == bindparam("attempt", type_=Integer),
            QuizAttempt.submitted_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def submit_attempt(
    session: Session,
    attempt: QuizAttempt,
    spec: QuizSpec,
    answers: Mapping[str, grading.Answer],
    now: datetime,
) -> bool:
    """Grade and store the answers once; False when the attempt was already submitted."""
    result = grading.grade(spec, drawn_questions(attempt), answers)
    late = grading.is_late(attempt.started_at, now, spec.time_limit_minutes)
    stored: dict[str, Any] = {
        qid: list(value) if isinstance(value, tuple) else value for qid, value in answers.items()
    }
    params = {
        "attempt": attempt.id,
        "new_submitted_at": now,
        "new_answers": stored,
        "new_score": result.score,
        "new_correct_count": result.correct_count,
        "new_total": result.total,
        "new_late": late,
    }
    outcome = session.execute(_submit_statement(), params)
    if not outcome.rowcount:  # type: ignore[attr-defined]
        return False
    session.refresh(attempt)
    audit.record(
        session,
        "quiz.attempt_graded",
        actor_id=attempt.user_id,
        target_type="quiz_attempt",
        target_id=attempt.id,
        course_id=attempt.course_id,
        quiz_key=attempt.quiz_key,
        number=attempt.number,
        score=result.score,
        late=late,
    )
    return True


def stored_answers(attempt: QuizAttempt) -> dict[str, grading.Answer]:
    """The answers as stored, in the shape `grading.grade` takes."""
    return {
        qid: tuple(value) if isinstance(value, list) else value
        for qid, value in (attempt.answers or {}).items()
    }


def current_spec(session: Session, version_id: int, key: str) -> QuizSpec | None:
    """The parsed quiz `key` of a course version (cached like `spec_for_version`)."""
    quiz = quiz_of(session, version_id, key)
    return quiz[1] if quiz is not None else None


class ShownQuestion(NamedTuple):
    """One question of an attempt's page: its number, its draw, the question and its options in
    the drawn order (looked up once here, not per option by the template)."""

    number: int
    item: grading.DrawnQuestion
    question: QuestionSpec
    options: tuple[OptionSpec, ...]


def shown_questions(drawn: Sequence[grading.DrawnQuestion], spec: QuizSpec) -> list[ShownQuestion]:
    """The attempt's questions as the page numbers them (1-based), removed ones left out."""
    by_id = {question.id: question for question in spec.questions}
    shown: list[ShownQuestion] = []
    for item in drawn:
        question = by_id.get(item.question_id)
        if question is not None:
            options = {option.id: option for option in question.options}
            shown.append(
                ShownQuestion(
                    len(shown) + 1,
                    item,
                    question,
                    tuple(options[oid] for oid in item.option_ids if oid in options),
                )
            )
    return shown


def unanswered(
    drawn: Sequence[grading.DrawnQuestion], spec: QuizSpec, answers: Mapping[str, grading.Answer]
) -> list[int]:
    """The numbers of the attempt's questions left without an answer (graded as wrong)."""
    return [
        number
        for number, item, question, _options in shown_questions(drawn, spec)
        if not _answered(question, answers.get(item.question_id))
    ]


def _answered(question: QuestionSpec, answer: grading.Answer | None) -> bool:
    # As grading reads it: blank text, or options none of which is the question's, is no answer.
    if isinstance(answer, str):
        return bool(answer.strip())
    own = {o.id for o in question.options}
    return any(value in own for value in answer or ())
