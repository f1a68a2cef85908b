"""The JSON API fuzzed from its own OpenAPI schema with schemathesis's conformance checks (both
databases): no 5xx, and every answer, valid input or not, has a status, a content type, headers
and a body the schema declares; input the schema rules out is refused with a 4xx."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.content import store
from app.reports import tokens
from tests.factories import make_user

CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
# Bounded so the whole file stays a few seconds per database.
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 12}


def _fuzz(app: FastAPI, headers: dict[str, str], mode: GenerationMode, extra: list[Any]) -> int:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 5

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            database=None,
            derandomize=True,  # the same examples on every run: CI never flakes
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[*CONFORMANCE, *extra])

        fuzz()
    return len(operations)


def _headers(session: Session) -> dict[str, str]:
    hr = make_user(session, roles={Role.HR})
    _token, plain = tokens.create(session, "fuzz", actor_id=hr.id)
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_api_answers_valid_input_as_its_schema_documents(
    app: FastAPI, session: Session, demo_content: store.ImportReport
) -> None:
    _fuzz(app, _headers(session), GenerationMode.POSITIVE, [])


def test_api_refuses_input_its_schema_rules_out_with_a_documented_4xx(
    app: FastAPI, session: Session, demo_content: store.ImportReport
) -> None:
    _fuzz(app, _headers(session), GenerationMode.NEGATIVE, [checks.negative_data_rejection])


def test_the_published_schema_describes_the_json_api_only(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert sorted(spec["paths"]) == [
        "/api/v1/completions", "/api/v1/courses", "/api/v1/jp-summary",
        "/api/v1/jp-summary/units", "/api/v1/users",
    ]  # fmt: skip


def test_every_api_route_documents_its_error_answers_with_the_json_error_model(
    client: TestClient,
) -> None:
    spec = client.get("/api/openapi.json").json()
    operations = [op for path, item in spec["paths"].items() for op in item.values()]
    assert len(operations) >= 5
    for operation in operations:
        for status in ("400", "401", "422", "503"):
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"]["$ref"].endswith("/ErrorOut")
        assert operation["security"] == [{"HTTPBearer": []}]


def test_api_parameters_state_their_bounds_in_the_schema(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()

    def param(path: str, name: str) -> dict[str, Any]:
        found = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name]
        schema: dict[str, Any] = found[0]["schema"]
        return schema["anyOf"][0] if "anyOf" in schema else schema

    year = param("/api/v1/jp-summary", "year")
    assert (year["minimum"], year["maximum"]) == (2000, 2100)
    assert param("/api/v1/users", "limit")["minimum"] == 1
    assert param("/api/v1/users", "limit")["maximum"] == 1000
    assert param("/api/v1/users", "cursor")["maximum"] == 2**31 - 1
    course = param("/api/v1/completions", "course")
    assert course["maxLength"] == 32 and course["pattern"] == r"^[^\x00-\x1f\x7f-\x9f]*$"


def test_a_year_outside_the_schema_bounds_is_refused_with_422_and_a_later_year_with_400(
    client: TestClient, session: Session
) -> None:
    headers = _headers(session)
    for year in (0, 1999, 2101, 99999999999999999999):
        response = client.get("/api/v1/jp-summary", params={"year": year}, headers=headers)
        assert response.status_code == 422, year
        assert response.json()["error"]["fields"][0]["loc"] == ["query", "year"]


def test_a_control_character_in_a_course_code_is_refused_with_a_documented_status(
    client: TestClient, session: Session
) -> None:
    headers = _headers(session)
    for course in ("A\x01B", "A\x7fB", "A\x88B"):
        response = client.get("/api/v1/completions", params={"course": course}, headers=headers)
        assert response.status_code == 422
    nul = client.get("/api/v1/completions", params={"course": "A\x00B"}, headers=headers)
    assert nul.status_code == 400 and nul.json()["error"]["status"] == 400


def test_an_unknown_query_parameter_is_refused_with_400_rather_than_ignored(
    client: TestClient, session: Session
) -> None:
    headers = _headers(session)
    response = client.get("/api/v1/completions", params={"form": "2026-01-01"}, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Unknown query parameter: 'form'."
    known = {"from": "2026-01-01", "limit": 5, "course": "X"}
    assert client.get("/api/v1/completions", params=known, headers=headers).status_code == 200
