"""HR/admin actions on one person: reset link, unlock, deactivate, change roles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, LoginFailure, PasswordResetToken, Role, User
from app.audit.models import AuditEvent
from app.clock import today as local_today
from app.db import utcnow
from app.learning.models import ExternalLearning
from tests.factories import DEFAULT_PASSWORD, csrf_token, login, make_user

# action name -> (path suffix, form fields)
ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "reset_link": ("tautan-sandi", {}),
    "unlock": ("buka-kunci", {}),
    "deactivate": ("status", {"active": "false", "konfirmasi": "ya"}),
    "roles": ("peran", {"roles": ["learner"]}),
}
PRIVILEGED = [
    pytest.param({Role.TRAINER, Role.LEARNER}, id="trainer"),
    pytest.param({Role.HR, Role.LEARNER}, id="hr"),
    pytest.param({Role.ADMIN}, id="admin"),
]


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
        data={
            "csrf_token": csrf_token(client, f"/pegawai/{person.nip}"),
            "active": "false",
            "konfirmasi": "ya",  # from the confirmation page (tests/web/test_confirm.py)
        },
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


def _act(client: TestClient, person: User, action: str) -> Any:
    suffix, fields = ACTIONS[action]
    token = csrf_token(client, f"/pegawai/{person.nip}")
    return client.post(f"/pegawai/{person.nip}/{suffix}", data={"csrf_token": token, **fields})


def _reset_links(session: Session, person: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(PasswordResetToken)
            .where(PasswordResetToken.user_id == person.id)
        )
        or 0
    )


@pytest.mark.parametrize("roles", PRIVILEGED)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_hr_is_refused_every_account_action_on_trainer_hr_and_admin_accounts(
    client: TestClient, session: Session, roles: set[Role], action: str
) -> None:
    person = make_user(session, roles=roles)
    session.add(LoginFailure(key=f"nip:{person.nip}", at=utcnow()))
    session.commit()
    login(client, make_user(session, roles={Role.HR}))

    response = _act(client, person, action)

    assert response.status_code == 403
    session.refresh(person)
    assert (person.is_active, person.roles, _reset_links(session, person)) == (
        True,
        frozenset(roles),
        0,
    )
    assert (
        session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.key == f"nip:{person.nip}")
        )
        == 1
    )
    if action != "roles":  # roles are refused to HR on any account, with its own message
        assert "hanya admin" in response.text


def test_hr_sees_why_the_actions_on_a_trainer_account_are_not_offered(
    client: TestClient, session: Session
) -> None:
    person = make_user(session, roles={Role.TRAINER, Role.LEARNER})
    login(client, make_user(session, roles={Role.HR}))

    page = client.get(f"/pegawai/{person.nip}")

    assert page.status_code == 200
    assert page.template.name == "accounts/person.html"
    assert "hanya admin" in page.context["refusal"]
    assert 'id="tidak-ditawarkan"' in page.text
    assert "/tautan-sandi" not in page.text and "/status" not in page.text
    listing = client.get("/pegawai", params={"q": person.full_name})
    assert "dikelola admin" in listing.text


def test_hr_resets_unlocks_and_deactivates_learner_only_accounts(
    client: TestClient, session: Session
) -> None:
    person = make_user(session)
    session.add(LoginFailure(key=f"nip:{person.nip}", at=utcnow()))
    session.commit()
    hr = make_user(session, roles={Role.HR})
    login(client, hr)
    assert client.get(f"/pegawai/{person.nip}").context["refusal"] is None

    assert _act(client, person, "reset_link").status_code == 200
    assert _act(client, person, "unlock").status_code == 303
    assert _act(client, person, "deactivate").status_code == 303

    session.refresh(person)
    assert (person.is_active, _reset_links(session, person)) == (False, 1)
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.actor_id == hr.id, AuditEvent.target_id == str(person.id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["user.reset_link_issued", "user.unlocked", "user.deactivated"]


@pytest.mark.parametrize("roles", PRIVILEGED)
def test_admin_issues_a_reset_link_for_trainer_hr_and_admin_accounts(
    client: TestClient, session: Session, roles: set[Role]
) -> None:
    person = make_user(session, roles=roles)
    login(client, make_user(session, roles={Role.ADMIN}))

    response = _act(client, person, "reset_link")

    assert response.status_code == 200
    assert "/atur-sandi/" in response.text and _reset_links(session, person) == 1


@pytest.mark.parametrize(
    "actor_roles", [{Role.HR, Role.LEARNER}, {Role.ADMIN}], ids=["hr", "admin"]
)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_nobody_acts_on_their_own_account_through_the_person_pages(
    client: TestClient, session: Session, actor_roles: set[Role], action: str
) -> None:
    me = make_user(session, roles=actor_roles)
    login(client, me)
    page = client.get(f"/pegawai/{me.nip}")
    assert "akun Anda sendiri" in page.context["refusal"]

    response = _act(client, me, action)

    assert response.status_code == 403
    assert "akun Anda sendiri" in response.text
    session.refresh(me)
    assert (me.is_active, me.roles, _reset_links(session, me)) == (True, frozenset(actor_roles), 0)


def _submit_external(client: TestClient) -> Any:
    today = local_today()
    token = csrf_token(client, "/riwayat/eksternal")
    fields = {
        "title": "Pelatihan Analis Kepegawaian",
        "organiser": "BKN Kantor Regional IV",
        "category": "teknis",
        "start_on": (today - timedelta(days=20)).isoformat(),
        "end_on": (today - timedelta(days=10)).isoformat(),
        "jp": "24",
        "certificate_number": "BKN/IV/2026/77",
    }
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    files = {"file": ("sertifikat.pdf", pdf, "application/pdf")}
    return client.post("/riwayat/eksternal", data={"csrf_token": token, **fields}, files=files)


def _decide(client: TestClient, external_id: int) -> Any:
    token = csrf_token(client, "/pegawai/verifikasi")
    return client.post(
        f"/pegawai/verifikasi/{external_id}", data={"csrf_token": token, "action": "verify"}
    )


def test_an_hr_officer_cannot_verify_their_own_external_learning_but_a_colleague_can(
    client: TestClient, session: Session
) -> None:
    officer = make_user(session, roles={Role.HR, Role.LEARNER})
    login(client, officer)
    assert _submit_external(client).status_code == 303
    row = session.scalars(
        select(ExternalLearning).where(ExternalLearning.user_id == officer.id)
    ).one()

    own = _decide(client, row.id)

    assert own.status_code == 403
    assert "pengajuan Anda sendiri" in own.text
    session.refresh(row)
    assert (row.status, row.reviewed_by_id) == ("pending", None)
    colleague = make_user(session, roles={Role.HR})
    other = _other_device(client)
    login(other, colleague)
    assert _decide(other, row.id).status_code == 303
    session.refresh(row)
    assert (row.status, row.reviewed_by_id) == ("verified", colleague.id)
