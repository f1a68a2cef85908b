"""Request body limits per route, and the Prometheus endpoint behind its setting."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.main import create_app
from tests.factories import csrf_token


def test_an_oversized_form_is_refused_with_413_before_parsing(client: TestClient) -> None:
    token = csrf_token(client)
    response = client.post(
        "/masuk", data={"csrf_token": token, "nip": "1" * 18, "password": "x" * 300_000}
    )
    assert response.status_code == 413
    assert "terlalu besar" in response.text


def test_a_chunked_body_without_length_is_counted_too(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(400):
            yield b"x" * 1024

    response = client.post(
        "/sinkron", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["status"] == 413


def test_upload_routes_accept_files_up_to_the_upload_limit(
    client: TestClient, session: Session
) -> None:
    from app.accounts.models import Role
    from tests.factories import login, make_user

    login(client, make_user(session, roles={Role.HR}))
    token = csrf_token(client, "/pegawai/impor")
    big = b"NIP;Nama\n" + b"x" * (600 * 1024)  # over the form limit, under 10 MB
    response = client.post(
        "/pegawai/impor", data={"csrf_token": token}, files={"file": ("a.csv", big, "text/csv")}
    )
    assert response.status_code == 400  # parsed and validated, not refused for size
    assert "baris" in response.text.lower()


def test_metrics_are_off_by_default(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 404


@pytest.fixture
def metrics_client(
    settings: Settings, session_factory: sessionmaker[Session]
) -> Iterator[TestClient]:
    app: FastAPI = create_app(settings.model_copy(update={"metrics": True}))
    app.state.sessionmaker = session_factory
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_metrics_count_requests_by_route_template(metrics_client: TestClient) -> None:
    metrics_client.get("/kursus/PPP-101")  # redirected to login: still a templated route
    metrics_client.get("/masuk")
    text = metrics_client.get("/metrics").text
    assert re.search(
        r'lentera_http_requests_total\{method="GET",route="/kursus/\{code\}",status="303"\} 1',
        text,
    )
    assert "lentera_http_request_duration_seconds_bucket" in text
    assert "lentera_active_sessions" in text
    assert "PPP-101" not in text  # raw paths never become labels
