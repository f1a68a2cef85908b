"""API tokens act for their creator: they stop working when the creator loses the rights that
made them, and after LENTERA_API_TOKEN_MAX_DAYS; the token page shows each expiry."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.db import utcnow
from app.privacy import service as privacy
from app.reports import tokens
from tests.factories import login, make_user

PATH = "/api/v1/courses"


def _bearer(session: Session, creator: User) -> dict[str, str]:
    _token, plain = tokens.create(session, "SIMPEG", actor_id=creator.id)
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _refusal(client: TestClient, headers: dict[str, str]) -> str:
    response = client.get(PATH, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()["error"]
    assert body["status"] == 401
    return str(body["message"])


def test_a_token_works_while_its_creator_is_an_active_hr_officer_or_admin(
    client: TestClient, session: Session
) -> None:
    for roles in ({Role.HR}, {Role.ADMIN}, {Role.HR, Role.TRAINER}):
        creator = make_user(session, roles=roles)
        assert client.get(PATH, headers=_bearer(session, creator)).status_code == 200


def test_a_token_stops_working_when_its_creator_is_deactivated(
    client: TestClient, session: Session
) -> None:
    creator = make_user(session, roles={Role.HR})
    headers = _bearer(session, creator)
    assert client.get(PATH, headers=headers).status_code == 200
    creator.is_active = False
    session.commit()
    assert "no longer an active HR officer or admin" in _refusal(client, headers)


def test_a_token_stops_working_when_its_creator_loses_the_hr_role(
    client: TestClient, session: Session
) -> None:
    creator = make_user(session, roles={Role.HR, Role.TRAINER})
    headers = _bearer(session, creator)
    creator.set_roles({Role.TRAINER})
    session.commit()
    assert "no longer an active HR officer or admin" in _refusal(client, headers)
    creator.set_roles({Role.ADMIN})
    session.commit()
    assert client.get(PATH, headers=headers).status_code == 200  # rights back: works again


def test_a_token_stops_working_when_its_creator_is_anonymised(
    client: TestClient, session: Session
) -> None:
    creator = make_user(session, roles={Role.HR})
    headers = _bearer(session, creator)
    privacy.anonymise(session, creator, actor_id=None, via="cli")
    session.commit()
    assert "no longer an active HR officer or admin" in _refusal(client, headers)


def test_a_token_whose_creator_was_deleted_is_refused(client: TestClient, session: Session) -> None:
    creator = make_user(session, roles={Role.HR})
    token, plain = tokens.create(session, "SIMPEG", actor_id=creator.id)
    token.created_by_id = None  # what ON DELETE SET NULL leaves behind
    session.commit()
    assert "no longer an active" in _refusal(client, {"Authorization": f"Bearer {plain}"})


def test_a_token_expires_after_the_maximum_age(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    assert app.state.settings.api_token_max_days == 365  # the documented default
    creator = make_user(session, roles={Role.HR})
    token, plain = tokens.create(session, "SIMPEG", actor_id=creator.id)
    headers = {"Authorization": f"Bearer {plain}"}
    token.created_at = utcnow() - timedelta(days=364, hours=23)
    session.commit()
    assert client.get(PATH, headers=headers).status_code == 200
    token.created_at = utcnow() - timedelta(days=365, seconds=1)
    session.commit()
    assert "expired" in _refusal(client, headers)


def test_lowering_the_maximum_age_expires_older_tokens_too(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    creator = make_user(session, roles={Role.HR})
    token, plain = tokens.create(session, "Lama", actor_id=creator.id)
    token.created_at = utcnow() - timedelta(days=31)
    session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get(PATH, headers=headers).status_code == 200
    app.state.settings.api_token_max_days = 30
    assert "expired" in _refusal(client, headers)


def test_a_revoked_token_is_refused_with_its_own_message(
    client: TestClient, session: Session
) -> None:
    creator = make_user(session, roles={Role.HR})
    token, plain = tokens.create(session, "SIMPEG", actor_id=creator.id)
    tokens.revoke(session, token, actor_id=creator.id)
    session.commit()
    assert "revoked" in _refusal(client, {"Authorization": f"Bearer {plain}"})


def test_the_token_page_shows_each_expiry_and_the_header_example_escaped(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    hr = make_user(session, roles={Role.HR})
    fresh, _plain = tokens.create(session, "Baru", actor_id=hr.id)
    old, _old_plain = tokens.create(session, "Lama", actor_id=hr.id)
    old.created_at = utcnow() - timedelta(days=400)
    session.commit()
    login(client, hr)

    page = client.get("/laporan/token")
    assert page.status_code == 200
    assert page.template.name == "reports/tokens.html"
    rows = {row.token.name: row for row in page.context["tokens"]}
    assert page.context["max_days"] == 365
    assert rows["Baru"].expires_at == fresh.created_at + timedelta(days=365)
    assert not rows["Baru"].expired and rows["Lama"].expired
    assert "Authorization: Bearer lnt_…" in page.text
    assert "Bearer ." not in page.text and "<token>" not in page.text
    assert "berlaku sampai" in page.text and "kedaluwarsa" in page.text
    assert "365 hari" in page.text
    # The list is the only place the name appears twice; the expiry sits in the same item.
    item = re.search(r"<li><strong>Lama</strong>.*?</li>", page.text, re.S)
    assert item is not None and "kedaluwarsa" in item.group(0)
