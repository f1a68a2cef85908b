"""Bad input, tried systematically on every route: never a 5xx, never a change, never a leak.

For every GET route: hostile query strings (SQL metacharacters, script tags, traversal, NUL,
very long values). For every POST route: invalid UTF-8, duplicated and malformed fields, a
missing CSRF token, an oversized body. Path parameters get traversal and SQL payloads too.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.content import store
from app.learning.models import Enrolment, ModuleProgress, QuizAttempt
from tests.factories import csrf_token, login, make_user
from tests.test_route_security import _routes

HOSTILE = [
    "' OR '1'='1' --",
    "1; DROP TABLE users; --",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "%00\x00nul",
    "x" * 5000,
    "1e309",
    "-1",
]
PATH_VALUES = {
    "code": "PPP-101",
    "slug": "01-dasar-hukum-dan-asas",
    "key": "tes-awal",
    "number": "1",
    "nip": "",  # filled with a real NIP
    "version_id": "1",
    "token_id": "1",
    "token": "tidak-ada",
    "situation_id": "mulai",
    "choice_id": "x",
    "path": "gambar/alur-pengaduan.svg",
    "id": "1",
    "submission_id": "1",
}


def _fill(path: str, overrides: dict[str, str]) -> str:
    values = {**PATH_VALUES, **overrides}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m[1], "1"), path)


def _state(session: Session) -> tuple[int, ...]:
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (User, Enrolment, ModuleProgress, QuizAttempt)
    )


def _admin(client: TestClient, session: Session) -> User:
    admin = make_user(session, roles={Role.ADMIN, Role.HR, Role.TRAINER, Role.LEARNER})
    login(client, admin)
    return admin


def test_hostile_query_strings_and_paths_never_cause_a_server_error(
    app: FastAPI, client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    admin = _admin(client, session)
    failures = []
    for route in _routes(app):
        if "GET" not in (route.methods or set()) or route.path in ("/keluar",):
            continue
        queries = [p.alias for p in route.dependant.query_params]
        for payload in HOSTILE:
            url = _fill(route.path, {"nip": admin.nip})
            params = {name: payload for name in queries} or {"q": payload}
            response = client.get(url, params=params)
            if response.status_code >= 500:
                failures.append((route.path, payload[:20], response.status_code))
            for name in re.findall(r"\{(\w+)", route.path):
                hostile = quote(payload[:200], safe="")
                bad = client.get(_fill(route.path, {"nip": admin.nip, name: hostile}))
                if bad.status_code >= 500:
                    failures.append((route.path, f"{name}={payload[:20]}", bad.status_code))
                assert "<script>alert(1)</script>" not in bad.text
    assert failures == []


def _post_routes(app: FastAPI) -> list[APIRoute]:
    # Logout is left out: a valid token would end the session the other checks run in.
    return [
        r
        for r in _routes(app)
        if "POST" in (r.methods or set()) and not r.path.startswith("/api/") and r.path != "/keluar"
    ]


def test_malformed_posts_are_refused_with_4xx_and_change_nothing(
    app: FastAPI, client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    admin = _admin(client, session)
    token = csrf_token(client, "/profil")
    before = _state(session)
    failures = []
    for route in _post_routes(app):
        url = _fill(route.path, {"nip": admin.nip})
        attempts = {
            "no csrf": client.post(url, data={"x": "1"}),
            "invalid utf-8": client.post(
                url,
                content=b"csrf_token=" + token.encode() + b"&nip=\xff\xfe\xfa&name=\xc3\x28",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            "duplicated fields": client.post(
                url,
                content=f"csrf_token={token}&csrf_token=x&nip=1&nip=2&lang=en&lang=id".encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            "garbage multipart": client.post(
                url,
                content=b'--zz\r\nContent-Disposition: form-data; name="file"\r\n\r\nx',
                headers={"Content-Type": "multipart/form-data; boundary=zz"},
            ),
            "oversized": client.post(url, data={"csrf_token": token, "x": "y" * 2_000_000}),
        }
        assert client.get("/profil").status_code == 200, f"{route.path} ended the session"
        for name, response in attempts.items():
            ok = 300 <= response.status_code < 500 or (
                # Duplicated fields with a valid first token may legitimately succeed on
                # routes that need nothing else (logout, language): never a server error.
                name == "duplicated fields" and response.status_code < 500
            )
            if not ok:
                failures.append((route.path, name, response.status_code))
    assert failures == []
    assert _state(session) == before


def test_ids_of_other_peoples_records_reveal_nothing(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    owner = make_user(session)
    other = make_user(session)
    login(client, owner)
    client.post("/kursus/PPP-101/ikuti", data={"csrf_token": csrf_token(client, "/kursus/PPP-101")})
    token = csrf_token(client, "/kursus/PPP-101/tes/tes-awal")
    client.post("/kursus/PPP-101/tes/tes-awal/mulai", data={"csrf_token": token})
    client.cookies.clear()
    login(client, other)
    # Attempts are addressed by the learner's own attempt number: another learner's is a 404.
    assert client.get("/kursus/PPP-101/tes/tes-awal/1").status_code == 404
    assert client.get(f"/pegawai/{owner.nip}").status_code == 403
    assert client.get("/riwayat/eksternal/1/berkas").status_code == 404
    events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    assert events > 0
