"""The per-process session cache: hits cost no session read, and every write that ends or alters a
session bumps the auth generation in its own transaction, so every process drops its cache."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, delete, event, select, update
from sqlalchemy.orm import Session

from app.accounts import auth, session_cache
from app.accounts import service as accounts_service
from app.accounts.models import AuthGeneration, AuthSession, Role, Unit, User
from app.accounts.session_cache import SessionCache, current_generation
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from tests.factories import login, make_user


@pytest.fixture
def statements(connection: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(connection, "before_cursor_execute", record)
    yield seen
    event.remove(connection, "before_cursor_execute", record)


def test_a_repeat_page_view_reads_no_session_from_the_database(
    client: TestClient, session: Session, statements: list[str]
) -> None:
    user = make_user(session, roles={Role.LEARNER, Role.HR})
    login(client, user)
    assert client.get("/profil").status_code == 200
    statements.clear()

    page = client.get("/profil")

    assert page.status_code == 200
    assert [s for s in statements if "auth_sessions" in s] == []
    assert page.context["user"].id == user.id
    assert page.context["user"].roles == frozenset({Role.LEARNER, Role.HR})


def test_a_recently_seen_session_is_answered_from_memory_and_a_change_asks_the_database(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The request dependency answers a cached session on the event loop, without the thread
    # hop `resolve_session` takes; once this process changed auth data, it asks again.
    user = make_user(session, roles={Role.LEARNER})
    login(client, user)
    assert client.get("/profil").status_code == 200
    lookups: list[str] = []
    resolve = auth.resolve_session

    def counted(*args: Any) -> Any:
        lookups.append("db")
        return resolve(*args)

    monkeypatch.setattr(auth, "resolve_session", counted)

    assert client.get("/profil").status_code == 200
    assert lookups == []

    user.full_name = "Nama Baru Sekali"
    session.commit()
    page = client.get("/profil")

    assert lookups == ["db"]
    assert page.context["user"].full_name == "Nama Baru Sekali"


def _logout_core(session: Session, user: User) -> None:
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


def _new_password(session: Session, user: User) -> None:
    accounts_service.set_password(session, user, "Sandi-Baru-Palu-2026!", actor_id=user.id)


def _new_roles(session: Session, user: User) -> None:
    accounts_service.set_roles(session, user, {Role.LEARNER, Role.TRAINER}, actor_id=user.id)


def _deactivate(session: Session, user: User) -> None:
    accounts_service.set_active(session, user, False, actor_id=user.id)


def _language(session: Session, user: User) -> None:
    session.execute(update(User).where(User.id == user.id).values(locale="en"))


def _rename(session: Session, user: User) -> None:
    user.full_name = "Nama Baru Sekali"


def _rename_unit(session: Session, user: User) -> None:
    unit = session.get(Unit, user.unit_id)
    assert unit is not None
    unit.name = "Unit Berganti Nama"


@pytest.mark.parametrize(
    "change",
    [_logout_core, _new_password, _new_roles, _deactivate, _language, _rename, _rename_unit],
)
def test_every_write_that_ends_or_alters_a_session_bumps_the_generation_at_commit(
    session: Session, change: Callable[[Session, User], None]
) -> None:
    user = make_user(session)
    before = current_generation(session)
    bumps = session_cache.local_bumps()

    change(session, user)
    session.commit()

    assert current_generation(session) == before + 1
    assert session_cache.local_bumps() == bumps + 1


def test_logging_in_touching_and_reading_leave_the_generation_alone(
    session: Session, settings: Settings
) -> None:
    user = make_user(session)
    before = current_generation(session)

    token = auth.open_session(session, settings, user, "127.0.0.1", "test")  # a login
    session.commit()
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == auth.token_digest(token))
        .values(last_seen_at=AuthSession.last_seen_at)
        .execution_options(**{session_cache.NEUTRAL: True})
    )  # the "last seen" touch
    session.commit()
    assert auth.resolve_session(session, settings, token) is not None
    session.commit()

    assert current_generation(session) == before


def test_a_rolled_back_change_bumps_nothing(session: Session) -> None:
    user = make_user(session)
    before = current_generation(session)
    bumps = session_cache.local_bumps()

    _deactivate(session, user)
    session.rollback()

    assert current_generation(session) == before
    assert session_cache.local_bumps() == bumps


def _bump_elsewhere(connection: Connection) -> None:
    """What another instance's commit looks like from here: no local bump, a new generation."""
    connection.execute(update(AuthGeneration).values(value=AuthGeneration.value + 1))


def test_a_session_ended_elsewhere_is_served_at_most_until_the_next_recheck(
    fresh_database_url: str, settings: Settings
) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    cache = SessionCache(recheck_seconds=0.5)
    try:
        with factory() as session:
            user = make_user(session)
            token = auth.open_session(session, settings, user, None, None)
            session.commit()
        with factory() as session:
            assert auth.resolve_session(session, settings, token, cache) is not None
            session.commit()
        assert len(cache) == 1

        # Another instance logs the user out: a raw connection, so no local bump here.
        with engine.begin() as connection:
            connection.execute(delete(AuthSession))
            _bump_elsewhere(connection)
        ended_at = time.monotonic()
        while True:
            with factory() as session:
                viewer = auth.resolve_session(session, settings, token, cache)
                session.commit()
            if viewer is None:
                break
            assert time.monotonic() - ended_at < 0.5, "served past the recheck interval"
            time.sleep(0.02)
        assert len(cache) == 0
    finally:
        engine.dispose()


def test_a_session_read_before_the_cache_was_dropped_is_not_stored(
    fresh_database_url: str, settings: Settings
) -> None:
    engine = make_engine(fresh_database_url)
    cache = SessionCache(recheck_seconds=0)
    try:
        with make_sessionmaker(engine)() as session:
            user = make_user(session)
            epoch = cache.sync(session)
            with engine.begin() as connection:
                _bump_elsewhere(connection)
            cache.sync(session)  # another request of this process sees the change
            viewer = auth.resolve_session(
                session, settings, auth.open_session(session, settings, user, None, None)
            )
            assert viewer is not None
            cache.put(
                "stale",
                session_cache.CachedSession(viewer, user.created_at, user.created_at),
                epoch,
            )
        assert len(cache) == 0
    finally:
        engine.dispose()


def test_the_generation_row_is_recreated_if_missing(session: Session) -> None:
    user = make_user(session)
    session.execute(delete(AuthGeneration))
    session.commit()

    _deactivate(session, user)
    session.commit()

    assert session.scalar(select(AuthGeneration.value)) == 1


def test_a_changed_name_shows_on_the_next_page_of_the_same_process(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    login(client, user)
    assert user.full_name in client.get("/profil").text  # cached now

    user.full_name = "Nama Yang Baru Diubah"
    session.commit()

    assert "Nama Yang Baru Diubah" in client.get("/profil").text
