"""Every route is covered: POST forms check CSRF, and non-public pages require a login."""

from typing import Any

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
PUBLIC = {
    "/masuk", "/keluar", "/atur-sandi/{token}", "/", "/healthz", "/readyz",
    "/verifikasi/{number}", "/sw.js", "/offline", "/atasan/{token}", "/bahasa",
    "/metrics",  # off unless LENTERA_METRICS; meant to sit behind the reverse proxy
    "/verifikasi/{number}/periksa",  # an employer checks a certificate PDF without an account
}  # fmt: skip
# The JSON API authenticates with bearer tokens instead of a login session.
TOKEN_AUTH_PREFIX = "/api/v1/"


def _calls(dependant: Dependant) -> set[object]:
    found: set[object] = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _walk(routes: list[Any]) -> list[APIRoute]:
    # FastAPI wraps included routers; their routes carry the full path (no include prefixes
    # are used in Lentera), so walking the original routers finds every route.
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif getattr(route, "original_router", None) is not None:
            found.extend(_walk(route.original_router.routes))
    return found


def _routes(app: FastAPI) -> list[APIRoute]:
    routes = _walk(app.routes)
    assert len(routes) > 40, "the walk must find the application's routes"
    return routes


def test_every_state_changing_route_checks_the_csrf_token(app: FastAPI) -> None:
    unprotected = [
        route.path
        for route in _routes(app)
        if (route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        and not route.path.startswith("/api/")
        and require_csrf not in _calls(route.dependant)
    ]
    assert unprotected == []


def test_every_non_public_route_requires_a_logged_in_user(app: FastAPI) -> None:
    open_routes = [
        route.path
        for route in _routes(app)
        if route.path not in PUBLIC
        and not route.path.startswith(TOKEN_AUTH_PREFIX)
        and require_user not in _calls(route.dependant)
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


def test_every_api_route_requires_a_bearer_token(app: FastAPI) -> None:
    from app.reports.api import api_token

    unprotected = [
        route.path
        for route in _routes(app)
        if route.path.startswith(TOKEN_AUTH_PREFIX) and api_token not in _calls(route.dependant)
    ]
    assert unprotected == []
