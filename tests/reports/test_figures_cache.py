"""The HR figures cache: kept for its TTL, one computation at a time per key, bounded."""

from __future__ import annotations

import threading
import time

from app.reports import figures_cache
from app.reports.figures_cache import FiguresCache


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
    monkeypatch.setattr(figures_cache.time, "monotonic", lambda: now[0])
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
