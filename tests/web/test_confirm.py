"""Destructive actions ask first, on the server: the first post shows a confirmation page and
changes nothing; only the post from that page (konfirmasi=ya) acts. No JavaScript involved."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.content import store
from app.content.models import Course
from app.reports import tokens
from tests.factories import csrf_token, login, make_user


def _confirmation_fields(html: str) -> dict[str, str]:
    """The hidden fields the confirmation page posts back."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def test_deactivating_a_person_asks_first_and_acts_only_when_confirmed(
    client: TestClient, session: Session
) -> None:
    person = make_user(session)
    login(client, make_user(session, roles={Role.HR}))
    url = f"/pegawai/{person.nip}/status"
    token = csrf_token(client, f"/pegawai/{person.nip}")

    asked = client.post(url, data={"csrf_token": token, "active": "false"})

    assert asked.status_code == 200
    assert asked.template.name == "confirm/confirm.html"
    assert "Ya, nonaktifkan" in asked.text and person.full_name in asked.text
    session.refresh(person)
    assert person.is_active
    fields = _confirmation_fields(asked.text)
    assert fields["active"] == "false" and fields["konfirmasi"] == "ya"

    done = client.post(url, data=fields)

    assert done.status_code == 303
    session.refresh(person)
    assert not person.is_active


def test_reactivating_a_person_needs_no_confirmation(client: TestClient, session: Session) -> None:
    person = make_user(session, is_active=False)
    login(client, make_user(session, roles={Role.HR}))
    token = csrf_token(client, f"/pegawai/{person.nip}")

    response = client.post(
        f"/pegawai/{person.nip}/status", data={"csrf_token": token, "active": "true"}
    )

    assert response.status_code == 303
    session.refresh(person)
    assert person.is_active


def test_archiving_a_course_asks_first(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.ADMIN}))
    url = "/pengajar/kursus/KOM-101/arsip"
    token = csrf_token(client, "/pengajar/kursus/KOM-101")

    asked = client.post(url, data={"csrf_token": token, "archived": "true"})

    course = session.scalars(select(Course).where(Course.code == "KOM-101")).one()
    assert asked.status_code == 200 and "Ya, arsipkan" in asked.text
    assert 'href="/pengajar/kursus/KOM-101"' in asked.text  # the way back
    session.refresh(course)
    assert course.status == "active"

    assert client.post(url, data=_confirmation_fields(asked.text)).status_code == 303
    session.refresh(course)
    assert course.status == "archived"


def test_revoking_an_api_token_asks_first(client: TestClient, session: Session) -> None:
    hr = make_user(session, roles={Role.HR})
    api_token, _plain = tokens.create(session, "SIMPEG", actor_id=hr.id)
    session.commit()
    login(client, hr)
    url = f"/laporan/token/{api_token.id}/cabut"

    asked = client.post(url, data={"csrf_token": csrf_token(client, "/laporan/token")})

    assert asked.status_code == 200 and "Ya, cabut token" in asked.text
    session.refresh(api_token)
    assert api_token.revoked_at is None

    assert client.post(url, data=_confirmation_fields(asked.text)).status_code == 303
    session.refresh(api_token)
    assert api_token.revoked_at is not None
