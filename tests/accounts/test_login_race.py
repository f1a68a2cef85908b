"""Parallel guesses cannot beat the login limit (issue 19 item 1), on both databases.

Each guess runs in its own thread with its own connection, alternating between two engines
(two connection pools, as two instances or worker processes have), all released at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts import auth, passwords
from app.accounts.models import AuthSession, LoginFailure
from app.config import Settings
from app.db import make_engine, make_sessionmaker, session_scope
from tests.factories import DEFAULT_PASSWORD, make_user, nip

GUESSES = 30


@pytest.fixture
def two_instances(fresh_database_url: str) -> Iterator[list[sessionmaker[Session]]]:
    engines = [make_engine(fresh_database_url, pool_size=GUESSES + 2) for _ in range(2)]
    yield [make_sessionmaker(engine) for engine in engines]
    for engine in engines:
        engine.dispose()


@pytest.fixture
def counted_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password check that happens, by the hash's owner (thread-safe append)."""
    checks: list[str] = []
    original = passwords.verify_password

    def counting(password: str, password_hash: str | None) -> bool:
        checks.append(password)
        return original(password, password_hash)

    monkeypatch.setattr(auth, "verify_password", counting)
    return checks


def _settings(url: str, tmp_path: Path, *, per_account: int, per_address: int) -> Settings:
    return Settings(
        database_url=url,
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-" + "x" * 32,
        login_max_failures_per_account=per_account,
        login_max_failures_per_address=per_address,
        _env_file=None,
    )


def _attempt(
    factory: sessionmaker[Session], settings: Settings, nip_value: str, password: str
) -> str:
    try:
        with session_scope(factory) as session:
            result = auth.authenticate(
                session,
                settings,
                nip=nip_value,
                password=password,
                client_address="10.9.8.7",
                user_agent="test",
                reserve_with=factory,
            )
    except auth.LoginThrottled:
        return "throttled"
    return "ok" if result else "wrong"


def _guess_in_parallel(
    factories: list[sessionmaker[Session]], settings: Settings, nips: list[str]
) -> list[str]:
    start = threading.Barrier(len(nips))

    def guess(index: int) -> str:
        start.wait()
        factory = factories[index % len(factories)]
        return _attempt(factory, settings, nips[index], f"tebakan-salah-{index}")

    with ThreadPoolExecutor(max_workers=len(nips)) as pool:
        return list(pool.map(guess, range(len(nips))))


def test_thirty_parallel_guesses_on_one_nip_check_at_most_the_limit_and_the_right_one_is_refused(
    two_instances: list[sessionmaker[Session]],
    fresh_database_url: str,
    tmp_path: Path,
    counted_checks: list[str],
) -> None:
    settings = _settings(fresh_database_url, tmp_path, per_account=5, per_address=100)
    with session_scope(two_instances[0]) as session:
        target = make_user(session).nip
    outcomes = _guess_in_parallel(two_instances, settings, [target] * GUESSES)
    assert len(counted_checks) <= 5
    assert outcomes.count("wrong") == len(counted_checks)
    assert outcomes.count("throttled") == GUESSES - len(counted_checks)
    # The correct password after the limit is refused, on either instance.
    for factory in two_instances:
        assert _attempt(factory, settings, target, DEFAULT_PASSWORD) == "throttled"
    assert DEFAULT_PASSWORD not in counted_checks
    with two_instances[1]() as session:
        assert session.scalar(select(func.count()).select_from(AuthSession)) == 0
        failures = session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.key == f"nip:{target}")
        )
        assert failures == len(counted_checks)  # refused attempts do not extend the lockout


def test_thirty_parallel_guesses_on_many_nips_from_one_address_check_at_most_its_limit(
    two_instances: list[sessionmaker[Session]],
    fresh_database_url: str,
    tmp_path: Path,
    counted_checks: list[str],
) -> None:
    settings = _settings(fresh_database_url, tmp_path, per_account=5, per_address=8)
    with session_scope(two_instances[0]) as session:
        known = make_user(session).nip
    # Unknown NIPs are guessed too: they are counted and checked against a dummy hash alike.
    nips = [known if i % 3 == 0 else nip(seq=100 + i, birth="19800101") for i in range(GUESSES)]
    outcomes = _guess_in_parallel(two_instances, settings, nips)
    assert len(counted_checks) <= 8
    assert outcomes.count("throttled") == GUESSES - len(counted_checks)
    assert _attempt(two_instances[1], settings, known, DEFAULT_PASSWORD) == "throttled"


def test_a_successful_login_takes_back_its_reservation_and_the_accounts_failures(
    two_instances: list[sessionmaker[Session]],
    fresh_database_url: str,
    tmp_path: Path,
) -> None:
    settings = _settings(fresh_database_url, tmp_path, per_account=5, per_address=30)
    factory = two_instances[0]
    with session_scope(factory) as session:
        target = make_user(session).nip
        other = make_user(session).nip
    assert _attempt(factory, settings, other, "tebakan-salah") == "wrong"
    assert _attempt(factory, settings, target, "tebakan-salah") == "wrong"
    assert _attempt(factory, settings, target, DEFAULT_PASSWORD) == "ok"
    with factory() as session:
        rows = sorted(
            tuple(row) for row in session.execute(select(LoginFailure.key, LoginFailure.nip))
        )
    # The target's own typo is forgiven, at the address too; the guess on another NIP from
    # the same address still counts, for that NIP and for the address.
    assert rows == [("ip:10.9.8.7", other), (f"nip:{other}", other)]
