"""Enrolment and module progress, recorded idempotently.

A completion is never lost and never counted twice: module progress has one row per learner
and module, written with atomic upserts, and a progress event carrying a client id is applied
at most once however often it is replayed (a double tap, a retried request, the offline queue).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, Update, bindparam, case, func, select, update
from sqlalchemy.orm import Session

from app.content.catalog import Catalog, CourseView
from app.db import insert_or_ignore
from app.learning.models import Completion, Enrolment, ModuleProgress, ProgressEvent
from app.learning.study_time import StudyTime

EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# An offline completion may carry a time from the past; older than this is not believed.
MAX_OFFLINE_AGE = timedelta(days=30)

# The course and module pages' reads are statements built once, with bound parameters:
# building a SELECT and its cache key on every request cost more CPU than running it (py-spy
# on `bench/page_statements.py`); SQLAlchemy memoises the key on the statement object.
_USER = bindparam("user_id", type_=Integer)
_COURSE = bindparam("course_id", type_=Integer)


@dataclass(frozen=True)
class CourseProgress:
    opened: frozenset[str]
    completed: frozenset[str]
    total: int
    # Time on each module the learner opened (current modules only).
    study: Mapping[str, StudyTime] = field(default_factory=dict)
    # Whether any module of the course was ever opened (removed modules included): the
    # pre-test closes then (app/learning/course_rules.py).
    any_opened: bool = False

    @property
    def done(self) -> int:
        return len(self.completed)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def all_modules_done(self) -> bool:
        return self.total > 0 and self.done >= self.total


@cache
def _enrolment_statement() -> Select[int]:
    return select(Enrolment.id).where(Enrolment.user_id == _USER, Enrolment.course_id == _COURSE)


def is_enrolled(session: Session, user_id: int, course_id: int) -> bool:
    """Whether the learner is enrolled in the course."""
    params = {"user_id": user_id, "course_id": course_id}
    return session.scalar(_enrolment_statement(), params) is not None


def enrol(session: Session, user_id: int, course_id: int, source: str = "self") -> bool:
    """Enrol (idempotent); True when this call created the enrolment."""
    return insert_or_ignore(
        session, Enrolment, {"user_id": user_id, "course_id": course_id, "source": source}
    )


@cache
def _completed_statement() -> Select[Any]:
    return select(Completion.course_id).where(Completion.user_id == _USER)


def completed_course_ids(session: Session, user_id: int) -> set[int]:
    """Ids of the courses this learner has completed."""
    return set(session.scalars(_completed_statement(), {"user_id": user_id}))


def missing_prerequisites(
    session: Session, user_id: int, view: CourseView, catalog: Catalog
) -> list[str]:
    """Codes of prerequisite courses the learner has not completed yet."""
    if not view.prerequisites:
        return []
    done = completed_course_ids(session, user_id)
    missing = []
    for code in view.prerequisites:
        prerequisite = catalog.by_code.get(code)
        if prerequisite is None or prerequisite.course_id not in done:
            missing.append(code)
    return missing


def record_open(
    session: Session, user_id: int, course_id: int, slug: str, at: datetime | None = None
) -> None:
    """Remember that the learner opened a module (the first time only), `at` or now."""
    values: dict[str, object] = {"user_id": user_id, "course_id": course_id, "module_slug": slug}
    if at is not None:
        values["first_opened_at"] = at
    insert_or_ignore(session, ModuleProgress, values)


def clamp_occurred_at(occurred_at: datetime | None, now: datetime) -> datetime:
    """The time to record for an event: the client's, within sane bounds, else now."""
    if occurred_at is None or occurred_at.tzinfo is None:
        return now
    return min(max(occurred_at, now - MAX_OFFLINE_AGE), now)


def record_event(
    session: Session,
    *,
    user_id: int,
    course_id: int,
    slug: str,
    event_id: str,
    occurred_at: datetime,
    source: str,
    kind: str = "completed",
    seconds: int | None = None,
) -> bool:
    """Store a client's progress event once; False when this id was already applied."""
    return insert_or_ignore(
        session,
        ProgressEvent,
        {
            # Scoped by learner: nobody can pre-claim or replay another learner's event id.
            "id": f"{user_id}:{event_id}",
            "user_id": user_id,
            "course_id": course_id,
            "module_slug": slug,
            "kind": kind,
            "occurred_at": occurred_at,
            "source": source,
            "seconds": seconds,
        },
    )


def event_kind(session: Session, user_id: int, event_id: str) -> str | None:
    """What became of a stored event (`completed`, or `read` for a mark refused as early)."""
    return session.scalar(
        select(ProgressEvent.kind).where(ProgressEvent.id == f"{user_id}:{event_id}")
    )


def set_event_kind(session: Session, user_id: int, event_id: str, kind: str) -> None:
    """Record what became of an event (a mark refused as too early is kept as `read`)."""
    session.execute(
        update(ProgressEvent)
        .where(ProgressEvent.id == f"{user_id}:{event_id}")
        .values(kind=kind)
        .execution_options(synchronize_session=False)
    )


def complete_module(
    session: Session,
    *,
    user_id: int,
    course_id: int,
    slug: str,
    version_id: int | None,
    now: datetime,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
    source: str = "web",
) -> bool:
    """Mark a module complete; False when this event was already applied (a replay).

    The earliest completion time wins, so an offline completion synced after a later online
    one still keeps the time the learner really finished.
    """
    when = clamp_occurred_at(occurred_at, now)
    if event_id is not None and not record_event(
        session,
        user_id=user_id,
        course_id=course_id,
        slug=slug,
        event_id=event_id,
        occurred_at=when,
        source=source,
    ):
        return False
    record_open(session, user_id, course_id, slug)
    params = {
        "whose": user_id,
        "which_course": course_id,
        "which_module": slug,
        "mark_at": when,
        "mark_version": version_id,
    }
    session.execute(_complete_statement(), params)
    return True


@cache
def _complete_statement() -> Update:
    """One atomic UPDATE: concurrent completions of the same module cannot overwrite each other.

    Built once with bound parameters (each mark built it and its cache key before); they are
    named unlike any column, since an UPDATE's parameter named for a column would be SET.
    """
    when = bindparam("mark_at", type_=ModuleProgress.completed_at.type)
    return (
        update(ModuleProgress)
        .where(
            ModuleProgress.user_id == bindparam("whose", type_=Integer),
            ModuleProgress.course_id == bindparam("which_course", type_=Integer),
            ModuleProgress.module_slug
            == bindparam("which_module", type_=ModuleProgress.module_slug.type),
        )
        .values(
            completed_at=case(
                (ModuleProgress.completed_at.is_(None), when),
                (ModuleProgress.completed_at > when, when),
                else_=ModuleProgress.completed_at,
            ),
            completed_version_id=func.coalesce(
                ModuleProgress.completed_version_id, bindparam("mark_version", type_=Integer)
            ),
        )
        .execution_options(synchronize_session=False)
    )


_COLUMNS = (
    ModuleProgress.module_slug,
    ModuleProgress.completed_at,
    ModuleProgress.study_seconds,
    ModuleProgress.visit_started_at,
)


@cache
def _progress_statement() -> Select[*tuple[Any, ...]]:
    return select(*_COLUMNS).where(
        ModuleProgress.user_id == _USER, ModuleProgress.course_id == _COURSE
    )


def course_progress(session: Session, user_id: int, view: CourseView) -> CourseProgress:
    """Which modules of the course the learner has opened and completed (current modules only)."""
    params = {"user_id": user_id, "course_id": view.course_id}
    return _progress(view, session.execute(_progress_statement(), params).all())


def _progress(view: CourseView, rows: Sequence[Any]) -> CourseProgress:
    """(slug, completed at, study seconds, visit start) rows as progress over current modules."""
    current = {m.slug for m in view.modules}
    mine = [row for row in rows if row[0] is not None]
    return CourseProgress(
        opened=frozenset(row[0] for row in mine if row[0] in current),
        completed=frozenset(row[0] for row in mine if row[1] is not None and row[0] in current),
        total=len(current),
        study={row[0]: StudyTime(row[2] or 0, row[3]) for row in mine if row[0] in current},
        any_opened=bool(mine),
    )


def enrolled_progress(session: Session, user_id: int, view: CourseView) -> CourseProgress | None:
    """`course_progress` for an enrolled learner, None when not enrolled: one query.

    The module page needs both on every view; asking for the enrolment and the progress rows
    together saves a round trip on the hottest page.
    """
    params = {"user_id": user_id, "course_id": view.course_id}
    rows = session.execute(_enrolled_progress_statement(), params).all()
    return _progress(view, rows) if rows else None


@cache
def _enrolled_progress_statement() -> Select[*tuple[Any, ...]]:
    return (
        select(*_COLUMNS)
        .select_from(Enrolment)
        .outerjoin(
            ModuleProgress,
            (ModuleProgress.user_id == Enrolment.user_id)
            & (ModuleProgress.course_id == Enrolment.course_id),
        )
        .where(Enrolment.user_id == _USER, Enrolment.course_id == _COURSE)
    )


def next_module(view: CourseView, progress: CourseProgress) -> str | None:
    """The first module not completed yet ("Lanjutkan belajar"), None when all are done."""
    return next((m.slug for m in view.modules if m.slug not in progress.completed), None)
