"""Every integer a route reads from its path or query string is bounded: huge, negative and
non-numeric values are answered 4xx, never 500 (`app/web/params.py`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from annotated_types import Ge, Le
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.content import store
from app.reports import tokens
from app.web.params import MAX_ID
from tests.factories import csrf_token, login, make_user

BAD_VALUES = ("99999999999999999999", str(2**31), "-1", "0", "abc")


@dataclass(frozen=True)
class IntParam:
    route: APIRoute
    name: str
    where: str  # "path" or "query"
    lower: int | None
    upper: int | None


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif getattr(route, "original_router", None) is not None:
            yield from _routes(route.original_router.routes)


def _params(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    yield from (("path", p) for p in dependant.path_params)
    yield from (("query", p) for p in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _params(sub)


def _int_params(app: FastAPI) -> list[IntParam]:
    found = []
    for route in _routes(app.routes):
        for where, param in _params(route.dependant):
            annotation = param.field_info.annotation
            if int not in (annotation, *getattr(annotation, "__args__", ())):
                continue
            meta = param.field_info.metadata
            lower = next((int(m.ge) for m in meta if isinstance(m, Ge)), None)  # type: ignore[call-overload]
            upper = next((int(m.le) for m in meta if isinstance(m, Le)), None)  # type: ignore[call-overload]
            found.append(IntParam(route, param.alias, where, lower, upper))
    return found


def test_every_integer_path_and_query_parameter_declares_bounds_within_the_database_range(
    app: FastAPI,
) -> None:
    params = _int_params(app)
    assert len(params) >= 15, "the walk must find the integer parameters"
    paths = {p.route.path for p in params}
    assert "/riwayat/eksternal/{external_id}/berkas" in paths and "/pegawai" in paths
    unbounded = [
        (p.route.path, p.name)
        for p in params
        if p.lower is None or p.upper is None or p.upper > MAX_ID or p.lower < -MAX_ID
    ]
    assert unbounded == []


def _url(route: APIRoute, target: str, value: str, course_code: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name == target:
            return value
        return {"code": course_code, "external_id": "1", "version_id": "1"}.get(name, "x")

    return re.sub(r"\{([^}]+)\}", fill, route.path)


def test_huge_negative_and_non_numeric_integers_never_give_a_server_error(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    everyone = make_user(session, roles={Role.LEARNER, Role.TRAINER, Role.HR, Role.ADMIN})
    _token, plain = tokens.create(session, "walk", actor_id=everyone.id)
    session.commit()
    login(client, everyone)
    csrf = csrf_token(client, "/profil")
    code = demo_content.published[0]
    bearer = {"Authorization": f"Bearer {plain}"}

    failures = []
    calls = 0
    for param in _int_params(client.app):  # type: ignore[arg-type]
        for value in BAD_VALUES:
            for method in sorted((param.route.methods or set()) - {"HEAD"}):
                if param.where == "path":
                    url, query = _url(param.route, param.name, value, code), {}
                else:
                    url, query = _url(param.route, "", "", code), {param.name: value}
                headers = bearer if url.startswith("/api/") else {}
                if method == "POST":
                    response = client.post(
                        url, params=query, data={"csrf_token": csrf}, headers=headers
                    )
                else:
                    response = client.request(method, url, params=query, headers=headers)
                calls += 1
                if response.status_code >= 500 or (
                    value.lstrip("-").startswith("9999") and response.status_code < 400
                ):
                    failures.append((method, url, query, response.status_code))
    assert calls > 100
    assert failures == []


def test_a_huge_submission_id_is_refused_with_400_not_500(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session))
    response = client.get("/riwayat/eksternal/99999999999999999999/berkas")
    assert response.status_code == 400
    assert response.template.name == "errors/error.html"


def test_a_unit_filter_with_a_non_ascii_digit_or_a_huge_number_is_refused_with_400(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    for unit in ("²", "٣", "9999999999"):
        response = client.get("/laporan/ekspor/unduh", params={"unit": unit})
        assert response.status_code == 400, unit
        assert "Unit kerja tidak dikenal" in response.text
