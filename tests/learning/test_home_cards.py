"""The learner's next actions on the home page and each course's status in the catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import User
from app.content.models import Course
from app.learning import home_cards
from app.learning.home_cards import Progress
from app.learning.models import Assignment, Enrolment, ModuleProgress
from tests.factories import login
from tests.learning.conftest import Complete

DONE_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _course_ids(session: Session) -> dict[str, int]:
    return {code: course_id for code, course_id in session.execute(select(Course.code, Course.id))}


def _enrol(session: Session, user: User, course_id: int, days_ago: int = 0) -> None:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    session.add(Enrolment(user_id=user.id, course_id=course_id, enrolled_at=when))


def _assign(session: Session, user: User, course_id: int, due_in_days: int) -> None:
    due = clock.today() + timedelta(days=due_in_days)
    session.add(Assignment(user_id=user.id, course_id=course_id, due_on=due))


@contextmanager
def _counting_queries(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_catalogue_statuses_are_computed_for_every_course_in_one_query(
    session: Session, learner: User, complete: Complete
) -> None:
    ids = _course_ids(session)
    _enrol(session, learner, ids["PPP-101"])
    _assign(session, learner, ids["MWK-201"], due_in_days=-1)
    session.commit()
    complete(learner, "KOM-101", DONE_AT, certificate="LTR-2026-KOM-00001-AAAA")
    user_id, today = learner.id, clock.today()
    session.expire_all()

    with _counting_queries(session) as statements:
        statuses = home_cards.catalogue_statuses(session, user_id, today)

    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert statuses[ids["PPP-101"]].progress is Progress.IN_PROGRESS
    assert not statuses[ids["PPP-101"]].assigned
    assert statuses[ids["KOM-101"]].progress is Progress.DONE
    late = statuses[ids["MWK-201"]]
    assert late.progress is Progress.NOT_STARTED
    assert late.assigned and late.overdue
    assert late.due_on == clock.today() - timedelta(days=1)


def test_a_revoked_completion_is_not_done_in_the_catalogue(
    session: Session, learner: User, complete: Complete
) -> None:
    ids = _course_ids(session)
    _enrol(session, learner, ids["KOM-101"])
    _assign(session, learner, ids["KOM-101"], due_in_days=-3)
    session.commit()
    complete(learner, "KOM-101", DONE_AT, certificate="LTR-2026-KOM-00002-BBBB", revoked=True)

    status = home_cards.catalogue_statuses(session, learner.id, clock.today())[ids["KOM-101"]]

    assert status.progress is Progress.IN_PROGRESS
    assert status.overdue


def test_catalogue_page_shows_each_course_status(
    client: TestClient, session: Session, learner: User, complete: Complete
) -> None:
    ids = _course_ids(session)
    _enrol(session, learner, ids["PPP-101"])
    _assign(session, learner, ids["MWK-201"], due_in_days=5)
    session.commit()
    complete(learner, "KOM-101", DONE_AT, certificate="LTR-2026-KOM-00003-CCCC")
    login(client, learner)

    page = client.get("/kursus")

    assert page.template.name == "content/catalog.html"
    statuses = page.context["statuses"]
    assert [statuses[ids[code]].progress for code in ("PPP-101", "KOM-101", "MWK-201")] == [
        Progress.IN_PROGRESS,
        Progress.DONE,
        Progress.NOT_STARTED,
    ]
    assert statuses[ids["MWK-201"]].assigned
    assert "Sedang dipelajari" in page.text and "✔ Selesai" in page.text
    assert "Ditugaskan" in page.text and "lewat tenggat" not in page.text


def test_home_puts_overdue_assignments_first_then_assignments_then_courses_in_progress(
    client: TestClient, session: Session, learner: User, demo_content: Any
) -> None:
    ids = _course_ids(session)
    _enrol(session, learner, ids["PPP-101"], days_ago=3)
    _assign(session, learner, ids["PPP-101"], due_in_days=10)
    _assign(session, learner, ids["KOM-101"], due_in_days=-1)  # overdue, not started
    _enrol(session, learner, ids["MWK-201"], days_ago=1)  # joined by the learner
    session.add(
        ModuleProgress(
            user_id=learner.id, course_id=ids["PPP-101"], module_slug="x", completed_at=DONE_AT
        )
    )
    session.commit()
    login(client, learner)

    home = client.get("/")

    cards = home.context["next_up"]
    assert [c.course.code for c in cards] == ["KOM-101", "PPP-101", "MWK-201"]
    assert cards[0].overdue and not cards[1].overdue
    # The assigned course in progress is a card: no "nothing in progress" line under it.
    assert "Belum ada kursus yang sedang Anda pelajari" not in home.text
    assert home.text.count('class="button big"') == 3
    assert home.text.index("Lanjutkan belajar") < home.text.index("Capaian JP")


def test_home_without_courses_points_to_the_catalogue(
    client: TestClient, learner: User, demo_content: Any
) -> None:
    login(client, learner)

    home = client.get("/")

    assert home.context["next_up"] == []
    assert "Belum ada kursus yang sedang Anda pelajari" in home.text
