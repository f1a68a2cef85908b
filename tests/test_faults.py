"""Faults under writes: a PostgreSQL outage and a full SQLite database (issue 19, item 21).

Expected: a clear 503 in Indonesian (JSON under /api and for the sync script), never a 500 with
a traceback; nothing acknowledged is lost; the connection pool recovers by itself; /readyz
reports the outage while it lasts.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.config import Settings
from app.content import store
from app.content.format import loader
from app.content.models import Course
from app.db import make_engine
from app.learning import progress
from app.learning.models import ModuleProgress, ProgressEvent
from app.main import create_app
from tests.conftest import CONTENT_DIR
from tests.factories import login, make_user
from tests.tcp_proxy import TcpProxy

COURSE = "PPP-101"
MODULES = ["01-dasar-hukum-dan-asas", "02-standar-dan-maklumat-pelayanan"]


def _learner_enrolled(url: str, library: loader.Library) -> User:
    engine = make_engine(url)
    # Not a test of the study rules: the course (as if its kursus.yaml said so) lets modules be
    # marked at once, without a pre-test first.
    relaxed = dataclasses.replace(
        library.courses[COURSE], pretest_required=False, min_time_percent=0
    )
    library = dataclasses.replace(library, courses={**library.courses, COURSE: relaxed})
    try:
        with Session(engine, expire_on_commit=False) as session:
            report = store.import_library(session, CONTENT_DIR, library=library)
            assert COURSE in report.published
            learner = make_user(session)
            course = session.scalar(select(Course).where(Course.code == COURSE))
            assert course is not None
            progress.enrol(session, learner.id, course.id)
            session.commit()
            return learner
    finally:
        engine.dispose()


def _app(url: str, tmp_path: Path) -> FastAPI:
    return create_app(
        Settings(
            database_url=url,
            data_dir=tmp_path / "var",
            secret_key="fault-secret-" + "x" * 40,
            load_content_on_start=False,
            _env_file=None,
        )
    )


def _completion_form(client: TestClient, module: str) -> dict[str, str]:
    page = client.get(f"/kursus/{COURSE}/modul/{module}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, page.text[-500:]
    # The page's script makes the event id (the page carries none, so it revalidates as 304).
    return {"csrf_token": csrf[1], "event_id": secrets.token_urlsafe(16)}


def _completed(url: str, user_id: int) -> set[str]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return set(
                session.scalars(
                    select(ModuleProgress.module_slug).where(
                        ModuleProgress.user_id == user_id, ModuleProgress.completed_at.is_not(None)
                    )
                )
            )
    finally:
        engine.dispose()


@pytest.fixture
def proxied_postgres(backend: str, fresh_database_url: str) -> Iterator[tuple[str, TcpProxy]]:
    """The test's own PostgreSQL database, reached through a proxy the test can cut."""
    if backend != "postgresql":
        pytest.skip("the outage is a PostgreSQL server going away; SQLite is a local file")
    real = make_url(fresh_database_url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    proxy.start()
    try:
        yield real.set(host="127.0.0.1", port=proxy.port).render_as_string(False), proxy
    finally:
        proxy.close()


def test_a_postgresql_outage_gets_503_pages_and_lentera_recovers_without_a_restart(
    fresh_database_url: str,
    proxied_postgres: tuple[str, TcpProxy],
    tmp_path: Path,
    demo_library: loader.Library,
) -> None:
    url, proxy = proxied_postgres
    learner = _learner_enrolled(fresh_database_url, demo_library)
    app = _app(url, tmp_path)
    try:
        with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
            login(client, learner)
            first, second = (_completion_form(client, module) for module in MODULES)
            done = f"/kursus/{COURSE}/modul/{MODULES[0]}/selesai"
            assert client.post(done, data=first).status_code == 303  # acknowledged

            proxy.cut()
            page = client.get(f"/kursus/{COURSE}")
            assert page.status_code == 503
            assert page.template.name == "errors/503.html"
            assert "belum tersimpan" in page.text and "Traceback" not in page.text
            assert page.headers["retry-after"] == "10"
            write = client.post(f"/kursus/{COURSE}/modul/{MODULES[1]}/selesai", data=second)
            assert write.status_code == 503
            api = client.get(
                "/api/v1/completions",
                headers={"Authorization": "Bearer lnt_unknown-token-0000000000"},
            )
            assert api.status_code == 503
            assert api.json()["error"]["status"] == 503
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["detail"].startswith("database unreachable")
            assert client.get("/healthz").status_code == 200

            proxy.restore()
            # The same process, the same pool: dead connections are replaced at checkout.
            assert client.get("/readyz").status_code == 200
            assert client.get(f"/kursus/{COURSE}").status_code == 200
            retried = client.post(f"/kursus/{COURSE}/modul/{MODULES[1]}/selesai", data=second)
            assert retried.status_code == 303
            assert (
                client.get(
                    "/api/v1/completions",
                    headers={"Authorization": "Bearer lnt_unknown-token-0000000000"},
                ).status_code
                == 401
            )
    finally:
        app.state.engine.dispose()
    assert _completed(fresh_database_url, learner.id) == set(MODULES)


def _limit_pages(app: FastAPI, limit: dict[str, int]) -> None:
    """SQLite's max_page_count is per connection: set it at every checkout from the pool."""

    @event.listens_for(app.state.engine, "checkout")
    def _apply(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={limit['pages']}")


def test_a_full_sqlite_database_answers_503_and_keeps_every_acknowledged_write(
    backend: str, fresh_database_url: str, tmp_path: Path, demo_library: loader.Library
) -> None:
    if backend != "sqlite":
        pytest.skip("max_page_count simulates a full disk under SQLite")
    learner = _learner_enrolled(fresh_database_url, demo_library)
    database = make_url(fresh_database_url).database
    assert database
    with sqlite3.connect(database) as raw:
        raw.execute("VACUUM")  # no free pages left over from the migrations
    app = _app(fresh_database_url, tmp_path)
    limit = {"pages": 1_073_741_823}  # SQLite's default maximum
    _limit_pages(app, limit)
    acknowledged: list[str] = []
    try:
        with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
            login(client, learner)
            token = re.search(
                r'<meta name="csrf-token" content="([^"]+)"', client.get(f"/kursus/{COURSE}").text
            )
            assert token
            headers = {"X-CSRF-Token": token[1]}
            limit["pages"] = 1  # SQLite keeps the current size: no page may be added any more

            def batch() -> list[dict[str, str]]:
                return [
                    {"id": secrets.token_hex(30), "course": COURSE, "module": MODULES[0]}
                    for _ in range(20)
                ]

            refused: list[dict[str, str]] = []
            for _ in range(200):
                events = batch()
                sync = client.post("/sinkron", json={"events": events}, headers=headers)
                assert sync.status_code in (200, 503), sync.text
                if sync.status_code == 503:
                    assert sync.json()["error"]["status"] == 503
                    assert sync.headers["retry-after"] == "10"
                    refused = events
                    break
                assert len(sync.json()["applied"]) == 20
                acknowledged += [e["id"] for e in events]
            assert refused, "the database never filled up"

            # A learner's form gets the Indonesian page (a few writes may still fit a page).
            pages = []
            csrf = _completion_form(client, MODULES[1])["csrf_token"]
            for _ in range(50):
                form = {"csrf_token": csrf, "event_id": secrets.token_urlsafe(48)}
                response = client.post(f"/kursus/{COURSE}/modul/{MODULES[1]}/selesai", data=form)
                assert response.status_code in (303, 503)
                if response.status_code == 503:
                    pages.append(response)
                    break
                acknowledged.append(form["event_id"])
            assert pages and pages[0].template.name == "errors/503.html"
            assert "Traceback" not in pages[0].text

            limit["pages"] = 1_073_741_823  # space freed: no restart needed
            retry = client.post("/sinkron", json={"events": refused}, headers=headers)
            assert retry.status_code == 200 and len(retry.json()["applied"]) == 20
            acknowledged += [e["id"] for e in refused]
    finally:
        app.state.engine.dispose()
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as session:
            stored = session.scalar(select(func.count()).where(ProgressEvent.user_id == learner.id))
    finally:
        engine.dispose()
    assert stored == len(acknowledged)
