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
- The course states which attempt counts: the best (`terbaik`) or the last (`terakhir`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.content.catalog import CourseView
from app.content.models import QuizVersion
from app.content.specs import FINAL_TEST_KEY, PRETEST_KEY, OptionSpec, QuestionSpec, QuizSpec
from app.db import insert_or_ignore
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
    )


def quiz_row(session: Session, version_id: int, key: str) -> QuizVersion | None:
    """The stored quiz of a course version."""
    return session.scalar(
        select(QuizVersion).where(
            QuizVersion.course_version_id == version_id, QuizVersion.key == key
        )
    )


def attempts_for(session: Session, user_id: int, course_id: int, key: str) -> list[QuizAttempt]:
    """The learner's attempts at one quiz, first to last."""
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.course_id == course_id,
                QuizAttempt.quiz_key == key,
            )
            .order_by(QuizAttempt.number)
        )
    )


def counted_attempt(attempts: Sequence[QuizAttempt], policy: str) -> QuizAttempt | None:
    """The attempt whose score counts: best or last among submitted, on-time attempts."""
    valid = [a for a in attempts if a.submitted_at is not None and not a.late]
    if not valid:
        return None
    if policy == "terakhir":
        return max(valid, key=lambda a: a.number)
    return max(valid, key=lambda a: (a.score or 0.0, -a.number))


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
    row = quiz_row(session, view.version_id, key)
    if row is None:
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
    limit = course_rules.attempt_limit(key, row.max_attempts)
    if limit is not None and len(existing) >= limit:
        raise QuizRuleError(
            _("Kesempatan mengerjakan tes ini sudah habis ({n} kali).").format(n=limit)
        )
    spec = quiz_spec(row)
    seed = secrets.token_hex(8)
    drawn = grading.draw_questions(spec, seed)
    # INSERT ... ON CONFLICT DO NOTHING instead of a savepoint: if a concurrent request took
    # this attempt number first, nothing is inserted and its attempt is resumed. (A SAVEPOINT
    # opened before any write would be committed on its own by SQLite's Python driver.)
    insert_or_ignore(
        session,
        QuizAttempt,
        {
            "user_id": user_id,
            "course_id": view.course_id,
            "quiz_key": key,
            "quiz_version_id": row.id,
            "number": len(existing) + 1,
            "seed": seed,
            "drawn": [[d.question_id, list(d.option_ids)] for d in drawn],
            "started_at": now,
            "deadline_at": grading.deadline(now, row.time_limit_minutes),
            "late": False,
        },
    )
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
    # Conditional on "not submitted yet": of two concurrent submissions only one can win.
    outcome = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            submitted_at=now,
            answers=stored,
            score=result.score,
            correct_count=result.correct_count,
            total=result.total,
            late=late,
        )
        .execution_options(synchronize_session=False)
    )
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


def best_scores(session: Session, user_id: int, course_id: int) -> dict[str, float]:
    """Best on-time score per quiz key for one learner and course (for pre/post display)."""
    rows = session.execute(
        select(QuizAttempt.quiz_key, func.max(QuizAttempt.score))
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.course_id == course_id,
            QuizAttempt.submitted_at.is_not(None),
            QuizAttempt.late.is_(False),
        )
        .group_by(QuizAttempt.quiz_key)
    ).all()
    return {key: float(score) for key, score in rows if score is not None}
