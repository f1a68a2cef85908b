"""Study time: a module is marked complete only after a minimum time on it, measured by the
server over visits and offline reading (app/learning/study_time.py)."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.content import store
from app.content.catalog import CourseView, ModuleSummary
from app.db import utcnow
from app.learning import study_time
from app.learning.models import ModuleProgress, ProgressEvent
from tests.factories import csrf_token, login, make_user
from tests.learning.test_journey import _take_quiz

BASE = "/kursus/PPP-101"
MODULE = "01-dasar-hukum-dan-asas"  # menit: 30, so 9 minutes at the default 30%
SECOND = "02-standar-dan-maklumat-pelayanan"


def _module(minutes: int = 30, percent: int | None = None) -> ModuleSummary:
    return ModuleSummary("01-a", 1, "A", minutes, "bacaan", percent)


def _view(percent: int = 30, *modules: ModuleSummary) -> CourseView:
    return CourseView(
        course_id=1,
        code="X-1",
        status="active",
        version_id=1,
        version_number=1,
        published=True,
        title="X",
        summary="",
        category="teknis",
        jp=1,
        level="dasar",
        authors=(),
        version_label="1",
        passing_score=70,
        score_policy="terbaik",
        prerequisites=(),
        total_minutes=30,
        modules=modules,
        quizzes=(),
        min_time_percent=percent,
    )


def test_required_time_is_the_share_of_estimated_minutes_with_the_module_overriding() -> None:
    assert study_time.required_seconds(_view(30), _module(30)) == 540
    assert study_time.required_seconds(_view(30), _module(25, percent=50)) == 750
    assert study_time.required_seconds(_view(30), _module(30, percent=0)) == 0
    assert study_time.required_seconds(_view(0), _module(30)) == 0


def test_one_visit_counts_at_most_twice_the_estimate_and_never_less_than_ten_minutes() -> None:
    now = utcnow()
    overnight = now - timedelta(hours=10)
    assert (
        study_time.visit_seconds(overnight, now, study_time.visit_cap_seconds(_module(30))) == 3600
    )
    assert study_time.visit_cap_seconds(_module(2)) == 600
    assert study_time.visit_seconds(now + timedelta(minutes=5), now, 600) == 0  # clock skew
    assert study_time.clamp_reported(10**9, _module(30)) == 3600
    assert study_time.clamp_reported(-50, _module(30)) == 0


def test_too_early_message_states_time_read_and_time_left_in_minutes() -> None:
    early = study_time.TooEarly(studied_seconds=125, left_seconds=235)
    assert early.message() == (
        "Anda baru membaca modul ini 2 menit. Tandai selesai dapat dilakukan setelah 4 menit lagi."
    )
    assert "setelah 1 menit lagi" in study_time.TooEarly(0, 5).message()
    # Under a minute read: no "0 menit", just that reading has begun.
    assert study_time.TooEarly(studied_seconds=40, left_seconds=500).message() == (
        "Anda baru mulai membaca modul ini. Tandai selesai dapat dilakukan setelah 9 menit lagi."
    )


def _open(client: TestClient, slug: str = MODULE) -> str:
    page = client.get(f"{BASE}/modul/{slug}")
    assert page.status_code == 200, page.headers.get("location")
    return secrets.token_urlsafe(16)  # the id the page's script makes for its mark


def _mark(client: TestClient, event_id: str, slug: str = MODULE):  # type: ignore[no-untyped-def]
    return client.post(
        f"{BASE}/modul/{slug}/selesai",
        data={"csrf_token": csrf_token(client, BASE), "event_id": event_id},
    )


def _row(session: Session, user: User, slug: str = MODULE) -> ModuleProgress:
    row = session.scalar(
        select(ModuleProgress).where(
            ModuleProgress.user_id == user.id, ModuleProgress.module_slug == slug
        )
    )
    assert row is not None
    session.refresh(row)
    return row


def _backdate_visit(session: Session, user: User, minutes: float, slug: str = MODULE) -> None:
    """The page was served `minutes` ago (instead of waiting)."""
    session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.user_id == user.id, ModuleProgress.module_slug == slug)
        .values(visit_started_at=utcnow() - timedelta(minutes=minutes))
    )
    session.commit()


@pytest.fixture
def reader(client: TestClient, session: Session, demo_content: store.ImportReport) -> User:
    """A learner of PPP-101 who has taken the pre-test (the course asks for it first)."""
    learner = make_user(session)
    login(client, learner)
    _take_quiz(client, session, "tes-awal", correct=False)
    return learner


def test_marking_too_early_without_javascript_is_refused_with_the_time_left_and_changes_nothing(
    client: TestClient, session: Session, reader: User
) -> None:
    event_id = _open(client)
    _backdate_visit(session, reader, 2.5)
    response = _mark(client, event_id)
    assert response.status_code == 409
    assert response.template.name == "content/module.html"
    message = response.context["too_early"]
    assert message == (
        "Anda baru membaca modul ini 2 menit. Tandai selesai dapat dilakukan setelah 7 menit lagi."
    )
    assert message in response.text and "data-mark-message" in response.text
    row = _row(session, reader)
    assert row.completed_at is None and row.study_seconds == 0
    assert row.visit_started_at is not None  # the visit goes on
    assert session.scalar(select(func.count()).select_from(ProgressEvent)) == 0


def test_enough_time_summed_over_two_visits_lets_the_module_be_marked(
    client: TestClient, session: Session, reader: User
) -> None:
    _open(client)
    _backdate_visit(session, reader, 5)
    event_id = _open(client)  # the second visit credits the first
    assert 299 <= _row(session, reader).study_seconds <= 301
    assert _mark(client, event_id).status_code == 409  # 5 of 9 minutes
    _backdate_visit(session, reader, 4.5)
    response = _mark(client, event_id)
    assert response.status_code == 303
    row = _row(session, reader)
    assert row.completed_at is not None
    assert row.visit_started_at is None and row.study_seconds >= 540


def test_a_tab_left_open_overnight_counts_at_most_twice_the_estimate(
    client: TestClient, session: Session, reader: User
) -> None:
    _open(client)
    _backdate_visit(session, reader, 12 * 60)
    _open(client)
    assert _row(session, reader).study_seconds == 2 * 30 * 60


def test_opening_another_module_ends_the_visit_so_side_by_side_tabs_do_not_add_up(
    client: TestClient, session: Session, reader: User
) -> None:
    first = _open(client)
    _backdate_visit(session, reader, 3)
    _open(client, SECOND)  # the learner moved on to module 2
    _backdate_visit(session, reader, 60, SECOND)
    row = _row(session, reader)
    assert row.visit_started_at is None and 179 <= row.study_seconds <= 181
    assert _mark(client, first).status_code == 409  # 3 minutes on module 1, not 63


def test_module_with_zero_minimum_can_be_marked_at_once(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    folder = content_copy / "pelayanan-publik-prima"
    module = folder / f"{MODULE}.md"
    module.write_text(
        module.read_text().replace("menit: 30\n", "menit: 30\nwaktu_minimal_persen: 0\n", 1)
    )
    assert store.import_library(session, content_copy).published == ["PPP-101"]
    session.commit()
    learner = make_user(session)
    login(client, learner)
    _take_quiz(client, session, "tes-awal", correct=False)
    assert _mark(client, _open(client)).status_code == 303
    assert _mark(client, _open(client, SECOND), SECOND).status_code == 409  # the course's 30%


def test_already_completed_module_can_be_marked_again_without_time(
    client: TestClient, session: Session, reader: User
) -> None:
    event_id = _open(client)
    _backdate_visit(session, reader, 10)
    assert _mark(client, event_id).status_code == 303
    assert client.get(f"{BASE}/modul/{MODULE}").context["module_done"]
    assert _row(session, reader).visit_started_at is None  # re-reading starts no visit
    assert _mark(client, "a-second-tap-id").status_code == 303  # nothing to refuse: done


def test_progress_recorded_before_the_rule_stays_complete(
    client: TestClient, session: Session, reader: User
) -> None:
    finished = utcnow() - timedelta(days=40)
    session.add(
        ModuleProgress(
            user_id=reader.id,
            course_id=_row_course_id(session),
            module_slug=MODULE,
            first_opened_at=finished,
            completed_at=finished,
        )
    )
    session.commit()
    page = client.get(f"{BASE}/modul/{MODULE}")
    assert page.context["module_done"] is True
    assert _row(session, reader).completed_at == finished


def _row_course_id(session: Session) -> int:
    from app.content.models import Course

    course_id = session.scalar(select(Course.id).where(Course.code == "PPP-101"))
    assert course_id is not None
    return course_id


def _token(client: TestClient) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get(BASE).text)
    assert match is not None
    return match[1]


def _sync(client: TestClient, *events: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(
        "/sinkron", json={"events": list(events)}, headers={"X-CSRF-Token": _token(client)}
    )


def test_offline_mark_too_early_is_reported_back_and_its_reading_time_kept(
    client: TestClient, session: Session, reader: User
) -> None:
    event = {"id": "offline-early1", "course": "PPP-101", "module": MODULE, "seconds": 240}
    body = _sync(client, event).json()
    assert body["applied"] == [] and body["rejected"] == {}
    assert body["too_early"] == {
        "offline-early1": "Anda baru membaca modul ini 4 menit. Tandai selesai dapat dilakukan "
        "setelah 5 menit lagi."
    }
    row = _row(session, reader)
    assert row.completed_at is None and row.study_seconds == 240
    # Opened when the offline reading began, not when the phone found a connection.
    assert (
        utcnow() - timedelta(seconds=250) < row.first_opened_at < utcnow() - timedelta(seconds=230)
    )
    stored = session.scalar(select(ProgressEvent))
    assert stored is not None and (stored.kind, stored.seconds) == ("read", 240)

    # The same event again (the first answer was lost with the page): credited once only,
    # and reported again, so the learner still learns the mark was not taken.
    replay = _sync(client, event).json()
    assert replay["duplicates"] == [] and replay["applied"] == []
    assert replay["too_early"] == body["too_early"]
    assert _row(session, reader).study_seconds == 240

    later = {"id": "offline-later1", "course": "PPP-101", "module": MODULE, "seconds": 300}
    assert _sync(client, later).json()["applied"] == ["offline-later1"]
    assert _row(session, reader).completed_at is not None


def test_offline_reading_time_is_clamped_by_the_server(
    client: TestClient, session: Session, reader: User
) -> None:
    event = {"id": "offline-huge01", "course": "PPP-101", "module": MODULE, "seconds": 10**7}
    assert _sync(client, event).json()["applied"] == ["offline-huge01"]
    assert _row(session, reader).study_seconds == 2 * 30 * 60
    negative = {"id": "offline-neg001", "course": "PPP-101", "module": SECOND, "seconds": -500}
    assert list(_sync(client, negative).json()["too_early"]) == ["offline-neg001"]
    assert _row(session, reader, SECOND).study_seconds == 0


def test_offline_report_replaces_the_open_visit_it_overlaps(
    client: TestClient, session: Session, reader: User
) -> None:
    _open(client)
    _backdate_visit(session, reader, 8)
    event = {"id": "offline-over01", "course": "PPP-101", "module": MODULE, "seconds": 60}
    assert list(_sync(client, event).json()["too_early"]) == ["offline-over01"]
    row = _row(session, reader)
    assert row.study_seconds == 60 and row.visit_started_at is None
