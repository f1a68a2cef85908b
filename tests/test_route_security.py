"""Every route is covered: POST forms check CSRF, and non-public pages require a login."""

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.web.csrf import require_csrf
from app.web.deps import require_user
from tests.factories import DEFAULT_PASSWORD, csrf_token, make_user

# Pages anyone may open: the login form and the one-time password link (the token is the key).
PUBLIC = {"/masuk", "/atur-sandi/{token}", "/", "/healthz", "/readyz", "/verifikasi/{number}", "/sw.js", "/offline"}


def _calls(dependant: Dependant) -> set[object]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _routes(app: FastAPI) -> list[APIRoute]:
    return [route for route in app.routes if isinstance(route, APIRoute)]


def test_every_state_changing_route_checks_the_csrf_token(app: FastAPI) -> None:
    unprotected = [
        route.path
        for route in _routes(app)
        if route.methods & {"POST", "PUT", "PATCH", "DELETE"}
        and not route.path.startswith("/api/")
        and require_csrf not in _calls(route.dependant)
    ]
    assert unprotected == []


def test_every_non_public_route_requires_a_logged_in_user(app: FastAPI) -> None:
    open_routes = [
        route.path
        for route in _routes(app)
        if route.path not in PUBLIC and require_user not in _calls(route.dependant)
    ]
    assert open_routes == []


def test_session_cookie_is_secure_when_served_over_https(app: FastAPI, session: Session) -> None:
    user = make_user(session)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        token = csrf_token(client)
        response = client.post(
            "/masuk", data={"csrf_token": token, "nip": user.nip, "password": DEFAULT_PASSWORD}
        )
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app: FastAPI) -> None:
    engine = app.state.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
