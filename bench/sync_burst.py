"""A class reconnecting at once: N phones send their offline marks to `/sinkron` together
(issue 19 item 3).

Starts a real `lentera serve` (one worker, loopback only) on a fresh SQLite database with the
demo courses, creates N learners who started PPP-101 online (enrolled, first module opened)
with a login session each, then releases N simultaneous `/sinkron` batches of 6 offline
completions (one per module, each with an hour of offline reading, which the server clamps to
the module's cap and which is more than the minimum study time). Then every batch is sent
again, as a phone does when it lost the first answer. Reports the statuses, the slowest answer
and whether every event was applied exactly once (one progress event and one completed module
per mark, and the replay applied nothing).

    python bench/sync_burst.py [--phones 50,200] [--timeout 120] [--workdir DIR]
                               [--postgres-url URL] [--workers N]

With --postgres-url each burst also runs on a throwaway PostgreSQL database created (and
dropped) through that URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres.

Every request is bounded by --timeout seconds; nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COURSE = "PPP-101"
SECRET = "bench-sync-secret-" + "s" * 40


@dataclass
class Phone:
    """One learner's phone: its session cookie and its CSRF pair."""

    user_id: int
    session_token: str
    csrf_seed: str
    csrf_token: str


@dataclass
class BurstResult:
    phones: int
    statuses: Counter[int] = field(default_factory=Counter)
    replay_statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    slowest_seconds: float = 0.0
    wall_seconds: float = 0.0
    applied: int = 0
    replay_applied: int = 0
    events_stored: int = 0
    modules_completed: int = 0

    @property
    def exactly_once(self) -> bool:
        expected = self.phones * 6
        # A batch refused with 503 is applied by the re-send; nothing may be applied twice.
        return (
            self.applied + self.replay_applied == expected
            and self.events_stored == expected
            and self.modules_completed == expected
        )


def _csrf_pair(secret: str) -> tuple[str, str]:
    import hashlib
    import hmac

    seed = secrets.token_urlsafe(32)
    token = hmac.new(secret.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()
    return seed, token


def seed_phones(database_url: str, count: int, secret: str, *, first: int = 0) -> list[Phone]:
    """`count` learners enrolled in PPP-101 with its first module opened, each logged in."""
    from app.accounts import auth
    from app.config import Settings
    from app.content.catalog import ContentCache
    from app.db import make_engine, make_sessionmaker, session_scope
    from app.learning import progress
    from tests.factories import make_user, nip

    settings = Settings(database_url=database_url, secret_key=secret)
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    phones = []
    with session_scope(factory) as session:
        view = ContentCache().catalog(session).by_code[COURSE]
        opened = view.modules[0].slug
        for index in range(first, first + count):
            born = f"1980{index // 999 % 12 + 1:02d}{index // 11988 % 28 + 1:02d}"
            user = make_user(session, password=None, nip=nip(birth=born, seq=index % 999 + 1))
            progress.enrol(session, user.id, view.course_id)
            progress.record_open(session, user.id, view.course_id, opened)
            token = auth.open_session(session, settings, user, "127.0.0.1", "bench")
            seed, csrf = _csrf_pair(secret)
            phones.append(Phone(user.id, token, seed, csrf))
    engine.dispose()
    return phones


def batch_for(phone: Phone, slugs: list[str]) -> list[dict[str, object]]:
    """Six offline marks, one per module, each after an hour of offline reading; the same ids
    every time, as a phone re-sends its queue."""
    return [
        {"id": f"burst-{phone.user_id}-{i}", "course": COURSE, "module": slug,
         "kind": "completed", "seconds": 3600}
        for i, slug in enumerate(slugs)
    ]  # fmt: skip


def burst(base_url: str, phones: list[Phone], slugs: list[str], timeout: float) -> BurstResult:
    """Send every phone's batch at once, then again; count statuses and applied events."""
    result = BurstResult(phones=len(phones))
    batches = [batch_for(phone, slugs) for phone in phones]
    clients = [
        httpx.Client(
            base_url=base_url,
            timeout=timeout,
            cookies={"lentera_session": p.session_token, "lentera_csrf": p.csrf_seed},
            headers={"X-CSRF-Token": p.csrf_token},
        )
        for p in phones
    ]
    lock = threading.Lock()

    def send(index: int, start: threading.Barrier | None, replay: bool) -> None:
        if start is not None:
            start.wait()
        began = time.monotonic()
        try:
            response = clients[index].post("/sinkron", json={"events": batches[index]})
        except httpx.HTTPError as exc:
            with lock:
                result.errors.append(f"{type(exc).__name__}: {exc}")
            return
        took = time.monotonic() - began
        with lock:
            (result.replay_statuses if replay else result.statuses)[response.status_code] += 1
            result.slowest_seconds = max(result.slowest_seconds, took)
            if response.status_code == 200:
                applied = len(response.json()["applied"])
                if replay:
                    result.replay_applied += applied
                else:
                    result.applied += applied
            elif not replay:
                result.errors.append(f"{response.status_code}: {response.text[:200]}")

    try:
        start = threading.Barrier(len(phones))
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(phones)) as pool:
            list(pool.map(lambda i: send(i, start, False), range(len(phones))))
        result.wall_seconds = time.monotonic() - began
        # A phone whose answer was lost (or refused with 503) sends the same batch again.
        with ThreadPoolExecutor(max_workers=min(len(phones), 16)) as pool:
            list(pool.map(lambda i: send(i, None, True), range(len(phones))))
    finally:
        for client in clients:
            client.close()
    return result


def count_rows(database_url: str, user_ids: list[int], result: BurstResult) -> None:
    """Fill in what the database holds for these learners."""
    from sqlalchemy import func, select

    from app.db import make_engine
    from app.learning.models import ModuleProgress, ProgressEvent

    engine = make_engine(database_url)
    with engine.connect() as conn:
        result.events_stored = (
            conn.scalar(select(func.count()).where(ProgressEvent.user_id.in_(user_ids))) or 0
        )
        result.modules_completed = (
            conn.scalar(
                select(func.count()).where(
                    ModuleProgress.user_id.in_(user_ids), ModuleProgress.completed_at.is_not(None)
                )
            )
            or 0
        )
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def throwaway_postgres(admin_url: str) -> Iterator[str]:
    """A new empty PostgreSQL database (dropped afterwards); yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"lentera_bench_{secrets.token_hex(4)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def run(
    phones: int,
    workdir: Path,
    timeout: float,
    database_url: str | None = None,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
) -> BurstResult:
    """One burst of `phones` against a fresh server and database (SQLite under `workdir`
    unless `database_url` names an empty database)."""
    import app.models  # noqa: F401  (every table, for the foreign keys)
    from app.content import store
    from app.content.catalog import ContentCache
    from app.db import make_engine, make_sessionmaker, session_scope

    workdir.mkdir(parents=True, exist_ok=True)
    database_url = database_url or f"sqlite:///{workdir / 'lentera.db'}"
    lentera = str(Path(sys.executable).with_name("lentera"))
    env = {
        **os.environ,
        "LENTERA_DATABASE_URL": database_url,
        "LENTERA_DATA_DIR": str(workdir),
        "LENTERA_SECRET_KEY": SECRET,
        "LENTERA_CONTENT_DIR": str(ROOT / "content"),
        "LENTERA_LOAD_CONTENT_ON_START": "false",
        "LENTERA_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.pop("LENTERA_DEMO", None)
    subprocess.run([lentera, "migrate"], env=env, check=True, capture_output=True)  # noqa: S603
    engine = make_engine(database_url)
    with session_scope(make_sessionmaker(engine)) as session:
        store.import_library(session, ROOT / "content")
    with make_sessionmaker(engine)() as session:
        slugs = [m.slug for m in ContentCache().catalog(session).by_code[COURSE].modules]
    engine.dispose()
    seeded = seed_phones(database_url, phones, SECRET)
    port = _free_port()
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [lentera, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((workdir / "server.log").read_text())
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        result = burst(base, seeded, slugs[:6], timeout)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    count_rows(database_url, [p.user_id for p in seeded], result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", default="50,200")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--postgres-url", help="also run on a throwaway PostgreSQL database")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lentera-sync-burst-"))
    rows = []
    runs = [(int(n), "sqlite") for n in args.phones.split(",")]
    if args.postgres_url:
        runs += [(int(n), "postgresql") for n in args.phones.split(",")]
    for count, backend in runs:
        if backend == "sqlite":
            result = run(count, workdir / f"n{count}", args.timeout, workers=args.workers)
        else:
            with throwaway_postgres(args.postgres_url) as url:
                result = run(count, workdir / f"pg{count}", args.timeout, url, args.workers)
        row = {
            "backend": backend,
            "workers": args.workers,
            "phones": count,
            "events": count * 6,
            "statuses": dict(result.statuses),
            "replay_statuses": dict(result.replay_statuses),
            "errors": len(result.errors),
            "first_errors": result.errors[:3],
            "burst_seconds": round(result.wall_seconds, 2),
            "slowest_seconds": round(result.slowest_seconds, 2),
            "applied": result.applied,
            "applied_on_resend": result.replay_applied,
            "events_stored": result.events_stored,
            "modules_completed": result.modules_completed,
            "exactly_once": result.exactly_once,
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    if any(r["errors"] or not r["exactly_once"] for r in rows):  # a 503 counts as an error
        sys.exit(1)


if __name__ == "__main__":
    main()
