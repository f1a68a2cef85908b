"""HR's downloads and every /api answer carry `Cache-Control: no-store`: NIPs and results are
never kept by a browser or a shared proxy. A 405 names the allowed methods in `Allow`."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.reports import tokens
from tests.factories import login, make_user


def _no_store(value: str | None) -> bool:
    return value is not None and "no-store" in [part.strip() for part in value.split(",")]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/laporan/ekspor/unduh", {"format": "csv"}),
        ("/laporan/ekspor/unduh", {"format": "xlsx"}),
        ("/laporan/ekspor/unduh", {"format": "csv", "tata_letak": "siasn"}),
        ("/laporan/jp/unduh", {"format": "csv"}),
        ("/laporan/jp/unduh", {"format": "xlsx"}),
    ],
)
def test_every_hr_export_is_sent_no_store(
    client: TestClient, session: Session, path: str, params: dict[str, str]
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    response = client.get(path, params=params)
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert _no_store(response.headers.get("cache-control"))


def test_every_api_answer_is_sent_no_store_errors_and_schema_included(
    client: TestClient, session: Session
) -> None:
    hr = make_user(session, roles={Role.HR})
    _token, plain = tokens.create(session, "SIMPEG", actor_id=hr.id)
    session.commit()
    bearer = {"Authorization": f"Bearer {plain}"}
    answers = {
        "ok": client.get("/api/v1/users", headers=bearer),
        "courses": client.get("/api/v1/courses", headers=bearer),
        "jp": client.get("/api/v1/jp-summary", headers=bearer),
        "units": client.get("/api/v1/jp-summary/units", headers=bearer),
        "completions": client.get("/api/v1/completions", headers=bearer),
        "401": client.get("/api/v1/users"),
        "400": client.get("/api/v1/completions", params={"from": "1990-01-01"}, headers=bearer),
        "422": client.get("/api/v1/users", params={"limit": 0}, headers=bearer),
        "404": client.get("/api/v1/tidak-ada", headers=bearer),
        "405": client.post("/api/v1/users", headers=bearer),
        "schema": client.get("/api/openapi.json"),
    }
    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses == {
        "ok": 200, "courses": 200, "jp": 200, "units": 200, "completions": 200, "401": 401,
        "400": 400, "422": 422, "404": 404, "405": 405, "schema": 200,
    }  # fmt: skip
    cached = [name for name, r in answers.items() if not _no_store(r.headers.get("cache-control"))]
    assert cached == []


def test_a_page_outside_the_api_keeps_its_own_caching(client: TestClient) -> None:
    assert not _no_store(client.get("/masuk").headers.get("cache-control"))


def test_a_405_names_every_allowed_method_of_the_path(client: TestClient, session: Session) -> None:
    hr = make_user(session, roles={Role.HR})
    _token, plain = tokens.create(session, "SIMPEG", actor_id=hr.id)
    session.commit()
    api = client.delete("/api/v1/users", headers={"Authorization": f"Bearer {plain}"})
    assert api.status_code == 405
    assert api.headers["allow"] == "GET"
    assert api.json()["error"]["status"] == 405
    # /laporan/token has a GET route and a POST route: both are allowed.
    page = client.put("/laporan/token")
    assert page.status_code == 405
    assert page.headers["allow"] == "GET, POST"
