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
from tests.study import give_study_time

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


def test_a_mark_queued_by_another_account_on_a_shared_phone_is_never_credited(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    """The queue outlives a logout: the next person to log in must not get its marks."""
    first = make_user(session)
    second = make_user(session)
    login(client, second)
    _take_quiz(client, session, "tes-awal", correct=False)
    token = _token(client)
    assert f'data-user="{second.id}"' in client.get("/kursus/PPP-101").text
    events: list[dict[str, object]] = [
        {"id": "queued-by-first", "module": MODULE, "user": str(first.id)},
        {"id": "queued-by-second", "module": MODULE, "user": str(second.id)},
    ]
    for queued in events:  # read long enough on the phone
        queued.update(course="PPP-101", seconds=3600)
    body = _sync(client, events, token).json()
    assert body["applied"] == ["queued-by-second"]
    assert body["rejected"] == {"queued-by-first": "made by another account"}
    owners = {e.user_id for e in session.scalars(select(ProgressEvent))}
    assert owners == {second.id}


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


def test_saved_course_manifest_lists_pages_images_and_simulation_steps(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    _take_quiz(client, session, "tes-awal", correct=False)
    client.get(f"/kursus/PPP-101/modul/{MODULE}")
    give_study_time(session, learner.id)
    _mark(client, MODULE)
    manifest = client.get("/kursus/PPP-101/offline.json").json()
    assert "/kursus/PPP-101" in manifest["urls"]
    assert f"/kursus/PPP-101/modul/{MODULE}" in manifest["urls"]
    assert "/kursus/PPP-101/berkas/gambar/alur-pengaduan.svg" in manifest["urls"]
    # Tests and practice quizzes are server records: never saved, and the module page says
    # so next to its practice quiz, before the learner follows the link.
    assert not any("/tes/" in url for url in manifest["urls"])
    module_page = client.get(f"/kursus/PPP-101/modul/{MODULE}").text
    assert re.search(
        rf'href="/kursus/PPP-101/tes/{MODULE}">[^<]+</a> \([^)]+\) '
        r'<span class="needs-net">Perlu koneksi internet</span>',
        module_page,
    )
    # Every step of the simulation, each situation and each choice's outcome, is a page.
    steps = [url for url in manifest["urls"] if "/situasi/" in url]
    assert "/kursus/PPP-101/modul/06-simulasi-loket-disdukcapil/situasi/mulai" in steps
    assert len(steps) > 10
    assert all(client.get(url).status_code == 200 for url in steps)
    # "Lanjutkan belajar" is never saved (its target moves with every mark): the offline page
    # works it out from the modules in order and those complete.
    assert not any(url.endswith("/lanjutkan") for url in manifest["urls"])
    assert manifest["title"] == "Pelayanan Publik Prima"
    assert [slug for slug, _title in manifest["modules"]][:2] == [
        MODULE,
        "02-standar-dan-maklumat-pelayanan",
    ]
    assert manifest["done"] == [MODULE]


def _mark(client: TestClient, slug: str, event_id: str | None = None):  # type: ignore[no-untyped-def]
    data = {"csrf_token": _form_token(client, slug)}
    if event_id is not None:
        data["event_id"] = event_id
    return client.post(f"/kursus/PPP-101/modul/{slug}/selesai", data=data)


def _form_token(client: TestClient, slug: str) -> str:
    page = client.get(f"/kursus/PPP-101/modul/{slug}")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match[1]


def test_unchanged_module_revalidates_as_304_and_a_mark_changes_its_etag(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    _take_quiz(client, session, "tes-awal", correct=False)
    url = f"/kursus/PPP-101/modul/{MODULE}"
    first = client.get(url)
    assert first.status_code == 200 and "event_id" not in first.text
    etag = first.headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # The revisit still counts as a visit for study time: only the bytes were saved.
    row = session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == learner.id))
    assert row is not None and row.visit_started_at is not None

    give_study_time(session, learner.id)
    assert _mark(client, MODULE).status_code == 303
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert "Modul ini sudah Anda tandai selesai." in changed.text
    assert "Kemajuan kursus: 1 dari 6 modul" in changed.text


def test_a_mark_without_javascript_counts_once_however_often_it_is_sent(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    _take_quiz(client, session, "tes-awal", correct=False)
    client.get(f"/kursus/PPP-101/modul/{MODULE}")
    give_study_time(session, learner.id)
    assert _mark(client, MODULE).status_code == 303
    row = session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == learner.id))
    assert row is not None and row.completed_at is not None
    first_time = row.completed_at
    assert _mark(client, MODULE).status_code == 303  # a second tap, or a resent form
    session.expire_all()
    rows = session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == learner.id))
    assert [(r.module_slug, r.completed_at) for r in rows] == [(MODULE, first_time)]
    assert session.scalar(select(ProgressEvent)) is None  # no id, nothing to replay


def test_a_mark_whose_answer_was_lost_and_then_queued_offline_counts_once(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    """The page's script sends its mark with an id; when the network fails before the answer
    comes back, it queues the same id, so the sync of a mark the server did get changes
    nothing."""
    learner = make_user(session)
    login(client, learner)
    _take_quiz(client, session, "tes-awal", correct=False)
    client.get(f"/kursus/PPP-101/modul/{MODULE}")
    give_study_time(session, learner.id)
    assert _mark(client, MODULE, event_id="page-view-0001").status_code == 303
    event = {"id": "page-view-0001", "course": "PPP-101", "module": MODULE, "seconds": 60}
    result = _sync(client, [event], _token(client)).json()
    assert result["applied"] == [] and result["duplicates"] == ["page-view-0001"]
    stored = session.scalars(select(ProgressEvent)).all()
    assert [(e.id, e.source) for e in stored] == [(f"{learner.id}:page-view-0001", "web")]


def test_service_worker_and_offline_page_are_served_to_anyone(client: TestClient) -> None:
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["service-worker-allowed"] == "/"
    assert worker.headers["content-type"].startswith("application/javascript")
    offline = client.get("/offline").text
    assert "Tes dan kuis memerlukan koneksi internet." in offline
    # The start page without a connection: the script fills in the courses saved here.
    assert "data-saved-courses" in offline and "Kursus tersimpan di perangkat ini" in offline


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
