"""Offline reading and sync: the saved-course manifest, and queued completions applied once."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content import store
from app.db import utcnow
from app.learning.models import ModuleProgress, ProgressEvent
from tests.factories import login, make_user
from tests.learning.test_journey import _take_quiz

MODULE = "01-dasar-hukum-dan-asas"


def _token(client: TestClient) -> str:
    page = client.get("/kursus/PPP-101")
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert match, "pages of logged-in users carry the CSRF token for scripts"
    return match[1]


def _sync(
    client: TestClient, events: Sequence[Mapping[str, object]], token: str | None = None
) -> Response:
    headers = {"X-CSRF-Token": token} if token else {}
    response: Response = client.post("/sinkron", json={"events": events}, headers=headers)
    return response


def test_offline_completions_are_applied_once_with_their_offline_time(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    _take_quiz(client, session, "tes-awal", correct=False)
    token = _token(client)
    finished = (utcnow() - timedelta(hours=3)).replace(microsecond=0)
    events: list[dict[str, object]] = [
        {
            "id": "offline-0001",
            "course": "PPP-101",
            "module": MODULE,
            "occurred_at": finished.isoformat(),
            "seconds": 3600,
        },
        {
            "id": "offline-0002",
            "course": "PPP-101",
            "module": "02-standar-dan-maklumat-pelayanan",
            "seconds": 3600,
        },
        {"id": "offline-0003", "course": "PPP-101", "module": "99-tidak-ada"},
    ]
    first = _sync(client, events, token)
    assert first.status_code == 200
    body = first.json()
    assert body["applied"] == ["offline-0001", "offline-0002"]
    assert list(body["rejected"]) == ["offline-0003"]
    replay = _sync(client, events, token).json()
    assert replay["applied"] == [] and replay["duplicates"] == ["offline-0001", "offline-0002"]

    row = session.scalar(
        select(ModuleProgress).where(
            ModuleProgress.user_id == learner.id, ModuleProgress.module_slug == MODULE
        )
    )
    assert row is not None and row.completed_at == finished
    assert len(session.scalars(select(ProgressEvent)).all()) == 2
    assert all(e.source == "offline" for e in session.scalars(select(ProgressEvent)))


def test_offline_times_outside_sane_bounds_are_clamped(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    _take_quiz(client, session, "tes-awal", correct=False)
    token = _token(client)
    future = (utcnow() + timedelta(days=2)).isoformat()
    ancient = (utcnow() - timedelta(days=400)).isoformat()
    _sync(
        client,
        [
            {
                "id": "future-0001",
                "course": "PPP-101",
                "module": MODULE,
                "occurred_at": future,
                "seconds": 3600,
            }
        ],
        token,
    )
    _sync(
        client,
        [
            {
                "id": "ancient-001",
                "course": "PPP-101",
                "module": "03-pengaduan-dan-skm",
                "occurred_at": ancient,
                "seconds": 3600,
            }
        ],
        token,
    )
    times = {
        r.module_slug: r.completed_at
        for r in session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == learner.id))
    }
    now = utcnow()
    done = times[MODULE]
    assert done is not None and done <= now
    old = times["03-pengaduan-dan-skm"]
    assert old is not None and now - timedelta(days=31) < old < now - timedelta(days=29)


def test_sync_without_the_csrf_header_or_login_is_refused_as_json(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    event = [{"id": "offline-0001", "course": "PPP-101", "module": MODULE}]
    anonymous = _sync(client, event)
    assert anonymous.status_code in (401, 403)
    login(client, make_user(session))
    forged = _sync(client, event, "0" * 64)
    assert forged.status_code == 403
    assert forged.json()["error"]["status"] == 403
    malformed = client.post(
        "/sinkron", json={"events": [{"id": "x"}]}, headers={"X-CSRF-Token": _token(client)}
    )
    assert malformed.status_code == 422
    assert session.scalar(select(ProgressEvent)) is None


def test_saved_course_manifest_lists_pages_and_images(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session))
    _take_quiz(client, session, "tes-awal", correct=False)
    manifest = client.get("/kursus/PPP-101/offline.json").json()
    assert "/kursus/PPP-101" in manifest["urls"]
    assert f"/kursus/PPP-101/modul/{MODULE}" in manifest["urls"]
    assert "/kursus/PPP-101/berkas/gambar/alur-pengaduan.svg" in manifest["urls"]
    assert not any("tes" in url.rsplit("/", 2)[-2] for url in manifest["urls"])


def test_service_worker_and_offline_page_are_served_to_anyone(client: TestClient) -> None:
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["service-worker-allowed"] == "/"
    assert worker.headers["content-type"].startswith("application/javascript")
    assert "Tes dan kuis memerlukan koneksi internet." in client.get("/offline").text


def test_pages_link_the_manifest_and_the_script(client: TestClient) -> None:
    page = client.get("/masuk").text
    assert re.search(r'rel="manifest" href="/static/manifest\.[0-9a-f]{10}\.webmanifest"', page)
    assert re.search(r'<script src="/static/lentera\.[0-9a-f]{10}\.js" defer></script>', page)
    assert "<script>" not in page  # no inline script


def test_saving_a_course_for_offline_does_not_mark_modules_opened(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    _take_quiz(client, session, "tes-awal", correct=False)
    page = client.get(f"/kursus/PPP-101/modul/{MODULE}", headers={"X-Lentera-Offline": "1"})
    assert page.status_code == 200
    mine = select(ModuleProgress).where(ModuleProgress.user_id == learner.id)
    assert session.scalar(mine) is None
    client.get(f"/kursus/PPP-101/modul/{MODULE}")
    assert session.scalar(mine) is not None
