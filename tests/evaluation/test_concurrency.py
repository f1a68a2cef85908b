"""A double tap sends the same form twice at once: each "once" holds on both databases.

Every thread has its own connection and transaction, as worker threads and processes do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.config import Settings
from app.content import store
from app.content.format import loader
from app.content.models import Course
from app.db import make_engine, make_sessionmaker, session_scope, utcnow
from app.evaluation import service, supervisor, supervisor_answer
from app.evaluation.models import ActionPlan, ReactionSurvey
from app.evaluation.schemas import (
    FollowUpInput,
    PlanInput,
    SupervisorBindingInput,
    SupervisorInput,
    SurveyInput,
)
from app.learning.models import Completion
from tests.conftest import CONTENT_DIR
from tests.factories import make_user

THREADS = 6
BOSS_NIP = "197503152000032002"
PLAN = "Menyusun daftar periksa berkas layanan KTP di loket dan membagikannya ke rekan."


@pytest.fixture
def real_db(
    fresh_database_url: str, demo_library: loader.Library
) -> Iterator[tuple[sessionmaker[Session], int, int]]:
    engine: Engine = make_engine(fresh_database_url, pool_size=THREADS + 2)
    factory = make_sessionmaker(engine)
    with session_scope(factory) as session:
        store.import_library(session, CONTENT_DIR, library=demo_library)
        course_id = session.scalars(select(Course.id).where(Course.code == "PPP-101")).one()
        user_id = make_user(session, password=None).id
        session.add(Completion(user_id=user_id, course_id=course_id, final_score=90, jp=2))
    yield factory, user_id, course_id
    engine.dispose()


def _race(factory: sessionmaker[Session], work: Callable[[Session], object]) -> list[bool]:
    """Run `work` in THREADS transactions at once; True where it succeeded."""

    def run(_index: int) -> bool:
        with session_scope(factory) as session:
            try:
                work(session)
            except service.EvaluationConflict:
                return False
            return True

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def _count(factory: sessionmaker[Session], model: type, *where: object) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_simultaneous_submissions_are_each_recorded_exactly_once(real_db) -> None:  # type: ignore[no-untyped-def]
    factory, user_id, course_id = real_db
    settings = Settings(_env_file=None)
    today = service.local_today(settings)

    surveyed = _race(
        factory,
        lambda s: service.submit_survey(s, user_id, course_id, SurveyInput(5, 4, 4, None)),
    )
    assert surveyed.count(True) == 1
    assert _count(factory, ReactionSurvey) == 1

    # Racing first saves of the plan: one creates it, the others become edits of it.
    _race(
        factory,
        lambda s: service.save_action_plan(s, settings, user_id, course_id, PlanInput(PLAN, None)),
    )
    assert _count(factory, ActionPlan) == 1
    created = AuditEvent.details["created"].as_boolean()
    assert (
        _count(factory, AuditEvent, AuditEvent.action == "evaluation.action_plan_saved", created)
        == 1
    )

    with session_scope(factory) as session:
        plan = session.scalars(select(ActionPlan)).one()
        plan.follow_up_on = today - timedelta(days=1)
    reported = _race(
        factory,
        lambda s: service.report_follow_up(
            s, user_id, course_id, FollowUpInput("applied", None), today
        ),
    )
    assert reported.count(True) == 1
    assert _count(factory, AuditEvent, AuditEvent.action == "evaluation.follow_up_reported") == 1

    with session_scope(factory) as session:
        learner = session.get(User, user_id)
        assert learner is not None
        token = supervisor.issue_supervisor_link(
            session, learner, course_id, today, SupervisorBindingInput(BOSS_NIP, "Ibu Rahma", None)
        ).token
    confirmed = _race(
        factory,
        lambda s: supervisor_answer.confirm_by_supervisor(
            s, token, BOSS_NIP, SupervisorInput("fully", None)
        ),
    )
    assert confirmed.count(True) == 1
    assert _count(factory, AuditEvent, AuditEvent.action == "evaluation.supervisor_confirmed") == 1
    with factory() as session:
        plan = session.scalars(select(ActionPlan)).one()
        assert plan.supervisor_confirmed_at is not None
        assert plan.supervisor_confirmed_at <= utcnow()
