"""Server-side sessions: idle and absolute expiry, the deferred "last seen" touch, one query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import AuthSession, Role
from app.config import Settings
from app.db import utcnow
from tests.factories import login, make_user


def _only_session(session: Session) -> AuthSession:
    session.expire_all()
    rows = session.scalars(select(AuthSession)).all()
    assert len(rows) == 1
    return rows[0]


def _age(session: Session, *, seen: timedelta, created: timedelta | None = None) -> None:
    row = _only_session(session)
    row.last_seen_at = utcnow() - seen
    if created is not None:
        row.created_at = utcnow() - created
        row.expires_at = row.created_at + timedelta(hours=12)
    session.commit()


@pytest.fixture
def statements(connection: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(connection, "before_cursor_execute", record)
    yield seen
    event.remove(connection, "before_cursor_execute", record)


def test_a_session_idle_longer_than_the_limit_ends_and_is_deleted(
    client: TestClient, session: Session, settings: Settings
) -> None:
    login(client, make_user(session))
    _age(session, seen=timedelta(minutes=settings.session_idle_minutes, seconds=5))

    response = client.get("/")

    assert response.status_code == 303 and response.headers["location"].startswith("/masuk")
    session.expire_all()
    assert session.scalars(select(AuthSession)).all() == []


def test_a_session_past_its_absolute_expiry_ends_even_when_active(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session))
    _age(session, seen=timedelta(seconds=10), created=timedelta(hours=12, minutes=1))

    assert client.get("/").status_code == 303


def test_a_deactivated_account_loses_its_open_session(client: TestClient, session: Session) -> None:
    user = make_user(session)
    login(client, user)
    user.is_active = False
    session.commit()

    assert client.get("/").status_code == 303
    session.expire_all()
    assert session.scalars(select(AuthSession)).all() == []


def test_last_seen_is_written_when_due_and_not_on_every_page(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session))
    recent = utcnow() - timedelta(minutes=1)
    _age(session, seen=timedelta(minutes=1))
    assert client.get("/").status_code == 200
    # Seen a minute ago: reading a page writes nothing.
    assert abs(_only_session(session).last_seen_at - recent) < timedelta(seconds=2)

    _age(session, seen=auth.TOUCH_INTERVAL + timedelta(seconds=30))
    before = utcnow()
    assert client.get("/").status_code == 200
    assert _only_session(session).last_seen_at >= before


def test_a_failed_request_does_not_touch_the_session(client: TestClient, session: Session) -> None:
    login(client, make_user(session))
    stale = auth.TOUCH_INTERVAL + timedelta(minutes=1)
    _age(session, seen=stale)
    seen_before = _only_session(session).last_seen_at

    assert client.get("/kursus/TIDAK-ADA").status_code == 404

    assert _only_session(session).last_seen_at == seen_before


def test_a_short_idle_limit_shortens_the_touch_interval(settings: Settings) -> None:
    settings.session_idle_minutes = 10
    assert auth._touch_interval(settings) == timedelta(minutes=1)


def test_the_logged_in_user_is_read_in_one_statement_with_unit_and_roles(
    client: TestClient, session: Session, statements: list[str]
) -> None:
    user = make_user(session, roles={Role.LEARNER, Role.HR}, unit_name="Badan Kepegawaian dan PSDM")
    login(client, user)
    statements.clear()

    page = client.get("/profil")

    assert page.status_code == 200
    assert "Badan Kepegawaian dan PSDM" in page.text
    lookups = [s for s in statements if "auth_sessions" in s]
    assert len(lookups) == 1, lookups
    assert "user_roles" in lookups[0] and "units" in lookups[0]
    assert page.context["user"].roles == frozenset({Role.LEARNER, Role.HR})
