"""Lentera as a real server for browser tests and benchmarks, started the way `make run` does.

Used by tests/e2e/conftest.py and by bench/lighthouse.py, so it depends on nothing but the app
and httpx. A fresh SQLite database in a folder of the caller's choosing is migrated and given
the demo accounts (the code behind `lentera migrate` and `lentera demo`, run in this process),
then Uvicorn serves the app in a subprocess with demo mode on; the demo courses in content/ are
imported by the server itself at start-up (the default), before /readyz answers.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = REPO_ROOT / "content"
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# Quiet, deterministic, no calls home: the flags every browser run here uses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# (NIP, password) of the demo accounts created by `lentera demo` (app/cli/users.py DEMO_ACCOUNTS).
DEMO_LEARNER = ("199203142019032007", "demo-pelajar")
DEMO_PPPK = ("199507212022211003", "demo-pppk")
DEMO_TRAINER = ("198006102006042002", "demo-pengajar")
DEMO_HR = ("198511232010011012", "demo-bkpsdm")
DEMO_ADMIN = ("197808172003121005", "demo-admin")


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    database_url: str
    data_dir: Path
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def requests_of(self, user_id: int) -> str:
        """What the server logged for one user (method, path, status), for failure messages."""
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("user_id") == user_id:
                lines.append(f"{entry['ts']} {entry['method']} {entry['path']} {entry['status']}")
        return f"server log for user {user_id}:\n" + "\n".join(lines)


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, database_url: str, base_url: str) -> dict[str, str]:
    """The environment of every `lentera` process of one live server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LENTERA_")}
    env.update(
        LENTERA_ENV="development",
        LENTERA_DEMO="1",
        LENTERA_DATA_DIR=str(data_dir),
        LENTERA_DATABASE_URL=database_url,
        LENTERA_CONTENT_DIR=str(CONTENT_DIR),
        LENTERA_BASE_URL=base_url,
        LENTERA_SECRET_KEY="e2e-secret-key-" + "x" * 40,
        LENTERA_LOG_LEVEL="INFO",  # one JSON line per request, in server.log
        # Many logins from one address in a short run must not be throttled.
        LENTERA_LOGIN_MAX_FAILURES_PER_ADDRESS="1000",
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare_database(database_url: str) -> None:
    """What `lentera migrate` and `lentera demo` do, in this process (saves two interpreters)."""
    from alembic import command

    from app.cli.users import seed_demo_accounts
    from app.db import make_engine, make_sessionmaker, session_scope
    from app.ops import alembic_config

    command.upgrade(alembic_config(database_url), "head")
    engine = make_engine(database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            seed_demo_accounts(session)
    finally:
        engine.dispose()


def wait_ready(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Poll /readyz until it answers 200 (the schema is at head and content is imported)."""
    deadline = time.monotonic() + 60
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Lentera exited with {process.returncode} before it was ready:\n"
                + log_path.read_text(errors="replace")[-4000:]
            )
        try:
            response = httpx.get(base_url + "/readyz", timeout=2)
            if response.status_code == 200:
                return
            last = response.text
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.1)
    raise RuntimeError(
        f"Lentera was not ready within 60 s ({last}):\n"
        + log_path.read_text(errors="replace")[-4000:]
    )


@contextmanager
def run_lentera(data_dir: Path) -> Iterator[LiveServer]:
    """Migrate a fresh SQLite database under `data_dir`, create demo accounts, serve, stop."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{data_dir / 'lentera.db'}"
    env = server_env(data_dir, database_url, base_url)
    prepare_database(database_url)
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(base_url, process, log_path)
        yield LiveServer(base_url, database_url, data_dir, log_path)
    finally:
        process.send_signal(signal.SIGINT)  # Uvicorn's graceful shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def login_cookies(base_url: str, nip: str, password: str) -> dict[str, str]:
    """Log in through the real form (CSRF cookie and token included); returns the cookies."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=10) as client:
        form = client.get("/masuk")
        token = _CSRF_FIELD.search(form.text)
        if form.status_code != 200 or token is None:
            raise RuntimeError(f"GET /masuk gave {form.status_code} without a CSRF token")
        response = client.post(
            "/masuk", data={"csrf_token": token[1], "nip": nip, "password": password, "next": "/"}
        )
        if response.status_code != 303:
            raise RuntimeError(f"login as {nip} failed with {response.status_code}")
        return {name: value for name, value in client.cookies.items()}
