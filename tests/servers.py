"""Real Lentera server processes for fault and scale-out tests (SIGKILL, two instances)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s" * 48


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing, as when a machine or container dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start(database_url: str, data_dir: Path, *, workers: int = 1, **env: str) -> Server:
    """Start `uvicorn app.main:create_app` and wait until /readyz answers."""
    port = free_port()
    log = data_dir / f"server-{port}.log"
    full_env = {
        **os.environ,
        "LENTERA_DATABASE_URL": database_url,
        "LENTERA_DATA_DIR": str(data_dir),
        "LENTERA_SECRET_KEY": SECRET,
        "LENTERA_LOAD_CONTENT_ON_START": "false",
        "LENTERA_CONTENT_DIR": str(ROOT / "content"),
        **env,
    }
    full_env.pop("LENTERA_DEMO", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
             "--log-level", "warning"],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return Server(process, base, log)
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server did not become ready: {log.read_text()}")


def csrf_pair() -> tuple[str, str]:
    """A CSRF cookie seed and its token, as the server computes them (same secret key)."""
    import hashlib
    import hmac

    seed = secrets.token_urlsafe(32)
    token = hmac.new(SECRET.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()
    return seed, token
