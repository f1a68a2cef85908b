"""HR/admin actions on one person: reset link, unlock, deactivate, change roles."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, LoginFailure, Role
from app.audit.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD, csrf_token, login, make_user


def _other_device(client: TestClient) -> TestClient:
    return TestClient(client.app, base_url="http://testserver", follow_redirects=False)


def test_hr_issues_a_one_time_password_link_from_the_web(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    person = make_user(session, password=None)
    page = client.post(
        f"/pegawai/{person.nip}/tautan-sandi",
        data={"csrf_token": csrf_token(client, f"/pegawai/{person.nip}")},
    )
    assert page.status_code == 200
    assert "/atur-sandi/" in page.text


def test_deactivating_ends_sessions_and_blocks_login(client: TestClient, session: Session) -> None:
    person = make_user(session)
    device = _other_device(client)
    login(device, person)
    login(client, make_user(session, roles={Role.HR}))
    response = client.post(
        f"/pegawai/{person.nip}/status",
        data={"csrf_token": csrf_token(client, f"/pegawai/{person.nip}"), "active": "false"},
    )
    assert response.status_code == 303
    assert device.get("/profil").status_code == 303  # logged out
    assert (
        session.scalar(
            select(func.count()).select_from(AuthSession).where(AuthSession.user_id == person.id)
        )
        == 0
    )


def test_role_change_by_admin_ends_sessions_and_is_audited(
    client: TestClient, session: Session
) -> None:
    person = make_user(session)
    device = _other_device(client)
    login(device, person)
    assert device.get("/pengajar").status_code == 403
    login(client, make_user(session, roles={Role.ADMIN}))
    response = client.post(
        f"/pegawai/{person.nip}/peran",
        data={
            "csrf_token": csrf_token(client, f"/pegawai/{person.nip}"),
            "roles": ["learner", "trainer"],
        },
    )
    assert response.status_code == 303
    session.refresh(person)
    assert person.roles == {Role.LEARNER, Role.TRAINER}
    assert device.get("/pengajar").status_code == 303  # must log in again
    login(device, person)
    assert device.get("/pengajar").status_code == 200
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.roles_changed"))
    assert event is not None and event.details["after"] == ["learner", "trainer"]


def test_hr_cannot_change_roles_and_nobody_can_empty_them(
    client: TestClient, session: Session
) -> None:
    person = make_user(session)
    login(client, make_user(session, roles={Role.HR}))
    token = csrf_token(client, f"/pegawai/{person.nip}")
    forbidden = client.post(
        f"/pegawai/{person.nip}/peran", data={"csrf_token": token, "roles": ["admin"]}
    )
    assert forbidden.status_code == 403
    admin_client = _other_device(client)
    login(admin_client, make_user(session, roles={Role.ADMIN}))
    empty = admin_client.post(
        f"/pegawai/{person.nip}/peran",
        data={"csrf_token": csrf_token(admin_client, f"/pegawai/{person.nip}")},
    )
    assert empty.status_code == 400
    assert "paling sedikit satu peran" in empty.text
    session.refresh(person)
    assert person.roles == {Role.LEARNER}


def test_admin_unlocks_a_locked_account(client: TestClient, session: Session) -> None:
    person = make_user(session)
    learner_device = _other_device(client)
    for _ in range(3):
        token = csrf_token(learner_device)
        learner_device.post(
            "/masuk", data={"csrf_token": token, "nip": person.nip, "password": "salah-sandi-1"}
        )
    token = csrf_token(learner_device)
    locked = learner_device.post(
        "/masuk", data={"csrf_token": token, "nip": person.nip, "password": DEFAULT_PASSWORD}
    )
    assert locked.status_code == 429
    login(client, make_user(session, roles={Role.ADMIN}))
    page = client.get(f"/pegawai/{person.nip}")
    assert "Akun sedang terkunci." in page.text
    client.post(
        f"/pegawai/{person.nip}/buka-kunci",
        data={"csrf_token": csrf_token(client, f"/pegawai/{person.nip}")},
    )
    assert (
        session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.key == f"nip:{person.nip}")
        )
        == 0
    )
    login(learner_device, person)


def test_static_people_paths_are_not_shadowed_by_the_person_page(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    assert client.get("/pegawai/impor").status_code == 200
    assert client.get("/pegawai/penugasan").status_code == 200
    assert client.get("/pegawai/verifikasi").status_code == 200
    assert client.get("/pegawai/199001012015031999").status_code == 404
