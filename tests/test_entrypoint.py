"""The container's start-up script, run for real outside Docker."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.learning import signing
from tests.conftest import _new_database

ROOT = Path(__file__).resolve().parent.parent
# A production signatory: a named person with a valid NIP (never the demo defaults).
SIGNATORY = {
    "LENTERA_SIGNATORY_NAME": "Dra. Siti Rahmawati, M.Si.",
    "LENTERA_SIGNATORY_NIP": "196805121994032004",
    "LENTERA_SIGNATORY_PANGKAT": "Pembina Utama Muda (IV/c)",
    "LENTERA_SIGNATORY_TITLE": "Kepala BKPSDM Kota Palu",
}


def _signing_key(tmp_path: Path) -> dict[str, str]:
    """Production needs a PKCS#12 signing key: a self-signed one made as the README says."""
    path = tmp_path / "keys" / "ttd.p12"
    signing.make_demo_key(path, passphrase="rahasia-uji")
    return {
        "LENTERA_SIGNING_KEY_PATH": str(path),
        "LENTERA_SIGNING_KEY_PASSPHRASE": "rahasia-uji",
        **SIGNATORY,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_entrypoint_migrates_then_serves_a_ready_app(
    empty_database_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "LENTERA_DATABASE_URL": empty_database_url,
        "LENTERA_SECRET_KEY": "k" * 40,
        "LENTERA_DATA_DIR": str(tmp_path),
        **_signing_key(tmp_path),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    env.pop("LENTERA_DEMO", None)
    process = subprocess.Popen(
        ["sh", str(ROOT / "docker" / "entrypoint.sh")],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    ready = None
    try:
        # A bound for a loaded machine, not a timing: a ready server answers at once.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
    finally:
        # Stop the server before reading its output: reading first would wait for an EOF that a
        # running server never sends (and its log lines must not fill an unread pipe meanwhile).
        process.terminate()
        output = process.communicate(timeout=10)[0].decode(errors="replace")
    assert ready is not None, output
    assert ready.status_code == 200, output
    assert ready.json()["status"] == "ok"


def test_entrypoint_refuses_production_without_a_secret(
    empty_database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "LENTERA_DATABASE_URL": empty_database_url,
        "LENTERA_DATA_DIR": str(tmp_path),
        "PORT": str(_free_port()),
    }
    env.pop("LENTERA_SECRET_KEY", None)
    result = subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "LENTERA_SECRET_KEY is required in production" in result.stdout + result.stderr


def test_entrypoint_refuses_production_without_a_signing_key(
    empty_database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "LENTERA_DATABASE_URL": empty_database_url,
        "LENTERA_SECRET_KEY": "k" * 40,
        "LENTERA_DATA_DIR": str(tmp_path),
        "PORT": str(_free_port()),
        **SIGNATORY,
    }
    env.pop("LENTERA_SIGNING_KEY_PATH", None)
    env.pop("LENTERA_DEMO", None)
    result = subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "LENTERA_SIGNING_KEY_PATH is required in production" in result.stdout + result.stderr
    assert not (tmp_path / "signing_key.p12").exists()


def test_serve_with_several_workers_answers_on_keep_alive_connections(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """`lentera serve --workers 2` binds its own TCP socket (see app/cli/serve.py)."""
    port = _free_port()
    env = {
        **os.environ,
        "LENTERA_DATABASE_URL": fresh_database_url,
        "LENTERA_SECRET_KEY": "k" * 40,
        "LENTERA_DATA_DIR": str(tmp_path),
        "LENTERA_LOAD_CONTENT_ON_START": "false",
    }
    env.pop("LENTERA_DEMO", None)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "lentera"), "serve", "--port", str(port),
         "--workers", "2"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90  # a bound for a loaded machine
        statuses: list[int] = []
        while time.monotonic() < deadline and not statuses:
            try:
                with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                    statuses = [client.get("/readyz").status_code for _ in range(5)]
            except httpx.TransportError:
                time.sleep(0.05)
        assert statuses == [200] * 5
    finally:
        process.terminate()
        process.wait(timeout=15)


def _entrypoint_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "LENTERA_SECRET_KEY": "k" * 40,
        "LENTERA_DATA_DIR": str(tmp_path / "var"),
        "LENTERA_LOAD_CONTENT_ON_START": "false",
        **values,
    }
    for name in ("LENTERA_DEMO", "LENTERA_ENV", "LENTERA_DATABASE_URL", "HOST"):
        if name not in values:
            env.pop(name, None)
    return env


def test_entrypoint_refuses_production_without_a_database_url_and_creates_no_database(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh")],
        env=_entrypoint_env(tmp_path, PORT=str(_free_port())),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "LENTERA_DATABASE_URL is not set" in result.stderr
    assert "mounted volume" in result.stderr
    assert not (tmp_path / "var").exists()


def test_the_health_check_asks_the_port_the_entrypoint_serves_on(tmp_path: Path) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    healthcheck = next(line for line in dockerfile.splitlines() if line.startswith("HEALTHCHECK"))
    assert "/usr/local/bin/lentera-healthcheck" in healthcheck
    assert "COPY docker/healthcheck.py /usr/local/bin/lentera-healthcheck" in dockerfile
    assert "8000" not in healthcheck

    port = _free_port()
    with _new_database("sqlite", tmp_path) as database:  # migrated: the entrypoint's is a no-op
        env = _entrypoint_env(
            tmp_path,
            LENTERA_DATABASE_URL=database,
            PORT=str(port),
            WEB_CONCURRENCY="1",
            **_signing_key(tmp_path),
        )
        _serve_and_check_health(tmp_path, env)


def _serve_and_check_health(tmp_path: Path, env: dict[str, str]) -> None:
    process = subprocess.Popen(
        ["sh", str(ROOT / "docker" / "entrypoint.sh")],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    check = [sys.executable, str(ROOT / "docker" / "healthcheck.py")]
    try:
        deadline = time.monotonic() + 90  # a bound for a loaded machine
        healthy = 1
        while healthy != 0 and time.monotonic() < deadline and process.poll() is None:
            healthy = subprocess.run(check, env=env, capture_output=True, timeout=10).returncode
            if healthy:
                time.sleep(0.2)
        assert healthy == 0
        elsewhere = {**env, "PORT": str(_free_port())}
        assert subprocess.run(check, env=elsewhere, capture_output=True, timeout=10).returncode == 1
    finally:
        process.terminate()
        process.wait(timeout=10)
