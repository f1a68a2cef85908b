"""The JSON API fuzzed from its own OpenAPI schema: no input makes it fail with a 5xx, and
every successful answer matches the schema it documents (both databases)."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.content import store
from app.reports import tokens
from tests.factories import make_user


def test_api_never_fails_with_a_server_error(
    app: FastAPI, session: Session, demo_content: store.ImportReport
) -> None:
    hr = make_user(session, roles={Role.HR})
    _token, plain = tokens.create(session, "fuzz", actor_id=hr.id)
    session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 3

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(
                headers=headers,
                checks=[checks.not_a_server_error, checks.response_schema_conformance],
            )

        fuzz()
