"""A learner's standing in a course: what they may do next, by the course's rules.

One owner for the rules that depend on where a learner is in a course, so the web pages and the
offline sync ask the same questions:
- A pre-test measures where a learner started, so it is closed once the first module of the
  course has been opened (a pre-test taken after studying is not a pre-test). "Opened" means
  the module page was served to the learner, or a mark for it arrived from the offline queue.
- When the course requires it (`tes_awal_wajib`, the default when the course has a
  `tes-awal.md`), the pre-test must be submitted before the first module opens.
- A pre-test without `maks_percobaan` allows one attempt.
- The baseline of a learner's learning gain is their first on-time pre-test attempt submitted
  before the first module was opened (`baseline_pretest`): the learner's course page and the
  trainer's report read gain through it.
- The time a module needs before "Tandai selesai" is in `app/learning/study_time.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session

from app.content.catalog import CourseView
from app.content.format.specs import PRETEST_KEY
from app.errors import AppError
from app.i18n import gettext as _
from app.learning.models import ModuleProgress, QuizAttempt

PRETEST_DEFAULT_ATTEMPTS = 1


class CourseRuleError(AppError):
    """A course rule stops the action; the message tells the learner which and why."""

    status_code = 409


def has_pretest(view: CourseView) -> bool:
    """Whether the course has a pre-test."""
    return view.quiz(PRETEST_KEY) is not None


def pretest_required(view: CourseView) -> bool:
    """Whether the pre-test must be submitted before the first module opens."""
    return view.pretest_required and has_pretest(view)


def attempt_limit(key: str, max_attempts: int | None) -> int | None:
    """The attempts allowed at a quiz: its `maks_percobaan`; a pre-test without one allows one."""
    if key == PRETEST_KEY and max_attempts is None:
        return PRETEST_DEFAULT_ATTEMPTS
    return max_attempts


# The course page's reads are built once with bound parameters: building a SELECT and its
# cache key on each request cost more CPU than running it (py-spy, bench/page_statements.py).
_USER = bindparam("user_id", type_=Integer)
_COURSE = bindparam("course_id", type_=Integer)


@cache
def _pretest_submitted_statement() -> Select[int]:
    return (
        select(QuizAttempt.id)
        .where(
            QuizAttempt.user_id == _USER,
            QuizAttempt.course_id == _COURSE,
            QuizAttempt.quiz_key == PRETEST_KEY,
            QuizAttempt.submitted_at.is_not(None),
        )
        .limit(1)
    )


@cache
def _first_opened_statement() -> Select[Any]:
    return select(func.min(ModuleProgress.first_opened_at)).where(
        ModuleProgress.user_id == _USER, ModuleProgress.course_id == _COURSE
    )


def pretest_submitted(session: Session, user_id: int, course_id: int) -> bool:
    """Whether the learner has submitted a pre-test attempt in this course."""
    params = {"user_id": user_id, "course_id": course_id}
    return session.scalar(_pretest_submitted_statement(), params) is not None


def pretest_pending(session: Session, user_id: int, view: CourseView, any_opened: bool) -> bool:
    """Whether the learner must still take the pre-test before opening a module.

    `any_opened`: whether they opened a module of the course already (then it is too late:
    the pre-test is closed and studying goes on). Only then is the database asked.
    """
    if any_opened or not pretest_required(view):
        return False
    return not pretest_submitted(session, user_id, view.course_id)


def pretest_pending_message() -> str:
    """What a learner reads when a module waits for the pre-test."""
    return _(
        "Kerjakan tes awal terlebih dahulu. Tes awal mengukur pengetahuan Anda sebelum belajar, "
        "karena itu modul pertama terbuka setelah tes awal dikirim."
    )


def require_modules_open(
    session: Session, user_id: int, view: CourseView, any_opened: bool
) -> None:
    """Raise CourseRuleError when a module cannot be opened or marked yet (pre-test first)."""
    if pretest_pending(session, user_id, view, any_opened):
        raise CourseRuleError(pretest_pending_message())


def first_module_opened_at(session: Session, user_id: int, course_id: int) -> datetime | None:
    """When the learner first opened any module of the course (None: not yet)."""
    params = {"user_id": user_id, "course_id": course_id}
    opened: datetime | None = session.scalar(_first_opened_statement(), params)
    return opened


def first_opened_by_learner(session: Session, course_id: int) -> dict[int, datetime]:
    """When each learner of the course first opened any of its modules (one grouped query)."""
    rows = session.execute(
        select(ModuleProgress.user_id, func.min(ModuleProgress.first_opened_at))
        .where(ModuleProgress.course_id == course_id)
        .group_by(ModuleProgress.user_id)
    ).all()
    return {user_id: opened for user_id, opened in rows}


def require_pretest_open(any_opened: bool) -> None:
    """Raise CourseRuleError when the pre-test is closed (a module was opened already)."""
    if any_opened:
        raise CourseRuleError(
            _(
                "Tes awal sudah ditutup karena Anda sudah mulai membaca modul. Tes awal hanya "
                "berarti bila dikerjakan sebelum belajar; lanjutkan modul dan tes akhir."
            )
        )


def baseline_pretest(
    attempts: Sequence[QuizAttempt], first_opened: datetime | None
) -> QuizAttempt | None:
    """The pre-test attempt a learner's gain starts from, or None.

    Their first on-time attempt submitted before the first module was opened: a pre-test
    taken after studying says nothing about where they started.
    """
    valid = [
        a
        for a in attempts
        if a.submitted_at is not None
        and not a.late
        and a.score is not None
        and (first_opened is None or a.submitted_at < first_opened)
    ]
    return min(valid, key=lambda a: a.number, default=None)
