"""The admin's anonymisation form: confirmation, CSRF, permissions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.config import Settings
from app.privacy import service
from tests.factories import csrf_token, make_user
from tests.privacy.conftest import NAME, Person, sign_in


def _post(client: TestClient, nip: str, typed: str) -> object:
    token = csrf_token(client, f"/admin/pegawai/{nip}/data-pribadi")
    return client.post(
        f"/admin/pegawai/{nip}/anonimkan", data={"csrf_token": token, "confirm_nip": typed}
    )


def test_admin_anonymises_after_retyping_the_nip(
    client: TestClient, session: Session, settings: Settings, person: Person, admin: User
) -> None:
    sign_in(client, session, settings, admin)
    typed = f"{person.nip[:8]} {person.nip[8:14]} {person.nip[14]} {person.nip[15:]}"
    response = _post(client, person.nip, typed)
    assert response.status_code == 303  # type: ignore[attr-defined]
    session.expire_all()
    user = session.get(User, person.user.id)
    assert user is not None and service.is_anonymised(user)
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert location == f"/admin/pegawai/{user.nip}/data-pribadi?dianonimkan=1"
    page = client.get(location)
    assert page.status_code == 200 and NAME not in page.text
    assert "Akun ini sudah dianonimkan." in page.text
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.anonymised")
    ).one()
    assert (event.actor_id, event.details["via"]) == (admin.id, "web")
    again = _post(client, user.nip, "")
    assert again.headers["location"].endswith("?sudah=1")  # type: ignore[attr-defined]


def test_a_wrong_confirmation_changes_nothing(
    client: TestClient, session: Session, settings: Settings, person: Person, admin: User
) -> None:
    sign_in(client, session, settings, admin)
    response = _post(client, person.nip, "199001012015031001")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "tidak sama" in response.text  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get(User, person.user.id).full_name == NAME  # type: ignore[union-attr]


def test_anonymising_needs_the_csrf_token_and_an_admin(
    client: TestClient, session: Session, settings: Settings, person: Person
) -> None:
    hr = make_user(session, roles={Role.HR}, password=None)
    sign_in(client, session, settings, hr)
    token = csrf_token(client, "/profil")
    forbidden = client.post(
        f"/admin/pegawai/{person.nip}/anonimkan",
        data={"csrf_token": token, "confirm_nip": person.nip},
    )
    assert forbidden.status_code == 403
    no_token = client.post(
        f"/admin/pegawai/{person.nip}/anonimkan", data={"confirm_nip": person.nip}
    )
    assert no_token.status_code == 403
    session.expire_all()
    assert session.get(User, person.user.id).full_name == NAME  # type: ignore[union-attr]


def test_an_admin_cannot_anonymise_themself(
    client: TestClient, session: Session, settings: Settings, admin: User
) -> None:
    sign_in(client, session, settings, admin)
    response = _post(client, admin.nip, admin.nip)
    assert response.status_code == 403  # type: ignore[attr-defined]
