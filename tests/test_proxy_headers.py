"""`lentera serve --forwarded-allow-ips`: behind a trusted reverse proxy Lentera sees each
client's own address (login throttling, recorded sessions); a peer that is not a trusted
proxy cannot choose the address it is counted under by sending X-Forwarded-For."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession
from app.db import make_engine
from tests import servers
from tests.conftest import _new_database
from tests.factories import DEFAULT_PASSWORD, make_user, nip

LENTERA = str(Path(sys.executable).parent / "lentera")
PROXY = "127.0.0.1"  # the trusted reverse proxy's address
STRANGER = "127.0.0.2"  # another peer on the loopback network, not a proxy


def wait_until_ready(process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> str:
    """The "Lentera siap di ..." line `lentera serve` prints once it is listening."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        for line in log.read_text(encoding="utf-8").splitlines():
            if line.startswith("Lentera siap di "):
                return line
        time.sleep(0.05)
    process.kill()
    process.wait(timeout=10)
    raise AssertionError("server never said it was ready:\n" + log.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`lentera serve --forwarded-allow-ips 127.0.0.1` on SQLite (forwarded headers are
    Uvicorn's business, whatever the database); yields (base URL, database URL)."""
    tmp_path = tmp_path_factory.mktemp("proxy")
    with _new_database("sqlite", tmp_path) as database_url:
        yield from _serve(database_url, tmp_path)


def _serve(fresh_database_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    port = servers.free_port()
    env = {
        **os.environ,
        "LENTERA_DATABASE_URL": fresh_database_url,
        "LENTERA_DATA_DIR": str(tmp_path),
        "LENTERA_SECRET_KEY": servers.SECRET,
        "LENTERA_LOAD_CONTENT_ON_START": "false",
        "LENTERA_LOGIN_MAX_FAILURES_PER_ADDRESS": "2",
        "LENTERA_FORWARDED_ALLOW_IPS": "10.255.255.1",  # the option below must win
    }
    env.pop("LENTERA_DEMO", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [LENTERA, "serve", "--port", str(port), "--forwarded-allow-ips", PROXY],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_ready(process, log)
        yield f"http://127.0.0.1:{port}", fresh_database_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _client(base: str, source: str) -> httpx.Client:
    return httpx.Client(
        base_url=base, transport=httpx.HTTPTransport(local_address=source), timeout=10
    )


def _login(client: httpx.Client, number: str, password: str, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for}
    page = client.get("/masuk", headers=headers)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    data = {"csrf_token": token[1], "nip": number, "password": password}
    return client.post("/masuk", data=data, headers=headers).status_code


def test_behind_a_trusted_proxy_throttling_and_sessions_see_the_client_address(
    behind_proxy: tuple[str, str],
) -> None:
    base, database_url = behind_proxy
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        learner = make_user(session)
    with _client(base, PROXY) as proxy:
        # Two phones behind the proxy: one guesses (a different NIP each time, so only the
        # per-address limit of 2 can stop it), the other is not affected.
        assert _login(proxy, nip(), "salah-sandi-1", "203.0.113.7") == 400
        assert _login(proxy, nip(), "salah-sandi-2", "203.0.113.7") == 400
        assert _login(proxy, nip(), "salah-sandi-3", "203.0.113.7") == 429
        # A phone that sends its own X-Forwarded-For gains nothing: the proxy appends the
        # address it really saw, and the right-most untrusted entry is the one used.
        assert _login(proxy, nip(), "salah-sandi-4", "192.0.2.99, 203.0.113.7") == 429
        assert _login(proxy, learner.nip, DEFAULT_PASSWORD, "198.51.100.9") == 303
    with Session(engine) as session:
        addresses = session.scalars(
            select(AuthSession.client_address).where(AuthSession.user_id == learner.id)
        ).all()
    engine.dispose()
    assert addresses == ["198.51.100.9"]


def test_a_peer_that_is_not_a_trusted_proxy_cannot_spoof_its_address(
    behind_proxy: tuple[str, str],
) -> None:
    base, database_url = behind_proxy
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        learner = make_user(session)
    with _client(base, STRANGER) as stranger:
        # A fresh forged address on every guess does not reset the count: it is the peer's.
        assert _login(stranger, nip(), "salah-sandi-1", "203.0.113.1") == 400
        assert _login(stranger, nip(), "salah-sandi-2", "203.0.113.2") == 400
        assert _login(stranger, learner.nip, DEFAULT_PASSWORD, "203.0.113.3") == 429
    with _client(base, PROXY) as proxy:
        assert _login(proxy, learner.nip, DEFAULT_PASSWORD, "198.51.100.9") == 303
    with Session(engine) as session:
        addresses = session.scalars(
            select(AuthSession.client_address).where(AuthSession.user_id == learner.id)
        ).all()
    engine.dispose()
    assert addresses == ["198.51.100.9"]
