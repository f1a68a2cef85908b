import json
import logging
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def test_healthz_answers_without_touching_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_reports_unavailable_before_migrations(empty_database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=empty_database_url,
        data_dir=tmp_path,
        _env_file=None,
    )
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            response = client.get("/readyz")
        assert response.status_code == 503
        assert "migrations not at head" in response.json()["detail"]
    finally:
        app.state.engine.dispose()


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    assert len(client.get("/healthz").headers["x-request-id"]) == 16


def test_each_request_is_logged_as_one_structured_line(client: TestClient) -> None:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect()
    logger = logging.getLogger("lentera.access")
    logger.addHandler(handler)
    try:
        client.get("/masuk")
    finally:
        logger.removeHandler(handler)
    assert len(records) == 1
    fields = records[0].__dict__
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/masuk", 200)
    assert fields["duration_ms"] >= 0
    assert len(fields["request_id"]) == 16


def test_log_lines_are_json_with_the_extra_fields() -> None:
    from app.observability import JsonFormatter

    record = logging.makeLogRecord({"name": "lentera.access", "msg": "request", "status": 404})
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "request" and line["status"] == 404


def test_an_app_started_on_an_unmigrated_database_answers_503_not_a_traceback(
    empty_database_url: str, tmp_path: Path
) -> None:
    """`lentera serve` refuses to start (tests/test_cli.py); an app served some other way
    (plain uvicorn) shows the maintenance page while /readyz says why."""
    from tests.factories import csrf_token

    settings = Settings(
        database_url=empty_database_url,
        data_dir=tmp_path,
        load_content_on_start=False,
        _env_file=None,
    )
    app = create_app(settings)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            token = csrf_token(client)
            data = {"csrf_token": token, "nip": "198503152010012003", "password": "x" * 12}
            login = client.post("/masuk", data=data)
            assert login.status_code == 503
            assert login.template.name == "errors/503.html"
            assert client.get("/readyz").status_code == 503
    finally:
        app.state.engine.dispose()
