from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import AuthSession
from app.audit.models import AuditEvent
from app.config import Settings
from app.db import utcnow
from app.errors import NotFound
from tests.factories import csrf_token, login, make_user


def _link_token(session: Session, settings: Settings, user) -> str:  # type: ignore[no-untyped-def]
    token = auth.create_reset_token(session, settings, user)
    session.commit()
    return token


def _password_set_via(session: Session, user_id: int) -> list[str]:
    """How each password change of the user was made, as the audit trail records it."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "user.password_set", AuditEvent.target_id == str(user_id))
        .order_by(AuditEvent.id)
    )
    return [str(event.details.get("via")) for event in events]


def test_one_time_link_sets_a_new_password_and_ends_old_sessions(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session)
    login(client, user)
    token = _link_token(session, settings, user)
    page = client.get(f"/atur-sandi/{token}")
    assert page.status_code == 200
    assert user.full_name in page.text
    response = client.post(
        f"/atur-sandi/{token}",
        data={
            "csrf_token": csrf_token(client, f"/atur-sandi/{token}"),
            "password": "Teluk-Palu-Indah-9",
            "password_confirm": "Teluk-Palu-Indah-9",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?sandi=baru"
    assert session.scalar(select(func.count()).select_from(AuthSession)) == 0
    client.cookies.clear()
    login(client, user, password="Teluk-Palu-Indah-9")
    assert _password_set_via(session, user.id) == ["reset_link"]


def test_link_works_only_once(client: TestClient, session: Session, settings: Settings) -> None:
    user = make_user(session)
    token = _link_token(session, settings, user)
    form = {"password": "Teluk-Palu-Indah-9", "password_confirm": "Teluk-Palu-Indah-9"}
    csrf = csrf_token(client, f"/atur-sandi/{token}")
    assert client.post(f"/atur-sandi/{token}", data={**form, "csrf_token": csrf}).status_code == 303
    again = client.get(f"/atur-sandi/{token}")
    assert again.status_code == 404
    assert "Tautan ini tidak berlaku" in again.text


def test_expired_link_is_refused(client: TestClient, session: Session, settings: Settings) -> None:
    user = make_user(session)
    token = _link_token(session, settings, user)
    row = auth.find_reset_token(session, token)
    assert row is not None
    row.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    assert client.get(f"/atur-sandi/{token}").status_code == 404


def test_weak_or_mismatched_password_is_explained_and_nothing_changes(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session)
    old_hash = user.password_hash
    token = _link_token(session, settings, user)
    csrf = csrf_token(client, f"/atur-sandi/{token}")
    short = client.post(
        f"/atur-sandi/{token}",
        data={"csrf_token": csrf, "password": "pendek", "password_confirm": "pendek"},
    )
    assert short.status_code == 400
    assert "minimal 10 karakter" in short.text
    with_nip = client.post(
        f"/atur-sandi/{token}",
        data={"csrf_token": csrf, "password": f"x{user.nip}", "password_confirm": f"x{user.nip}"},
    )
    assert "tidak boleh memuat NIP" in with_nip.text
    mismatch = client.post(
        f"/atur-sandi/{token}",
        data={"csrf_token": csrf, "password": "Teluk-Palu-1", "password_confirm": "Teluk-Palu-2"},
    )
    assert "tidak sama" in mismatch.text
    session.refresh(user)
    assert user.password_hash == old_hash
    assert auth.find_reset_token(session, token) is not None  # still usable


def test_a_new_link_revokes_the_previous_one(session: Session, settings: Settings) -> None:
    user = make_user(session)
    first = _link_token(session, settings, user)
    _link_token(session, settings, user)
    assert auth.find_reset_token(session, first) is None


def test_changing_password_on_the_profile_keeps_you_logged_in_here_only(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    other_device = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    login(other_device, user)
    login(client, user)
    response = client.post(
        "/profil/sandi",
        data={
            "csrf_token": csrf_token(client, "/profil"),
            "current_password": "Kopi-Palu-2026!",
            "password": "Donggala-Sigi-77",
            "password_confirm": "Donggala-Sigi-77",
        },
    )
    assert response.status_code == 303
    assert client.get("/profil").status_code == 200
    assert other_device.get("/profil").status_code == 303
    assert _password_set_via(session, user.id) == ["profile"]


def test_wrong_current_password_changes_nothing(client: TestClient, session: Session) -> None:
    user = make_user(session)
    login(client, user)
    response = client.post(
        "/profil/sandi",
        data={
            "csrf_token": csrf_token(client, "/profil"),
            "current_password": "bukan-ini-sandinya",
            "password": "Donggala-Sigi-77",
            "password_confirm": "Donggala-Sigi-77",
        },
    )
    assert response.status_code == 400
    assert "Kata sandi lama salah." in response.text


def test_a_link_used_by_several_requests_at_once_sets_one_password_and_refuses_the_others(
    fresh_database_url: str, settings: Settings
) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from app.accounts import service as accounts_service
    from app.accounts.models import PasswordResetToken, User
    from app.accounts.passwords import verify_password
    from app.db import make_engine, make_sessionmaker, session_scope

    parallel = 6
    engine = make_engine(fresh_database_url, pool_size=parallel + 2)
    factory = make_sessionmaker(engine)
    try:
        with session_scope(factory) as setup:
            user = make_user(setup)
            token = auth.create_reset_token(setup, settings, user)
        start = threading.Barrier(parallel)

        def use(index: int) -> str:
            start.wait()
            try:
                with session_scope(factory) as session:
                    accounts_service.set_password_by_link(
                        session, token, f"Teluk-Palu-Kuat-{index}"
                    )
            except accounts_service.ResetLinkUsed as exc:
                assert exc.status_code == 409
                assert "baru saja dipakai" in (exc.message or "")
                return "used"
            except NotFound:
                return "used"  # a request that started after the winner committed
            return "set"

        with ThreadPoolExecutor(max_workers=parallel) as pool:
            outcomes = list(pool.map(use, range(parallel)))
        assert outcomes.count("set") == 1
        assert outcomes.count("used") == parallel - 1
        with factory() as session:
            stored = session.scalar(select(User.password_hash).where(User.id == user.id))
            works = [i for i in range(parallel) if verify_password(f"Teluk-Palu-Kuat-{i}", stored)]
            assert works == [outcomes.index("set")]
            link = session.scalar(select(PasswordResetToken))
            assert link is not None and link.used_at is not None
            assert _password_set_via(session, user.id) == ["reset_link"]
    finally:
        engine.dispose()


def test_the_losing_request_of_a_race_is_told_the_link_was_just_used(
    client: TestClient, session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(session)
    token = _link_token(session, settings, user)
    form = {"csrf_token": csrf_token(client, f"/atur-sandi/{token}")}
    # The other request wins between this one's check of the link and its update.
    monkeypatch.setattr(auth, "consume_reset_token", lambda _session, _token: False)
    response = client.post(
        f"/atur-sandi/{token}",
        data={**form, "password": "Teluk-Palu-Kuat-1", "password_confirm": "Teluk-Palu-Kuat-1"},
    )
    assert response.status_code == 409
    assert "baru saja dipakai" in response.text
    assert _password_set_via(session, user.id) == []
