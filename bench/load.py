"""Load benchmark: Lentera's hot pages under wrk, beside two ceilings measured in the same run.

For each server configuration (SQLite with 1 and 2 workers, PostgreSQL with 2) it serves, one
at a time and each through bench/serve.py with the options of `lentera serve`:

1. the ceilings (a bare ASGI app, a FastAPI `def` route returning a small HTML string);
2. Lentera on the generated data, with logged-in learners and HR staff (session rows inserted
   directly; one real POST /masuk is checked first), measuring the module page, a progress
   write, a quiz submission (start + submit), the catalogue, the learner's home, HR's export
   page and HR's dashboard;
3. the ceilings again: each ceiling is the mean of the runs before and after, so drift from
   other work on the machine shows up as a spread rather than as a wrong ratio.

Every response is checked (status, and no redirect to the login page); anything else counts
as an error. py-spy, when installed, profiles the module page and the progress write.

    python bench/load.py --database-url sqlite:///var/bench.db --workers 1 --workers 2
"""

# ruff: noqa: S311, S608, S108 - request sampling; SQL built from integer ids; scratch dir
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import random
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import Engine, func, insert, select, text, update

from app.accounts.auth import token_digest
from app.accounts.models import AuthSession, User
from app.content.models import QuizVersion
from app.content.specs import FINAL_TEST_KEY
from app.db import make_engine, utcnow
from bench import profiles
from bench.common import (
    BENCH_DIR,
    SECRET_KEY,
    WrkResult,
    log,
    new_token,
    run_wrk,
    serve,
    server_env,
    wait_idle,
)
from bench.generate import PASSWORD

LUA = BENCH_DIR / "lua"
LEARNERS = 400
HR_SESSIONS = 10
TOUCH_SESSIONS = 6000  # one per request line: most requests of a run are a session's first
FRESH_AGENT = "wrk (Lentera benchmark)"
TOUCH_AGENT = "wrk (Lentera benchmark, touch due)"


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    script: str  # requests.lua or quiz.lua
    expected: int
    connections: int = 16
    hr: bool = False
    slow: bool = False  # seconds per request: a longer run, no warm-up run

    def duration(self, seconds: float) -> float:
        if self.slow:
            return max(3 * seconds, 30.0)
        return seconds * (2 if self.hr else 1)


SCENARIOS = (
    Scenario("module", "Module page (learner, session seen < 1 min ago)", "requests.lua", 200),
    # A learner reads a module for minutes before opening the next one, so in real use almost
    # every page view is due a session touch (an UPDATE of last_seen_at, once a minute).
    Scenario("module_touch", "Module page (learner, session touch due)", "requests.lua", 200),
    Scenario("progress", "Progress write (mark module complete)", "requests.lua", 303),
    Scenario("quiz", "Quiz submission (start + submit)", "quiz.lua", 303),
    Scenario("catalog", "Catalogue", "requests.lua", 200),
    Scenario("home", "Learner's home", "requests.lua", 200),
    # HR pages: a handful of HR staff, not hundreds of learners, hence fewer connections.
    Scenario("export_page", "HR export page (/laporan/ekspor)", "requests.lua", 200, 4, True),
    Scenario("dashboard", "HR dashboard (/laporan/dasbor)", "requests.lua", 200, 2, True, True),
)
CEILINGS = {
    "bare": ("bench.ceiling:bare", False),
    "fastapi": ("bench.ceiling:fastapi_sync", True),
    "fastapi_async": ("bench.ceiling:fastapi_async", True),
}


def csrf_token(seed: str) -> str:
    """What the app expects in `csrf_token` for a browser whose CSRF cookie is `seed`."""
    return hmac.new(SECRET_KEY.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Visitor:
    user_id: int
    token: str
    seed: str

    @property
    def cookie(self) -> str:
        return f"lentera_session={self.token}; lentera_csrf={self.seed}"

    @property
    def csrf(self) -> str:
        return csrf_token(self.seed)


@dataclass
class Fixture:
    """Who is logged in and what each scenario requests; the files wrk reads."""

    files: dict[str, Path] = field(default_factory=dict)
    learners: list[Visitor] = field(default_factory=list)
    hr: list[Visitor] = field(default_factory=list)
    login_nip: str = ""
    samples: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)


def _open_sessions(
    engine: Engine, user_ids: Sequence[int], agent: str = FRESH_AGENT
) -> list[Visitor]:
    now = utcnow()
    visitors = [Visitor(uid, new_token(), new_token()) for uid in user_ids]
    with engine.begin() as conn:
        conn.execute(
            insert(AuthSession.__table__),  # type: ignore[arg-type]
            [
                {
                    "id": token_digest(v.token),
                    "user_id": v.user_id,
                    "created_at": now,
                    "last_seen_at": now,
                    "expires_at": now + timedelta(days=2),
                    "client_address": "127.0.0.1",
                    "user_agent": agent,
                }
                for v in visitors
            ],
        )
    return visitors


def _answers_body(row: QuizVersion, csrf: str) -> str:
    """Form fields answering every question of the quiz correctly."""
    fields: list[tuple[str, str]] = [("csrf_token", csrf)]
    for question in row.questions:
        name = f"q-{question['id']}"
        if question["kind"] == "short":
            fields.append((name, question["accepted_answers"][0]))
        else:
            fields += [(name, o["id"]) for o in question["options"] if o["correct"]]
    return urllib.parse.urlencode(fields)


def prepare(engine: Engine, workdir: Path, seed: int = 11) -> Fixture:
    """Open sessions and write the request files for every scenario."""
    rng = random.Random(seed)
    fixture = Fixture()
    with engine.connect() as conn:
        # Plain learners (not HR, trainers or admins) with a course in progress.
        candidates = (
            conn.execute(
                text(
                    "SELECT DISTINCT e.user_id FROM enrolments e JOIN users u ON u.id = e.user_id "
                    "LEFT JOIN completions c "
                    "ON c.user_id = e.user_id AND c.course_id = e.course_id "
                    "WHERE c.id IS NULL AND u.is_active AND NOT EXISTS (SELECT 1 FROM user_roles r "
                    "WHERE r.user_id = u.id AND r.role <> 'learner') ORDER BY e.user_id"
                )
            )
            .scalars()
            .all()
        )
        hr_ids = (
            conn.execute(
                text(
                    "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id "
                    "WHERE r.role = 'hr' AND u.is_active ORDER BY u.id"
                )
            )
            .scalars()
            .all()
        )
        fixture.login_nip = conn.scalar(select(User.nip).where(User.id == candidates[0])) or ""
    chosen = sorted(rng.sample(list(candidates), min(LEARNERS, len(candidates))))
    fixture.learners = _open_sessions(engine, chosen)
    fixture.hr = _open_sessions(engine, [hr_ids[i % len(hr_ids)] for i in range(HR_SESSIONS)])
    by_id = {v.user_id: v for v in fixture.learners}
    ids = ",".join(str(i) for i in chosen)
    with engine.connect() as conn:
        opened = conn.execute(
            text(
                "SELECT mp.user_id, c.code, mp.module_slug FROM module_progress mp "
                f"JOIN courses c ON c.id = mp.course_id WHERE mp.user_id IN ({ids})"
            )
        ).all()
        in_progress = conn.execute(
            text(
                "SELECT e.user_id, c.code, c.id, c.current_version_id FROM enrolments e "
                "JOIN courses c ON c.id = e.course_id LEFT JOIN completions x ON "
                "x.user_id = e.user_id AND x.course_id = e.course_id "
                f"WHERE x.id IS NULL AND e.user_id IN ({ids}) ORDER BY e.user_id, c.code"
            )
        ).all()
        slugs: dict[int, list[str]] = {}
        for version_id, slug in conn.execute(
            text("SELECT course_version_id, slug FROM module_versions")
        ):
            slugs.setdefault(version_id, []).append(slug)
    with engine.connect() as conn:
        quiz_rows = {
            (row.course_version_id, row.key): row
            for row in conn.execute(select(QuizVersion.__table__)).all()
        }
    lines: dict[str, list[tuple[str, str, str, str]]] = {s.name: [] for s in SCENARIOS}
    module_rows = rng.sample(list(opened), min(TOUCH_SESSIONS, len(opened)))
    for user_id, code, slug in module_rows:
        visitor = by_id[user_id]
        lines["module"].append(("GET", f"/kursus/{code}/modul/{slug}", visitor.cookie, ""))
    # The same pages, each line with a session of its own whose touch is due at the start.
    touch = _open_sessions(engine, [uid for uid, _c, _s in module_rows], TOUCH_AGENT)
    for visitor, (_uid, code, slug) in zip(touch, module_rows, strict=True):
        lines["module_touch"].append(("GET", f"/kursus/{code}/modul/{slug}", visitor.cookie, ""))
    quiz_lines: list[str] = []
    taken: set[tuple[str, str]] = set()
    for user_id, code, _course_id, version_id in in_progress:
        visitor = by_id[user_id]
        for slug in slugs.get(version_id, []):
            body = f"csrf_token={visitor.csrf}&event_id={{EVENT}}"
            lines["progress"].append(
                ("POST", f"/kursus/{code}/modul/{slug}/selesai", visitor.cookie, body)
            )
        # One learner per (course, quiz): the quiz script tells attempts apart by that pair.
        for (quiz_version, key), row in quiz_rows.items():
            if (
                quiz_version != version_id
                or key == FINAL_TEST_KEY
                or row.max_attempts is not None  # a limited quiz would run out of attempts
                or (code, key) in taken
            ):
                continue
            taken.add((code, key))
            start = f"csrf_token={visitor.csrf}"
            quiz_lines.append(
                "\t".join((code, key, visitor.cookie, start, _answers_body(row, visitor.csrf)))
            )
    for visitor in fixture.learners:
        lines["catalog"].append(("GET", "/kursus", visitor.cookie, ""))
        lines["home"].append(("GET", "/", visitor.cookie, ""))
    for visitor in fixture.hr:
        lines["export_page"].append(("GET", "/laporan/ekspor", visitor.cookie, ""))
        lines["dashboard"].append(("GET", "/laporan/dasbor", visitor.cookie, ""))
    workdir.mkdir(parents=True, exist_ok=True)
    for name, rows in lines.items():
        if name == "quiz":
            continue
        path = workdir / f"{name}.tsv"
        path.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
        fixture.files[name] = path
        fixture.samples[name] = rows[0]
    quiz_path = workdir / "quiz.tsv"
    quiz_path.write_text("\n".join(quiz_lines) + "\n", encoding="utf-8")
    fixture.files["quiz"] = quiz_path
    ceiling = workdir / "ceiling.tsv"
    ceiling.write_text("GET\t/\t\t\n", encoding="utf-8")
    fixture.files["ceiling"] = ceiling
    return fixture


# --- smoke checks --------------------------------------------------------------------------


def smoke(base_url: str, fixture: Fixture) -> dict[str, str]:
    """Log in for real once and request every scenario once; 'pending' when a page is absent."""
    status: dict[str, str] = {}
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=120) as client:
        client.get("/masuk")
        seed = client.cookies.get("lentera_csrf") or ""
        response = client.post(
            "/masuk",
            data={
                "csrf_token": csrf_token(seed),
                "nip": fixture.login_nip,
                "password": PASSWORD,
                "next": "/",
            },
        )
        if response.status_code != 303 or "lentera_session" not in response.cookies:
            raise RuntimeError(f"real login failed: {response.status_code} {response.text[:300]}")
        status["login"] = "ok"
        home = client.get("/")
        if home.status_code != 200:
            raise RuntimeError(f"home after login: {home.status_code}")
    for scenario in SCENARIOS:
        if scenario.name == "quiz":
            status["quiz"] = "ok"
            continue
        method, path, cookie, body = fixture.samples[scenario.name]
        headers = {"Cookie": cookie}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = body.replace("{EVENT}", f"smoke{time.time_ns()}")
        response = httpx.request(
            method, base_url + path, headers=headers, content=body or None, timeout=300
        )
        location = response.headers.get("location", "")
        if response.status_code == 404 and scenario.hr:
            status[scenario.name] = "pending"
        elif response.status_code != scenario.expected or "/masuk" in location:
            raise RuntimeError(
                f"{scenario.name}: {method} {path} answered {response.status_code} {location}"
            )
        else:
            status[scenario.name] = "ok"
    return status


# --- running -------------------------------------------------------------------------------


@dataclass
class ConfigResult:
    backend: str
    workers: int
    tcp_nodelay: bool = False
    # With several workers: the bare ceiling and the module page under stock `lentera serve`
    # (no TCP_NODELAY), beside the figures measured with the fix.
    stock: dict[str, dict[str, Any]] = field(default_factory=dict)
    ceilings: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> mean + runs
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    profiles: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "workers": self.workers,
            "tcp_nodelay": self.tcp_nodelay,
            "stock": self.stock,
            "ceilings": self.ceilings,
            "scenarios": self.scenarios,
            "status": self.status,
            "profiles": self.profiles,
        }


def _ceiling(
    name: str,
    workers: int,
    fixture: Fixture,
    workdir: Path,
    seconds: float,
    env: dict[str, str],
    tcp_nodelay: bool,
) -> WrkResult:
    target, factory = CEILINGS[name]
    with serve(
        target,
        workers=workers,
        env=env,
        log_path=workdir / f"ceiling-{name}.log",
        factory=factory,
        tcp_nodelay=tcp_nodelay,
    ) as server:
        return run_wrk(
            name,
            server.url,
            LUA / "requests.lua",
            [str(fixture.files["ceiling"]), "200"],
            seconds=seconds,
            server=server,
        )


def run_config(
    backend: str,
    database_url: str,
    workers: int,
    fixture: Fixture,
    workdir: Path,
    *,
    seconds: float,
    profile_seconds: float = 0.0,
    only: Sequence[str] = (),
) -> ConfigResult:
    """Ceilings, Lentera's scenarios, ceilings again: one server at a time.

    With several workers the servers run with the TCP_NODELAY fix (bench/serve.py): stock
    uvicorn stalls ~40 ms per request there, which caps every figure, ceilings included, at
    the same few hundred requests a second. The stock behaviour is measured too, briefly.
    """
    tcp_nodelay = workers > 1
    result = ConfigResult(backend, workers, tcp_nodelay)
    env = server_env(database_url, workdir)
    ceiling_runs: dict[str, list[WrkResult]] = {"bare": [], "fastapi": [], "fastapi_async": []}
    for name in ("bare", "fastapi"):
        log(f"{backend} x{workers}: ceiling {name}")
        ceiling_runs[name].append(
            _ceiling(name, workers, fixture, workdir, seconds, env, tcp_nodelay)
        )
    log_path = workdir / f"lentera-{backend}-{workers}.log"
    engine = make_engine(database_url)
    with serve(
        "app.main:create_app",
        workers=workers,
        env=env,
        log_path=log_path,
        factory=True,
        ready_path="/healthz",
        tcp_nodelay=tcp_nodelay,
    ) as server:
        result.status = smoke(server.url, fixture)
        for scenario in SCENARIOS:
            if only and scenario.name not in only:
                continue
            if result.status.get(scenario.name) == "pending":
                log(f"{backend} x{workers}: {scenario.name} pending (page not there)")
                continue
            log(f"{backend} x{workers}: {scenario.name}")
            args = [str(fixture.files[scenario.name])]
            if scenario.script == "requests.lua":
                args.append(str(scenario.expected))
            started = utcnow()
            run = run_wrk(
                scenario.name,
                server.url,
                LUA / scenario.script,
                args,
                connections=scenario.connections,
                # Slow pages need longer runs for their percentiles to mean something.
                seconds=scenario.duration(seconds),
                warmup=0 if scenario.slow else 2,
                before_measure=lambda name=scenario.name: _reset_sessions(engine, name),
                server=server,
            )
            data = run.as_dict()
            data["idle_wait_s"] = round(wait_idle(server), 1)
            if scenario.name == "quiz":
                data["submissions_per_s"] = run.extra.get("submits", 0) / max(run.seconds, 1e-9)
            if scenario.name == "module_touch":
                data["session_touches"] = _touches(engine, started)
            result.scenarios[scenario.name] = data
        if profile_seconds > 0 and profiles.py_spy() is not None:
            for name in ("module", "module_touch", "progress"):
                if only and name not in only:
                    continue
                log(f"{backend} x{workers}: profiling {name} with py-spy")
                result.profiles[name] = _profile(
                    server, engine, fixture, name, workdir, profile_seconds
                )
    for name in ("bare", "fastapi", "fastapi_async"):
        log(f"{backend} x{workers}: ceiling {name} (after)")
        ceiling_runs[name].append(
            _ceiling(name, workers, fixture, workdir, seconds, env, tcp_nodelay)
        )
    if tcp_nodelay:
        result.stock = _stock(engine, workers, fixture, workdir, seconds, env)
    engine.dispose()
    for name, runs in ceiling_runs.items():
        result.ceilings[name] = {
            "rps": sum(r.rps for r in runs) / len(runs),
            "runs": [r.as_dict() for r in runs],
        }
    return result


def _stock(
    engine: Engine,
    workers: int,
    fixture: Fixture,
    workdir: Path,
    seconds: float,
    env: dict[str, str],
) -> dict[str, dict[str, Any]]:
    """The bare ceiling and the module page as `lentera serve --workers N` ships today."""
    log(f"x{workers}: stock uvicorn (no TCP_NODELAY): bare ceiling and module page")
    stock = {"bare": _ceiling("bare", workers, fixture, workdir, seconds, env, False).as_dict()}
    with serve(
        "app.main:create_app",
        workers=workers,
        env=env,
        log_path=workdir / "lentera-stock.log",
        factory=True,
        ready_path="/healthz",
    ) as server:
        stock["module"] = run_wrk(
            "module",
            server.url,
            LUA / "requests.lua",
            [str(fixture.files["module"]), "200"],
            seconds=seconds,
            before_measure=lambda: _reset_sessions(engine, "module"),
            server=server,
        ).as_dict()
    return stock


def _reset_sessions(engine: Engine, scenario: str) -> None:
    """Before a measured run: every session seen just now, except the touch-due ones (when
    measuring them), which were last seen two minutes ago."""
    now = utcnow()
    table = AuthSession.__table__
    with engine.begin() as conn:
        conn.execute(
            update(table).where(table.c.user_agent == FRESH_AGENT).values(last_seen_at=now)
        )
        conn.execute(
            update(table)
            .where(table.c.user_agent == TOUCH_AGENT)
            .values(last_seen_at=now - timedelta(minutes=2 if scenario == "module_touch" else 0))
        )


def _touches(engine: Engine, since: Any) -> int:
    """How many touch-due sessions the server touched (UPDATEd) during the run."""
    table = AuthSession.__table__
    with engine.connect() as conn:
        return int(
            conn.scalar(
                select(func.count())
                .select_from(table)
                .where(table.c.user_agent == TOUCH_AGENT, table.c.last_seen_at > since)
            )
            or 0
        )


def _profile(
    server: Any, engine: Engine, fixture: Fixture, name: str, workdir: Path, seconds: float
) -> dict[str, Any]:
    """Sample the workers while wrk runs `name`: every busy thread (wall time, lock waits
    included) and, separately, only the thread holding the GIL (where the CPU goes)."""
    scenario = next(s for s in SCENARIOS if s.name == name)
    spy = profiles.py_spy()
    assert spy is not None
    pids = server.worker_pids()
    modes = {"wall": [], "cpu": ["--gil"]}
    outputs: dict[str, list[Path]] = {mode: [] for mode in modes}
    recorders = []
    for mode, flags in modes.items():
        for pid in pids:
            out = workdir / f"profile-{server.port}-{name}-{mode}-{pid}.txt"
            outputs[mode].append(out)
            recorders.append(
                subprocess.Popen(  # noqa: S603
                    [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)),
                     "--rate", "100", "--nonblocking", "--format", "raw", "--output", str(out),
                     *flags],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip
    _reset_sessions(engine, name)
    run_wrk(
        f"{name}-profiled",
        server.url,
        LUA / scenario.script,
        [str(fixture.files[name]), str(scenario.expected)],
        seconds=seconds + 2,
        warmup=0,
    )
    for recorder in recorders:
        recorder.wait(timeout=120)
    wait_idle(server)
    summary: dict[str, Any] = {}
    for mode, paths in outputs.items():
        stacks = "".join(p.read_text() for p in paths if p.exists())
        combined = workdir / f"profile-{server.port}-{name}-{mode}.txt"
        combined.write_text(stacks)
        summary[mode] = profiles.summarise(stacks, path=str(combined))
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load benchmark against generated data.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, action="append")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--profile-seconds", type=float, default=0.0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/lentera-bench-load"))
    parser.add_argument("--output", type=Path)
    parser.add_argument("--only", action="append", default=[], help="scenario names to run")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    engine = make_engine(args.database_url)
    backend = engine.dialect.name
    fixture = prepare(engine, args.workdir)
    engine.dispose()
    results = [
        run_config(
            backend,
            args.database_url,
            workers,
            fixture,
            args.workdir,
            seconds=args.seconds,
            profile_seconds=args.profile_seconds,
            only=args.only,
        ).as_dict()
        for workers in args.workers or [1]
    ]
    text_out = json.dumps(results, indent=2, default=str)
    if args.output:
        args.output.write_text(text_out)
    print(text_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
