"""The learner's busiest pages cost the same SQL statements however many courses the learner has.

The learner home, the catalogue and the module page read each kind of data (enrolments,
assignments, completions, module progress) for all courses at once: a learner who joined,
was assigned, finished or had a certificate revoked in every course costs what a learner with
one course costs. docs/benchmarks.md gives the counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import User
from app.content.models import Course
from app.learning.models import Assignment, Enrolment, ModuleProgress
from tests.factories import login
from tests.learning.conftest import Complete
from tests.learning.test_journey import _module_slugs

MODULE = "/kursus/KOM-101/modul/01-dasar-komunikasi-pelayanan"


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def _record(*args: Any) -> None:
        statement = str(args[2])
        # The catalogue re-reads content_state.generation once LENTERA_CONTENT_RECHECK_SECONDS
        # have passed, and the session cache auth_generation.value once
        # LENTERA_SESSION_RECHECK_SECONDS have: on a slow machine that lands in one request and
        # not the other. Neither is about courses, so both are left out of the count.
        if "content_state" not in statement and "auth_generation" not in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)


def _cost(client: TestClient, engine: Engine, path: str) -> tuple[int, Any]:
    with _statements(engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements), response


def test_the_learner_pages_cost_the_same_statements_however_many_courses(
    client: TestClient,
    session: Session,
    engine: Engine,
    learner: User,
    complete: Complete,
) -> None:
    ids: dict[str, int] = dict(session.execute(select(Course.code, Course.id)).all())
    assert len(ids) >= 4
    now = datetime.now(UTC)
    session.add(Enrolment(user_id=learner.id, course_id=ids["KOM-101"], enrolled_at=now))
    # A module opened already: the pre-test is behind the learner, the module page is served.
    first = _module_slugs(session, "KOM-101")[0]
    session.add(ModuleProgress(user_id=learner.id, course_id=ids["KOM-101"], module_slug=first))
    session.commit()
    login(client, learner)
    for path in ("/", "/kursus", MODULE):
        client.get(path)  # the first request also loads the content catalogue
    one_course = {path: _cost(client, engine, path)[0] for path in ("/", "/kursus", MODULE)}

    # Every other course joined, assigned (one overdue), part-read; two completed, one of
    # them with its certificate revoked; and more of KOM-101 read and completed.
    others = sorted(code for code in ids if code != "KOM-101")
    for n, code in enumerate(others):
        course_id = ids[code]
        session.add(
            Enrolment(user_id=learner.id, course_id=course_id, enrolled_at=now - timedelta(n + 1))
        )
        session.add(
            Assignment(
                user_id=learner.id, course_id=course_id, due_on=clock.today() + timedelta(n - 1)
            )
        )
        for slug in _module_slugs(session, code)[:2]:
            session.add(
                ModuleProgress(
                    user_id=learner.id, course_id=course_id, module_slug=slug, completed_at=now
                )
            )
    for slug in _module_slugs(session, "KOM-101")[1:3]:
        session.add(
            ModuleProgress(
                user_id=learner.id, course_id=ids["KOM-101"], module_slug=slug, completed_at=now
            )
        )
    session.commit()
    complete(learner, others[0], now, certificate="LTR-2026-STM-00001-AAAA")
    complete(learner, others[1], now, certificate="LTR-2026-STM-00002-AAAA", revoked=True)

    many_courses = {}
    pages = {}
    for path in ("/", "/kursus", MODULE):
        many_courses[path], pages[path] = _cost(client, engine, path)

    assert many_courses == one_course
    # The pages did read the courses: every one is on the home page and in the catalogue.
    dashboard = pages["/"].context["dashboard"]
    cards = dashboard.assigned + dashboard.in_progress + dashboard.completed
    assert {card.course.code for card in cards} == set(ids)
    assert {card.course.code for card in dashboard.completed} == {others[0], others[1]}
    assert [card.course.code for card in dashboard.assigned if card.revoked] == [others[1]]
    statuses = pages["/kursus"].context["statuses"]
    assert set(statuses) == set(ids.values())
