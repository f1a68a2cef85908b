"""The HR figures cache: kept for its TTL, one computation at a time per key, bounded."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.accounts.models import Role
from app.config import Settings
from app.db import session_scope
from app.main import create_app
from app.reports import figures_cache
from app.reports.figures_cache import FiguresCache
from tests.factories import login, make_user


def test_concurrent_readers_of_a_missing_key_share_one_computation() -> None:
    cache = FiguresCache(ttl_seconds=60)
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("k", slow).value))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [42] * 6 and len(calls) == 1


def test_expired_or_refreshed_figures_are_computed_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache = FiguresCache(ttl_seconds=10)
    values = iter(range(10))

    assert cache.get("k", lambda: next(values)).value == 0
    now[0] += 9
    assert cache.get("k", lambda: next(values)).value == 0
    assert cache.get("k", lambda: next(values), fresh=True).value == 1
    now[0] += 11
    assert cache.get("k", lambda: next(values)).value == 2


def test_the_cache_keeps_a_bounded_number_of_keys(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(figures_cache, "MAX_KEYS", 3)
    cache = FiguresCache(ttl_seconds=60)
    for key in range(10):
        cache.get(key, lambda key=key: key)  # type: ignore[misc]

    assert len(cache._entries) == 3
    assert set(cache._entries) == {7, 8, 9}


def _wait_for_refresh(cache: FiguresCache) -> None:
    for _ in range(200):
        if not cache._refreshing:
            return
        time.sleep(0.01)
    raise AssertionError("the background refresh did not finish")


def test_expired_figures_are_served_while_a_background_refresh_runs(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache = FiguresCache(ttl_seconds=10)
    cache.get("k", lambda: "first")
    release = threading.Event()

    def slow_refresh() -> str:
        release.wait(2)
        return "second"

    now[0] += 12  # expired, within one more TTL
    served = cache.get("k", lambda: "computed in the request", refresh=slow_refresh)
    assert served.value == "first"  # at once, not waiting for the refresh
    release.set()
    _wait_for_refresh(cache)
    assert cache.get("k", lambda: "not needed").value == "second"

    now[0] += 25  # long past expiry: too old to show, computed in the request
    late = cache.get("k", lambda: "computed in the request", refresh=lambda: "background")
    assert late.value == "computed in the request"


def test_a_failed_refresh_keeps_the_stale_figures(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache = FiguresCache(ttl_seconds=10)
    cache.get("k", lambda: "first")
    now[0] += 12

    def broken() -> str:
        raise RuntimeError("database went away")

    assert cache.get("k", lambda: "x", refresh=broken).value == "first"
    _wait_for_refresh(cache)
    assert cache.get("k", lambda: "x", refresh=broken).value == "first"
    _wait_for_refresh(cache)
    assert "recomputing cached figures failed" in caplog.text


def test_the_dashboard_refreshes_expired_figures_in_a_session_of_its_own(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        database_url=fresh_database_url,
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-" + "x" * 32,
        load_content_on_start=False,
        _env_file=None,
    )
    app = create_app(settings)
    with session_scope(app.state.sessionmaker) as session:
        hr = make_user(session, roles={Role.HR})
    try:
        with TestClient(app, follow_redirects=False) as client:
            login(client, hr)
            first = client.get("/laporan/dasbor")
            later = time.monotonic() + settings.report_cache_seconds + 5
            monkeypatch.setattr(time, "monotonic", lambda: later)

            stale = client.get("/laporan/dasbor")
            _wait_for_refresh(app.state.dashboard_figures)
            refreshed = client.get("/laporan/dasbor")
    finally:
        app.state.engine.dispose()

    shown = [r.context["computed_at"] for r in (first, stale, refreshed)]
    assert shown[0] == shown[1] < shown[2]
