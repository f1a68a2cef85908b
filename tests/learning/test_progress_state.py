"""The module page's learner state: enrolment and progress read together."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.content.catalog import ContentCache
from app.db import utcnow
from app.learning import progress


def _view(app: FastAPI, session: Session, code: str) -> Any:
    cache: ContentCache = app.state.content
    return cache.catalog(session).by_code[code]


def test_enrolled_progress_is_none_until_enrolled_then_matches_course_progress(
    app: FastAPI, session: Session, learner: User, demo_content: Any
) -> None:
    view = _view(app, session, "PPP-101")
    first, second = (m.slug for m in view.modules[:2])

    assert progress.enrolled_progress(session, learner.id, view) is None

    progress.enrol(session, learner.id, view.course_id)
    empty = progress.enrolled_progress(session, learner.id, view)
    assert empty is not None and empty.opened == frozenset() and empty.total == len(view.modules)

    progress.record_open(session, learner.id, view.course_id, first)
    progress.complete_module(
        session,
        user_id=learner.id,
        course_id=view.course_id,
        slug=second,
        version_id=view.version_id,
        now=utcnow(),
        event_id=None,
    )
    state = progress.enrolled_progress(session, learner.id, view)

    assert state == progress.course_progress(session, learner.id, view)
    assert state is not None
    assert state.opened == {first, second} and state.completed == {second}


def test_progress_in_another_course_is_not_mixed_in(
    app: FastAPI, session: Session, learner: User, demo_content: Any
) -> None:
    ppp, kom = _view(app, session, "PPP-101"), _view(app, session, "KOM-101")
    progress.enrol(session, learner.id, ppp.course_id)
    progress.enrol(session, learner.id, kom.course_id)
    progress.record_open(session, learner.id, kom.course_id, kom.modules[0].slug)

    state = progress.enrolled_progress(session, learner.id, ppp)

    assert state is not None and state.opened == frozenset()
