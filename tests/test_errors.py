from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_unknown_page_gets_the_friendly_404_page(client: TestClient) -> None:
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert response.template.name == "errors/404.html"
    assert "Halaman tidak ditemukan" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_unknown_api_route_answers_json(client: TestClient) -> None:
    response = client.get("/api/v1/tidak-ada")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_server_error_shows_the_500_page_without_internals(app: FastAPI) -> None:
    @app.get("/rusak")
    def broken() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/rusak")
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.text
    assert "secret internal detail" not in response.text


def test_the_500_page_says_the_error_was_recorded_for_the_team(app: FastAPI) -> None:
    @app.get("/rusak")
    def broken() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/rusak")
    assert "Kesalahan ini sudah dicatat untuk tim kami" in response.text
    assert "Tim kami sudah dicatat" not in response.text  # "our team has been recorded"


def test_a_bug_reported_by_sqlite_as_operational_stays_a_500_not_an_outage(app: FastAPI) -> None:
    from sqlalchemy import text

    from app.db import SessionDep

    @app.get("/salah-sql")
    def bad_sql(session: SessionDep) -> None:
        session.execute(text("SELECT no_such_column FROM users"))

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/salah-sql")
    assert response.status_code == 500
