"""Nothing acknowledged is lost when the server is killed mid-write (SQLite and PostgreSQL).

Learners write progress and submit quizzes concurrently against a real server process; the
process is killed with SIGKILL while they do; after a restart every write that got its 303
is there, and nothing is half-written.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.config import Settings
from app.content import store
from app.content.catalog import ContentCache
from app.content.format import loader
from app.db import make_engine
from app.learning import progress
from app.learning.models import Certificate, Completion, ModuleProgress, QuizAttempt
from tests import servers
from tests.conftest import CONTENT_DIR
from tests.factories import make_user

LEARNERS = 6


def _prepare(database_url: str, library: loader.Library) -> list[tuple[int, str]]:
    engine = make_engine(database_url)
    # Not a test of the study rules: the course (as if its kursus.yaml said so) lets modules be
    # marked at once, without a pre-test first.
    relaxed = dataclasses.replace(
        library.courses["PPP-101"], pretest_required=False, min_time_percent=0
    )
    library = dataclasses.replace(library, courses={**library.courses, "PPP-101": relaxed})
    with Session(engine) as session:
        store.import_library(session, CONTENT_DIR, library=library)
        view = ContentCache().catalog(session).by_code["PPP-101"]
        people = []
        for _ in range(LEARNERS):
            user = make_user(session)
            progress.enrol(session, user.id, view.course_id)
            token = auth.open_session(session, Settings(_env_file=None), user, None, None)
            people.append((user.id, token))
        session.commit()
    engine.dispose()
    return people


def _learner_loop(
    base: str, token: str, slugs: list[str], acked: list[tuple[str, str]], stop: threading.Event
) -> None:
    seed, csrf = servers.csrf_pair()
    cookies = {"lentera_session": token, "lentera_csrf": seed}
    with httpx.Client(base_url=base, cookies=cookies, timeout=5) as client:
        index = 0
        while not stop.is_set():
            try:
                if index % 4 == 3:
                    start = client.post(
                        "/kursus/PPP-101/tes/tes-awal/mulai", data={"csrf_token": csrf}
                    )
                    if start.status_code == 303:
                        url = start.headers["location"]
                        page = client.get(url)
                        question = re.search(r'name="(q-[0-9a-f]+)" value="([0-9a-f]+)"', page.text)
                        data = {"csrf_token": csrf}
                        if question:
                            data[question[1]] = question[2]
                        sent = client.post(url, data=data)
                        if sent.status_code == 303:
                            acked.append(("quiz", url.rsplit("/", 1)[1]))
                else:
                    slug = slugs[index % len(slugs)]
                    response = client.post(
                        f"/kursus/PPP-101/modul/{slug}/selesai",
                        data={"csrf_token": csrf, "event_id": f"ev{index:06d}{token[:8]}"},
                    )
                    if response.status_code == 303:
                        acked.append(("module", slug))
            except httpx.TransportError:
                return  # the server is gone
            index += 1


def test_every_acknowledged_write_survives_a_sigkill(
    fresh_database_url: str, tmp_path: Path, demo_library: loader.Library
) -> None:
    people = _prepare(fresh_database_url, demo_library)
    slugs = [m.slug for m in demo_library.courses["PPP-101"].modules]
    server = servers.start(fresh_database_url, tmp_path)
    acked: dict[int, list[tuple[str, str]]] = {uid: [] for uid, _ in people}
    stop = threading.Event()
    threads = [
        threading.Thread(target=_learner_loop, args=(server.base_url, tok, slugs, acked[uid], stop))
        for uid, tok in people
    ]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while sum(len(a) for a in acked.values()) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # mid-traffic, no warning
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        server.stop()
    assert sum(len(a) for a in acked.values()) >= 10, server.log.read_text()[-2000:]

    restarted = servers.start(fresh_database_url, tmp_path)
    restarted.stop()
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as session:
            for user_id, writes in acked.items():
                done = set(
                    session.scalars(
                        select(ModuleProgress.module_slug).where(
                            ModuleProgress.user_id == user_id,
                            ModuleProgress.completed_at.is_not(None),
                        )
                    )
                )
                assert {slug for kind, slug in writes if kind == "module"} <= done
                submitted = {
                    str(a.number)
                    for a in session.scalars(
                        select(QuizAttempt).where(
                            QuizAttempt.user_id == user_id, QuizAttempt.submitted_at.is_not(None)
                        )
                    )
                }
                assert {n for kind, n in writes if kind == "quiz"} <= submitted
            # No half-written state: a submitted attempt always has its score, and a
            # completion always has its certificate.
            assert (
                session.scalar(
                    select(func.count())
                    .select_from(QuizAttempt)
                    .where(QuizAttempt.submitted_at.is_not(None), QuizAttempt.score.is_(None))
                )
                == 0
            )
            completions = session.scalar(select(func.count()).select_from(Completion)) or 0
            certificates = session.scalar(select(func.count()).select_from(Certificate)) or 0
            assert completions == certificates
    finally:
        engine.dispose()
