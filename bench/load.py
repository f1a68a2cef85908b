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

# ruff: noqa: S108 - default scratch directory
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import Engine

from app.db import make_engine, utcnow
from bench import profiles
from bench.common import (
    BENCH_DIR,
    WrkResult,
    log,
    run_wrk,
    serve,
    server_env,
    wait_idle,
)
from bench.visitors import (
    SCENARIOS,
    Fixture,
    prepare,
    reset_sessions,
    smoke,
    touches,
)

LUA = BENCH_DIR / "lua"

CEILINGS = {
    "bare": ("bench.ceiling:bare", False),
    "fastapi": ("bench.ceiling:fastapi_sync", True),
    "fastapi_async": ("bench.ceiling:fastapi_async", True),
}


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
                before_measure=lambda name=scenario.name: reset_sessions(engine, name),
                server=server,
            )
            data = run.as_dict()
            data["idle_wait_s"] = round(wait_idle(server), 1)
            if scenario.name == "quiz":
                data["submissions_per_s"] = run.extra.get("submits", 0) / max(run.seconds, 1e-9)
            if scenario.name == "module_touch":
                data["session_touches"] = touches(engine, started)
            if scenario.name == "dashboard":
                # What a view costs when the figures are not cached (`?segarkan=1`): the first
                # view of a process, or HR asking for a recomputation.
                data["recompute_s"] = _recompute_seconds(server.url, fixture)
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
            before_measure=lambda: reset_sessions(engine, "module"),
            server=server,
        ).as_dict()
    return stock


def _recompute_seconds(base_url: str, fixture: Fixture, runs: int = 3) -> float:
    """The best of `runs` dashboard views that recompute their figures, in seconds."""
    _method, path, cookie, _body = fixture.samples["dashboard"]
    best = float("inf")
    with httpx.Client(base_url=base_url, timeout=300) as client:
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(f"{path}?segarkan=1", headers={"Cookie": cookie})
            response.raise_for_status()
            best = min(best, time.perf_counter() - started)
    return round(best, 3)


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
    reset_sessions(engine, name)
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
