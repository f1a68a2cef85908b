"""A short-lived per-process cache for HR's aggregate figures.

The dashboard aggregates every enrolment, module-progress row and quiz attempt of the city
(about 3 s of database time at 10,000 ASN on SQLite, 1.2 s on PostgreSQL): by design no index
makes "all enrolments" cheap. HR reads it a few times a day and a figure a minute old serves
them as well as a fresh one, so each process keeps the figures for `ttl_seconds` and the page
says how old they are. One computation per key at a time: when HR staff open the page together
the others wait for the first instead of running the same aggregation in parallel.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_KEYS = 64  # years x filters; old keys are dropped first


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    computed_at: datetime  # UTC, shown to HR as "figures as of"
    expires: float  # time.monotonic()


class FiguresCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self._entries: dict[Hashable, Cached[object]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T], *, fresh: bool = False) -> Cached[T]:
        """The cached figures for `key`, computed now if missing, expired or `fresh` asked."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            entry = self._entries.get(key)
            if entry is not None and not fresh and time.monotonic() < entry.expires:
                return entry  # type: ignore[return-value]
            value = compute()
            made = Cached(value, datetime.now(UTC), time.monotonic() + self.ttl_seconds)
            with self._guard:
                if len(self._entries) >= MAX_KEYS and key not in self._entries:
                    oldest = min(self._entries, key=lambda k: self._entries[k].expires)
                    del self._entries[oldest]
                    self._locks.pop(oldest, None)
                if self.ttl_seconds > 0:
                    self._entries[key] = made  # type: ignore[assignment]
            return made
