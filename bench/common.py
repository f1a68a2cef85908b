"""What every benchmark shares: the machine description, databases, servers, wrk, timing."""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
PYTHON = sys.executable
SECRET_KEY = "bench-secret-key-" + "k" * 40  # the servers' LENTERA_SECRET_KEY


def log(message: str) -> None:
    """Progress on stderr (stdout is kept for results)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the machine ---------------------------------------------------------------------------


def machine_info(postgres_url: str | None = None) -> dict[str, str]:
    """CPU model, cores, RAM, OS, Python, SQLite and PostgreSQL versions, load at start."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        release = dict(
            line.split("=", 1)
            for line in Path("/etc/os-release").read_text().splitlines()
            if "=" in line
        )
        os_name = f"{release.get('PRETTY_NAME', '').strip(chr(34))} (kernel {platform.release()})"
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": os_name,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(postgres_url) if postgres_url else "not run",
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    for tool in ("wrk", "sqlite3", "psql"):
        info[tool] = tool_version(tool)
    return info


def tool_version(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        return "missing"
    flag = "-v" if tool == "wrk" else "--version"
    try:
        out = subprocess.run([path, flag], capture_output=True, text=True, timeout=10)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0][:80] if first else "unknown"


def postgres_version(url: str) -> str:
    engine = create_engine(pg_driver_url(url))
    try:
        with engine.connect() as conn:
            return str(conn.scalar(text("SHOW server_version")))
    except Exception as exc:  # report, do not fail the whole run on a description
        return f"unreachable ({exc.__class__.__name__})"
    finally:
        engine.dispose()


# --- databases -----------------------------------------------------------------------------


def pg_driver_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def migrate(url: str) -> None:
    from alembic import command

    from app.ops import alembic_config

    command.upgrade(alembic_config(url), "head")


@contextmanager
def scratch_database(
    backend: str, workdir: Path, name: str, postgres_url: str | None, *, keep: bool = False
) -> Iterator[str]:
    """An empty, migrated database: a file under `workdir`, or a PostgreSQL database `name`."""
    if backend == "sqlite":
        path = workdir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        migrate(url)
        yield url
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if not postgres_url:
        raise RuntimeError("PostgreSQL benchmarks need --postgres-url")
    admin = create_engine(pg_driver_url(postgres_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_driver_url(postgres_url)).set(database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        migrate(rendered)
        yield rendered
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def libpq_url(url: str) -> str:
    """The URL as psql takes it (no +driver)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, workdir: Path) -> dict[str, str]:
    """Production settings for the app under test (content already imported by the generator)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LENTERA_")}
    # Production refuses the demo signatory and wants a signing key: a bench signatory and a
    # self-signed key made once in the work directory.
    key = workdir / "var" / "bench-signing.p12"
    if not key.exists():
        from app.learning.signing import make_demo_key

        key.parent.mkdir(parents=True, exist_ok=True)
        make_demo_key(key)
    env.update(
        {
            "LENTERA_ENV": "production",
            "LENTERA_SIGNING_KEY_PATH": str(key),
            "LENTERA_SIGNATORY_NAME": "Andi Bench Pengukur, S.Kom.",
            "LENTERA_SIGNATORY_NIP": "198001012005011001",
            "LENTERA_SECRET_KEY": SECRET_KEY,
            "LENTERA_DATABASE_URL": database_url,
            "LENTERA_DATA_DIR": str(workdir / "var"),
            "LENTERA_LOAD_CONTENT_ON_START": "false",
            "LENTERA_LOG_LEVEL": "INFO",
            # BENCH_APP_PATH: a folder holding a modified copy of `app/` to measure a candidate
            # fix with the same harness (the bench itself always comes from this checkout).
            "PYTHONPATH": os.pathsep.join(
                p for p in (os.environ.get("BENCH_APP_PATH"), str(ROOT)) if p
            ),
        }
    )
    return env


@dataclass
class Server:
    target: str
    port: int
    workers: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The processes serving requests: the main one, or uvicorn's worker children."""
        if self.workers == 1:
            return [self.process.pid]
        out = subprocess.run(  # noqa: S603
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],  # noqa: S607
            capture_output=True,
            text=True,
        )
        return [int(p) for p in out.stdout.split()]


@contextmanager
def serve(
    target: str,
    *,
    workers: int,
    env: Mapping[str, str],
    log_path: Path,
    factory: bool = False,
    ready_path: str = "/",
    tcp_nodelay: bool = False,
) -> Iterator[Server]:
    """Run `target` under uvicorn exactly as `lentera serve` does (with `tcp_nodelay`, as it
    would with the TCP_NODELAY fix, see bench/serve.py); stop it afterwards."""
    port = free_port()
    command = [
        PYTHON, "-m", "bench.serve", target, "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    if factory:
        command.append("--factory")
    if tcp_nodelay:
        command.append("--tcp-nodelay")
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=dict(env),
            stdout=log_file,
            stderr=log_file,
            start_new_session=True,
        )
    server = Server(target, port, workers, process, log_path)
    try:
        _wait_ready(server, ready_path)
        yield server
    finally:
        _stop(process)


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time used so far by these processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wait_idle(
    server: Server, *, busy: float = 0.05, window: float = 0.5, timeout: float = 180.0
) -> float:
    """Wait until the server has stopped working on requests a client gave up on (wrk closes
    its connections at the end of a run, but sync routes finish in their threads regardless),
    so the next measurement starts on an idle server. Returns the seconds waited."""
    started = time.monotonic()
    pids = server.worker_pids()
    while time.monotonic() - started < timeout:
        before = cpu_seconds(pids)
        time.sleep(window)
        if (cpu_seconds(pids) - before) / window < busy:
            break
    return time.monotonic() - started


def _wait_ready(server: Server, path: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.target} exited; see {server.log_path}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=5) as response:  # noqa: S310
                if response.status < 500:
                    # With several workers, give every worker time to finish its start-up.
                    time.sleep(1.0 + 0.5 * server.workers)
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{server.target} did not answer on {server.url}{path}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # our own process group (start_new_session)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- wrk -----------------------------------------------------------------------------------


@dataclass
class WrkResult:
    """One wrk run: throughput, latency percentiles (ms) and every kind of error."""

    name: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50: float
    p95: float
    p99: float
    max: float
    socket_errors: int
    http_errors: int  # status >= 400
    unexpected: int  # a status or redirect the scenario did not expect (e.g. to the login page)
    extra: dict[str, Any] = field(default_factory=dict)
    # Server CPU (all workers) per request, and CPU seconds per wall second: robust to other
    # load on the machine, and below the worker count when requests wait (locks, I/O).
    cpu_ms_per_request: float = 0.0
    cpu_utilisation: float = 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.http_errors + self.unexpected

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = self.errors
        return data


def run_wrk(
    name: str,
    url: str,
    script: Path,
    args: Sequence[str] = (),
    *,
    connections: int = 16,
    seconds: float = 10.0,
    warmup: float = 2.0,
    threads: int = 1,
    timeout_s: int = 30,
    before_measure: Callable[[], None] | None = None,
    server: Server | None = None,
) -> WrkResult:
    """Warm up, then measure `url` with wrk driven by a Lua `script` (which prints JSON)."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")

    def once(duration: float) -> dict[str, Any]:
        command = [
            "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s",
            "--timeout", f"{timeout_s}s", "-s", str(script), url, "--", *args,
        ]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)  # noqa: S603
        match = re.search(r"^BENCH_JSON (.*)$", out.stdout, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"wrk gave no result for {name}: {out.stdout}\n{out.stderr}")
        return dict(json.loads(match.group(1)))

    if warmup > 0:
        once(warmup)
    if server is not None:
        wait_idle(server)
    if before_measure is not None:
        before_measure()
    pids = server.worker_pids() if server is not None else []
    cpu_before = cpu_seconds(pids)
    data = once(seconds)
    duration = data["duration_us"] / 1e6
    cpu = 0.0
    if server is not None:
        cpu = cpu_seconds(pids) - cpu_before  # during the run only: the tail is not counted
    return WrkResult(
        cpu_ms_per_request=round(1000 * cpu / data["requests"], 3) if data["requests"] else 0.0,
        cpu_utilisation=round(cpu / duration, 2) if duration else 0.0,
        name=name,
        connections=connections,
        seconds=round(duration, 2),
        requests=data["requests"],
        rps=data["requests"] / duration if duration else 0.0,
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        max=data["max"] / 1000,
        socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        http_errors=data["status"],
        unexpected=data.get("unexpected", 0),
        extra={
            k: data[k] for k in ("connect", "read", "write", "timeout", "submits") if data.get(k)
        },
    )


# --- processes and timing ------------------------------------------------------------------


def timed_subprocess(command: Sequence[str], **kwargs: Any) -> tuple[float, int, str]:
    """Run a command under /usr/bin/time -v: (wall seconds, peak RSS in KB, stderr)."""
    time_bin = "/usr/bin/time"
    wrapped = [time_bin, "-v", *command] if Path(time_bin).exists() else list(command)
    started = time.perf_counter()
    out = subprocess.run(wrapped, capture_output=True, text=True, **kwargs)  # noqa: S603
    seconds = time.perf_counter() - started
    if out.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({out.returncode}): {out.stderr[-2000:]}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return seconds, int(match.group(1)) if match else -1, out.stderr


def new_token() -> str:
    return secrets.token_urlsafe(32)


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
