from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import AuthSession
from app.audit.models import AuditEvent
from app.config import Settings
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
    return [event.details.get("via") for event in events]


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
    row.expires_at = auth.utcnow() - timedelta(minutes=1)
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
