"""Many parallel writes for one learner lose nothing and count nothing twice (both databases).

Each thread has its own connection and transaction, as worker threads and processes do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.content import store
from app.content.catalog import ContentCache, CourseView
from app.content.format import loader
from app.db import make_engine, make_sessionmaker, session_scope, utcnow
from app.learning import completion, progress, quizzes
from app.learning.models import (
    Certificate,
    Completion,
    ModuleProgress,
    ProgressEvent,
    QuizAttempt,
)
from tests.conftest import CONTENT_DIR
from tests.factories import make_user

T = TypeVar("T")
THREADS = 8


@pytest.fixture
def real_db(
    fresh_database_url: str, demo_library: loader.Library
) -> Iterator[tuple[sessionmaker[Session], int, CourseView]]:
    engine: Engine = make_engine(fresh_database_url, pool_size=THREADS + 2)
    factory = make_sessionmaker(engine)
    with session_scope(factory) as session:
        store.import_library(session, CONTENT_DIR, library=demo_library)
        user_id = make_user(session, roles={Role.LEARNER}).id
    with factory() as session:
        view = ContentCache().catalog(session).by_code["PPP-101"]
    yield factory, user_id, view
    engine.dispose()


def _parallel(factory: sessionmaker[Session], work: Callable[[Session, int], T], n: int) -> list[T]:
    def run(index: int) -> T:
        with session_scope(factory) as session:
            return work(session, index)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(n)))


def test_parallel_module_completions_count_once_and_keep_every_event(real_db) -> None:  # type: ignore[no-untyped-def]
    factory, user_id, view = real_db
    slugs = [m.slug for m in view.modules]

    def complete(session: Session, index: int) -> bool:
        # Every module is completed by several requests; half of them replay the same event.
        slug = slugs[index % len(slugs)]
        event = f"event-{slug}" if index % 2 else f"event-{index:04d}"
        return progress.complete_module(
            session,
            user_id=user_id,
            course_id=view.course_id,
            slug=slug,
            version_id=view.version_id,
            now=utcnow(),
            event_id=event,
        )

    _parallel(factory, complete, 48)
    with factory() as session:
        rows = session.scalars(
            select(ModuleProgress).where(ModuleProgress.user_id == user_id)
        ).all()
        assert sorted(r.module_slug for r in rows) == sorted(slugs)
        assert all(r.completed_at is not None for r in rows)
        events = session.scalar(select(func.count()).select_from(ProgressEvent))
        replayed = {slugs[i % len(slugs)] for i in range(48) if i % 2}
        assert events == 24 + len(replayed)  # each distinct id applied exactly once


def test_parallel_quiz_starts_and_submissions_create_one_attempt_graded_once(real_db) -> None:  # type: ignore[no-untyped-def]
    factory, user_id, view = real_db
    with session_scope(factory) as session:
        for module in view.modules:
            progress.complete_module(
                session,
                user_id=user_id,
                course_id=view.course_id,
                slug=module.slug,
                version_id=view.version_id,
                now=utcnow(),
            )

    def start(session: Session, _index: int) -> int:
        attempt = quizzes.start_attempt(
            session,
            user_id=user_id,
            view=view,
            key="tes-akhir",
            now=utcnow(),
            all_modules_done=True,
        )
        session.flush()
        return attempt.number

    numbers = _parallel(factory, start, THREADS)
    with factory() as session:
        attempts = session.scalars(select(QuizAttempt)).all()
    # Racing starts open one attempt; every other request resumes it.
    assert len(attempts) == 1
    assert set(numbers) == {1}
    first = min(attempts, key=lambda a: a.number)

    def submit(session: Session, _index: int) -> bool:
        attempt = session.get(QuizAttempt, first.id)
        assert attempt is not None
        from app.content.models import QuizVersion

        row = session.get(QuizVersion, attempt.quiz_version_id)
        assert row is not None
        spec = quizzes.quiz_spec(row)
        answers = {}
        for question_id, _options in attempt.drawn:
            question = spec.question(question_id)
            assert question is not None
            answers[question_id] = (
                question.accepted_answers[0]
                if question.kind == "short"
                else tuple(question.correct_option_ids)
            )
        accepted = quizzes.submit_attempt(session, attempt, spec, answers, utcnow())
        user = session.get(User, user_id)
        assert user is not None
        completion.try_complete(session, user, view, utcnow())
        return accepted

    accepted = _parallel(factory, submit, THREADS)
    assert accepted.count(True) == 1
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Completion)) == 1
        assert session.scalar(select(func.count()).select_from(Certificate)) == 1
        graded = session.get(QuizAttempt, first.id)
        assert graded is not None and graded.score == 1.0
        # The score is in the audit trail once, however many submissions raced.
        scored = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "quiz.attempt_graded")
        ).all()
        assert [(e.target_id, e.details["score"]) for e in scored] == [(str(first.id), 1.0)]
