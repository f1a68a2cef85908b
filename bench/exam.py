"""A city-wide exam on one small server (issue 16): N learners log in, open the final test,
start it together, think, and submit.

The shape of a published Moodle 4.5 load test (2,000-3,000 simultaneous users through one
quiz, 30-90 s of think time, everyone starting the attempt at the same moment), on Lentera:

1. a fresh database (SQLite under the work directory, or a throwaway PostgreSQL database)
   with the demo courses and N learners who finished every module of PPP-101 (so its final
   test is open to them), all with one password;
2. a real `lentera serve` (loopback only, `--workers W`);
3. one asyncio task per learner, each with its own httpx client (cookie jar, one keep-alive
   connection, idle most of the time): log in (spread over `--login-seconds`, at most
   `--login-concurrency` at once: Argon2 is meant to be slow), open the final test's page, wait
   for the others; then **all start at the same moment** (POST "Mulai", then the attempt page),
   think a random `--think` seconds (e.g. 30-90), submit their answers and read the result;
4. the database is then checked: every learner has exactly one submitted, graded attempt.

Reports per phase: requests, errors, p50/p95/p99/max latency, and the wall time of the
synchronised start. Bounded in time by `--deadline` (every request also by `--timeout`).

    python bench/exam.py --learners 300 --think 10,30 [--workers 2]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres] [--sqlite/--no-sqlite]

Hold thousands of connections: the script raises its open-file limit to the hard limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import cpu_seconds  # noqa: E402
from bench.sync_burst import _free_port, throwaway_postgres  # noqa: E402

COURSE = "PPP-101"
FINAL = "tes-akhir"
PASSWORD = "Ujian-Kota-Palu-2026!"  # noqa: S105 - the bench learners' password
SECRET = "bench-exam-secret-" + "e" * 40
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_CHOICE = re.compile(r'name="(q-[^"]+)" value="([^"]+)" type="(radio|checkbox)"')
_TEXT = re.compile(r'name="(q-[^"]+)" type="text"')


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        values = sorted(self.latencies)

        def pct(p: float) -> float | None:
            if not values:
                return None
            return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1)

        return {
            "requests": len(values) + len(self.errors),
            "errors": len(self.errors),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "max_ms": round(values[-1] * 1000, 1) if values else None,
            "first_errors": self.errors[:3],
        }


@dataclass
class ExamResult:
    learners: int
    phases: dict[str, Phase] = field(
        default_factory=lambda: {
            name: Phase()
            for name in ("login", "open test", "start", "start requests", "submit", "result page")
        }
    )
    start_wall_seconds: float = 0.0
    started_by: float = 0.0
    total_seconds: float = 0.0
    submitted_attempts: int = 0
    graded_attempts: int = 0
    learners_with_one_attempt: int = 0
    # Requests sent again once on a new connection (see `learner.timed`).
    resent: int = 0
    # CPU seconds used during the synchronised start (go to the last attempt page), by whom.
    start_cpu: dict[str, float] = field(default_factory=dict)


def _pids(*, named: str | None = None, parent: int | None = None) -> list[int]:
    """Running processes whose command is `named`, or `parent` and its children."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        pid = int(stat.parent.name)
        command = text[text.index("(") + 1 : text.rindex(")")]
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        if command == named or (parent is not None and parent in (pid, ppid)):
            found.append(pid)
    return found


class CpuSampler:
    """Samples, four times a second, the CPU used so far by the bench itself, the server (its
    processes) and PostgreSQL's; `between` answers what each used in a window."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.samples: list[tuple[float, float, float, float]] = []

    def sample(self) -> None:
        self.samples.append(
            (
                time.monotonic(),
                time.process_time(),
                cpu_seconds(_pids(parent=self.server_pid)),
                cpu_seconds(_pids(named="postgres")),
            )
        )

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(0.25)

    def between(self, begin: float, end: float) -> dict[str, float]:
        first = max((s for s in self.samples if s[0] <= begin), default=self.samples[0])
        last = min((s for s in self.samples if s[0] >= end), default=self.samples[-1])
        return {
            "window_seconds": round(last[0] - first[0], 2),
            "bench_client": round(last[1] - first[1], 2),
            "server": round(last[2] - first[2], 2),
            "postgresql": round(last[3] - first[3], 2),
        }


def seed(database_url: str, count: int) -> list[str]:
    """`count` learners who finished every module of PPP-101; their NIPs."""
    import app.models  # noqa: F401  (every table, for the foreign keys)
    from app.accounts.passwords import hash_password
    from app.content import store
    from app.content.catalog import ContentCache
    from app.db import make_engine, make_sessionmaker, session_scope, utcnow
    from app.learning import progress
    from tests.factories import make_user, nip

    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    with session_scope(factory) as session:
        store.import_library(session, ROOT / "content")
    digest = hash_password(PASSWORD)  # once: every learner has the same password
    nips = []
    for first in range(0, count, 500):
        with session_scope(factory) as session:
            view = ContentCache().catalog(session).by_code[COURSE]
            for index in range(first, min(count, first + 500)):
                born = f"1981{index // 999 % 12 + 1:02d}{index // 11988 % 28 + 1:02d}"
                user = make_user(session, password=None, nip=nip(birth=born, seq=index % 999 + 1))
                user.password_hash = digest
                progress.enrol(session, user.id, view.course_id)
                now = utcnow()
                for module in view.modules:
                    progress.record_open(session, user.id, view.course_id, module.slug)
                    progress.complete_module(
                        session,
                        user_id=user.id,
                        course_id=view.course_id,
                        slug=module.slug,
                        version_id=view.version_id,
                        now=now,
                    )
                nips.append(user.nip)
    engine.dispose()
    return nips


def _answers(page: str) -> dict[str, list[str]]:
    """An answer for every question on the attempt page (a random choice: it is graded)."""
    choices: dict[str, list[str]] = {}
    for name, value, _kind in _CHOICE.findall(page):
        choices.setdefault(name, []).append(value)
    form = {name: [random.choice(values)] for name, values in choices.items()}  # noqa: S311
    for name in _TEXT.findall(page):
        form[name] = ["pelayanan"]
    return form


async def learner(
    nip: str,
    base: str,
    args: argparse.Namespace,
    result: ExamResult,
    login_gate: asyncio.Semaphore,
    login_at: float,
    ready: asyncio.Queue[None],
    go: asyncio.Event,
) -> None:
    phases = result.phases
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base, timeout=args.timeout, limits=limits) as client:

        async def timed(phase: str, method: str, url: str, **kw: object) -> httpx.Response | None:
            began = time.monotonic()
            try:
                try:
                    response = await client.request(method, url, **kw)  # type: ignore[arg-type]
                except (httpx.ReadError, httpx.RemoteProtocolError):
                    # The server closed the kept-alive connection as the request went out
                    # (uvicorn closes one idle for its keep-alive timeout): no answer came, and
                    # a browser sends such a request again, once, on a new connection; so does
                    # the bench, counting it. Safe here: every request of the exam is a read or
                    # idempotent (a start returns the open attempt; an attempt is graded once,
                    # by a conditional UPDATE, whatever reaches the server twice).
                    result.resent += 1
                    response = await client.request(method, url, **kw)  # type: ignore[arg-type]
            except httpx.HTTPError as exc:
                phases[phase].errors.append(f"{type(exc).__name__}: {exc}")
                return None
            if response.status_code >= 400:
                phases[phase].errors.append(f"{response.status_code} {url}")
                return None
            phases[phase].latencies.append(time.monotonic() - began)
            return response

        try:
            await asyncio.sleep(max(0.0, login_at - time.monotonic()))
            async with login_gate:
                page = await timed("login", "GET", "/masuk")
                token = _CSRF.search(page.text) if page else None
                if token is None:
                    return
                done = await timed(
                    "login",
                    "POST",
                    "/masuk",
                    data={"csrf_token": token[1], "nip": nip, "password": PASSWORD, "next": "/"},
                )
            if done is None or done.status_code != 303:
                if done is not None:
                    phases["login"].errors.append(f"login answered {done.status_code}")
                return
            info = await timed("open test", "GET", f"/kursus/{COURSE}/tes/{FINAL}")
            token = _CSRF.search(info.text) if info else None
            if token is None:
                return
        finally:
            ready.put_nowait(None)
        await go.wait()
        # The synchronised start: the POST and the attempt page it leads to, as one step.
        began = time.monotonic()
        start = await timed(
            "start requests",
            "POST",
            f"/kursus/{COURSE}/tes/{FINAL}/mulai",
            data={"csrf_token": token[1]},
        )
        if start is None or start.status_code != 303:
            phases["start"].errors.append("start failed")
            return
        attempt_url = start.headers["location"]
        attempt = await timed("start requests", "GET", attempt_url)
        if attempt is None:
            phases["start"].errors.append("start failed")
            return
        phases["start"].latencies.append(time.monotonic() - began)  # the whole step
        result.started_by = max(result.started_by, time.monotonic())
        token = _CSRF.search(attempt.text)
        if token is None:
            phases["start"].errors.append("no form on the attempt page")
            return
        await asyncio.sleep(random.uniform(*args.think_range))  # noqa: S311
        form = {"csrf_token": [token[1]], **_answers(attempt.text)}
        submitted = await timed("submit", "POST", attempt_url, data=form)
        if submitted is None:
            return
        if submitted.status_code == 303:
            await timed("result page", "GET", submitted.headers["location"])


async def drive(
    base: str, nips: list[str], args: argparse.Namespace, server_pid: int
) -> ExamResult:
    result = ExamResult(learners=len(nips))
    sampler = CpuSampler(server_pid)
    sampling = asyncio.create_task(sampler.run())
    login_gate = asyncio.Semaphore(args.login_concurrency)
    ready: asyncio.Queue[None] = asyncio.Queue()
    go = asyncio.Event()
    began = time.monotonic()
    step = args.login_seconds / max(1, len(nips))
    tasks = [
        asyncio.create_task(
            learner(nip, base, args, result, login_gate, began + i * step, ready, go)
        )
        for i, nip in enumerate(nips)
    ]
    for _ in nips:
        await ready.get()
    start = time.monotonic()
    go.set()
    try:
        async with asyncio.timeout(max(1.0, args.deadline - (start - began))):
            await asyncio.gather(*tasks)
    except TimeoutError:
        for task in tasks:
            task.cancel()
        result.phases["submit"].errors.append("deadline reached before every learner finished")
    sampling.cancel()
    sampler.sample()
    result.start_wall_seconds = round(max(0.0, result.started_by - start), 2)
    result.start_cpu = sampler.between(start, result.started_by)
    result.total_seconds = round(time.monotonic() - began, 1)
    return result


def check(database_url: str, result: ExamResult) -> None:
    """Every learner: exactly one final-test attempt, submitted and graded."""
    from sqlalchemy import func, select

    from app.db import make_engine
    from app.learning.models import QuizAttempt

    engine = make_engine(database_url)
    with engine.connect() as conn:
        final = QuizAttempt.quiz_key == FINAL
        result.submitted_attempts = (
            conn.scalar(select(func.count()).where(final, QuizAttempt.submitted_at.is_not(None)))
            or 0
        )
        result.graded_attempts = (
            conn.scalar(select(func.count()).where(final, QuizAttempt.score.is_not(None))) or 0
        )
        per_user = (
            select(QuizAttempt.user_id)
            .where(final)
            .group_by(QuizAttempt.user_id)
            .having(func.count() == 1)
            .subquery()
        )
        result.learners_with_one_attempt = (
            conn.scalar(select(func.count()).select_from(per_user)) or 0
        )
    engine.dispose()


def run_exam(database_url: str, workdir: Path, args: argparse.Namespace) -> dict[str, object]:
    workdir.mkdir(parents=True, exist_ok=True)
    lentera = str(Path(sys.executable).with_name("lentera"))
    env = {
        **os.environ,
        "LENTERA_DATABASE_URL": database_url,
        "LENTERA_DATA_DIR": str(workdir),
        "LENTERA_SECRET_KEY": SECRET,
        "LENTERA_CONTENT_DIR": str(ROOT / "content"),
        "LENTERA_LOAD_CONTENT_ON_START": "false",
        "LENTERA_LOG_LEVEL": "WARNING",
    }
    env.pop("LENTERA_DEMO", None)
    subprocess.run([lentera, "migrate"], env=env, check=True, capture_output=True)  # noqa: S603
    seeded_at = time.monotonic()
    nips = seed(database_url, args.learners)
    seed_seconds = time.monotonic() - seeded_at
    port = _free_port()
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [lentera, "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(args.workers)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a loaded small machine starts slowly
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((workdir / "server.log").read_text())
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        result = asyncio.run(drive(base, nips, args, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    check(database_url, result)
    return {
        "backend": database_url.split(":", 1)[0].split("+")[0],
        "workers": args.workers,
        "learners": args.learners,
        "think_seconds": list(args.think_range),
        "login_seconds": args.login_seconds,
        "seed_seconds": round(seed_seconds, 1),
        "total_seconds": result.total_seconds,
        "synchronised_start_took_seconds": result.start_wall_seconds,
        # CPU seconds each part used from the go to the last attempt page (sampled every
        # 0.25 s, so the window is up to half a second wider): on one machine the bench's
        # own clients, the server and the database share the same cores.
        "synchronised_start_cpu_seconds": result.start_cpu,
        "phases": {name: phase.summary() for name, phase in result.phases.items()},
        "submitted_attempts": result.submitted_attempts,
        "graded_attempts": result.graded_attempts,
        "learners_with_one_attempt": result.learners_with_one_attempt,
        "resent_requests": result.resent,
        "all_recorded_once": result.submitted_attempts == args.learners
        and result.graded_attempts == args.learners
        and result.learners_with_one_attempt == args.learners,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--think", default="30,90", help="think time range in seconds: MIN,MAX")
    parser.add_argument("--login-seconds", type=float, default=60.0)
    parser.add_argument("--login-concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--deadline", type=float, default=900.0, help="whole run, seconds")
    parser.add_argument("--postgres-url")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    low, high = (float(x) for x in args.think.split(","))
    args.think_range = (low, high)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lentera-exam-"))
    rows = []
    if not args.no_sqlite:
        rows.append(
            run_exam(f"sqlite:///{workdir / 'sqlite' / 'lentera.db'}", workdir / "sqlite", args)
        )
        print(json.dumps(rows[-1]), flush=True)
    if args.postgres_url:
        with throwaway_postgres(args.postgres_url) as url:
            rows.append(run_exam(url, workdir / "pg", args))
        print(json.dumps(rows[-1]), flush=True)
    bad = any(
        not r["all_recorded_once"] or any(p["errors"] for p in r["phases"].values())  # type: ignore[attr-defined]
        for r in rows
    )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
