"""Where a learner stands in a course, read once for the pages that show it.

The course page (modules done, pre-test pending, completion and certificate, gain) and each
test's standing (attempts used and left, the counted attempt, passed, closed, whether answers
are revealed). The rules themselves live in `course_rules` (pre-test, attempt limits),
`score_policy` (counting, passing, reveal) and `completion`; this module only gathers them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.orm import Session

from app.classes import post_test
from app.content.catalog import Catalog, CourseView
from app.content.format.specs import FINAL_TEST_KEY, PRETEST_KEY
from app.db import utcnow
from app.learning import completion as completion_service
from app.learning import course_rules, progress, quizzes, score_policy
from app.learning.models import Assignment, Certificate, Completion, QuizAttempt

# Built once with bound parameters: building these on every course page cost more CPU than
# running them (py-spy on `bench/page_statements.py`).
_USER = bindparam("user_id", type_=Integer)
_COURSE = bindparam("course_id", type_=Integer)


@cache
def _completion_statement() -> Select[Completion]:
    return select(Completion).where(Completion.user_id == _USER, Completion.course_id == _COURSE)


@cache
def _assignment_statement() -> Select[Assignment]:
    return select(Assignment).where(Assignment.user_id == _USER, Assignment.course_id == _COURSE)


def completion_of(session: Session, user_id: int, course_id: int) -> Completion | None:
    """The learner's completion of the course, if any."""
    params = {"user_id": user_id, "course_id": course_id}
    return session.scalar(_completion_statement(), params)


def gain(session: Session, user_id: int, view: CourseView) -> dict[str, int | None]:
    """The learner's pre-test baseline, counted final test and gain, in whole percentages."""
    return score_policy.gain_scores(
        quizzes.attempts_for(session, user_id, view.course_id, PRETEST_KEY),
        quizzes.attempts_for(session, user_id, view.course_id, FINAL_TEST_KEY),
        view.score_policy,
        course_rules.first_module_opened_at(session, user_id, view.course_id),
    ).percent()


def course_page_state(
    session: Session, user_id: int, view: CourseView, catalog: Catalog
) -> dict[str, object]:
    """What the course page shows a learner (its template's context)."""
    state = progress.course_progress(session, user_id, view)
    done = completion_of(session, user_id, view.course_id)
    # A re-issue revokes the old certificate and adds a row: show the current one.
    certificate = completion_service.current_certificate(session, done.id) if done else None
    assignment = session.scalar(
        _assignment_statement(), {"user_id": user_id, "course_id": view.course_id}
    )
    return {
        "learner": True,
        "progress": state,
        "enrolled": progress.is_enrolled(session, user_id, view.course_id),
        "missing": progress.missing_prerequisites(session, user_id, view, catalog),
        "next_slug": progress.next_module(view, state),
        "completion": done,
        "certificate": certificate,
        "assignment": assignment,
        "gain": gain(session, user_id, view),
        "pretest_pending": course_rules.pretest_pending(session, user_id, view, state.any_opened),
    }


@dataclass(frozen=True)
class QuizStanding:
    """One learner's standing at one test of a course."""

    key: str
    attempts: tuple[QuizAttempt, ...]
    counted: QuizAttempt | None
    limit: int | None  # attempts allowed; None: unlimited
    left: int | None  # attempts the learner may still start; None: unlimited
    open_attempt: QuizAttempt | None
    passed: bool  # final test only: the counted score reaches the pass mark
    locked: bool  # final test only: not every module is complete yet
    closed: bool  # pre-test only: a module was opened, the pre-test is over
    pretest_first: bool  # pre-test only: it must be taken before the first module
    completion: Completion | None
    certificate: Certificate | None
    reveal: str  # the quiz's `tampilkan_jawaban` policy

    @property
    def exhausted(self) -> bool:
        """Every allowed attempt has been used and submitted."""
        return self.left == 0 and self.open_attempt is None

    @property
    def done(self) -> bool:
        """Nothing more to do at this test: passed, no attempt left, or (pre-test) closed."""
        return self.passed or self.exhausted or self.closed

    @property
    def can_retry(self) -> bool:
        """Whether a new attempt may be started now ("Coba lagi")."""
        return not (self.done or self.locked) and self.open_attempt is None

    @property
    def answers_revealed(self) -> bool:
        """Whether submitted attempts show the correct answers and explanations."""
        return score_policy.answers_revealed(self.reveal, done=self.done)


def final_test_open(
    session: Session, user_id: int, view: CourseView, state: progress.CourseProgress, now: datetime
) -> bool:
    """The final test waits for every module, unless a class delivered the course and opens it
    as its post-test (app.classes.post_test): the one rule for the test page and its start."""
    return state.all_modules_done or post_test.opens_final_test(
        session, user_id, view.course_id, now
    )


def quiz_standing(
    session: Session,
    user_id: int,
    view: CourseView,
    key: str,
    *,
    max_attempts: int | None,
    reveal: str | None,
    attempts: Sequence[QuizAttempt] | None = None,
) -> QuizStanding:
    """The learner's standing at the test `key` of the course (`max_attempts` and `reveal` as
    the quiz states them; `attempts`, the learner's attempts at it, when already read)."""
    if attempts is None:
        attempts = quizzes.attempts_for(session, user_id, view.course_id, key)
    attempts = tuple(attempts)
    counted = score_policy.counted_attempt(attempts, view.score_policy)
    limit = course_rules.attempt_limit(key, max_attempts)
    state = progress.course_progress(session, user_id, view)
    final = key == FINAL_TEST_KEY
    done = completion_of(session, user_id, view.course_id) if final else None
    return QuizStanding(
        key=key,
        attempts=attempts,
        counted=counted,
        limit=limit,
        left=score_policy.attempts_left(attempts, limit),
        open_attempt=next((a for a in attempts if a.submitted_at is None), None),
        passed=final
        and counted is not None
        and score_policy.passed(counted.score, view.passing_score),
        locked=final and not final_test_open(session, user_id, view, state, utcnow()),
        closed=key == PRETEST_KEY and state.any_opened,
        pretest_first=key == PRETEST_KEY
        and course_rules.pretest_pending(session, user_id, view, state.any_opened),
        completion=done,
        certificate=completion_service.current_certificate(session, done.id) if done else None,
        reveal=score_policy.reveal_policy(key, reveal),
    )


def as_context(standing: QuizStanding) -> dict[str, Any]:
    """The standing under the names the test templates use."""
    return {
        "standing": standing,
        "attempts": list(standing.attempts),
        "counted": standing.counted,
        "locked": standing.locked,
        "exhausted": standing.exhausted,
        "attempt_limit": standing.limit,
        "pretest_closed": standing.closed,
        "pretest_first": standing.pretest_first,
    }
