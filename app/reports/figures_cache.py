"""A short-lived per-process cache for HR's and trainers' aggregate figures.

The dashboard aggregates every enrolment, module-progress row and quiz attempt of the city
(0.3-1 s of database time at 10,000 ASN; it was 3 s before the covering indexes), and the
course report re-grades every attempt for its item analysis: by design no index makes "all of
them" cheap. HR reads these a few times a day and a figure a minute old serves them as well as
a fresh one, so each process keeps the figures for `ttl_seconds` and the page says how old
they are.

- One computation per key at a time: staff opening the page together wait for the first
  instead of running the same aggregation in parallel.
- Stale while revalidating: for one more `ttl_seconds` after expiry a view gets the previous
  figures at once while a background thread recomputes them, so only the first view of a
  process (or after a long quiet spell) waits for the aggregation.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from app.db import session_scope

T = TypeVar("T")

MAX_KEYS = 64  # years x filters x courses; the entries expiring first are dropped first
log = logging.getLogger("lentera.figures")


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    computed_at: datetime  # UTC, shown as "figures as of"
    expires: float  # time.monotonic()


class FiguresCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self._entries: dict[Hashable, Cached[object]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._refreshing: set[Hashable] = set()
        self._guard = threading.Lock()

    def get(
        self,
        key: Hashable,
        compute: Callable[[], T],
        *,
        fresh: bool = False,
        refresh: Callable[[], T] | None = None,
    ) -> Cached[T]:
        """The figures for `key`: cached, or computed now when missing, too old or `fresh`.

        `refresh` computes them without the caller's request (its own database session): when
        given, figures less than one TTL past expiry are served while it runs in the background.
        """
        entry = self._entries.get(key)
        if entry is not None and not fresh:
            now = time.monotonic()
            if now < entry.expires:
                return entry  # type: ignore[return-value]
            if refresh is not None and now < entry.expires + self.ttl_seconds:
                self._refresh_in_background(key, refresh)
                return entry  # type: ignore[return-value]
        with self._key_lock(key):
            entry = self._entries.get(key)
            if entry is not None and not fresh and time.monotonic() < entry.expires:
                return entry  # type: ignore[return-value]  # computed while we waited
            return self._store(key, compute())

    @property
    def ttl_minutes(self) -> int:
        """The TTL as the page states it ("kept for at most N minutes")."""
        return max(1, round(self.ttl_seconds / 60))

    def figures(
        self,
        key: Hashable,
        compute: Callable[[Session], T],
        *,
        session: Session,
        factory: sessionmaker[Session],
        fresh: bool = False,
    ) -> Cached[T]:
        """`get` for figures computed from the database: in the request's `session` when the
        viewer has to wait, in a session of their own (from `factory`) in the background."""

        def in_own_session() -> T:
            with session_scope(factory) as own:
                return compute(own)

        return self.get(key, lambda: compute(session), fresh=fresh, refresh=in_own_session)

    def _key_lock(self, key: Hashable) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _store(self, key: Hashable, value: T) -> Cached[T]:
        made = Cached(value, datetime.now(UTC), time.monotonic() + self.ttl_seconds)
        if self.ttl_seconds <= 0:
            return made
        with self._guard:
            if len(self._entries) >= MAX_KEYS and key not in self._entries:
                oldest = min(self._entries, key=lambda k: self._entries[k].expires)
                del self._entries[oldest]
                self._locks.pop(oldest, None)
            self._entries[key] = made  # type: ignore[assignment]
        return made

    def _refresh_in_background(self, key: Hashable, refresh: Callable[[], object]) -> None:
        with self._guard:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def run() -> None:
            try:
                with self._key_lock(key):
                    self._store(key, refresh())
            except Exception:  # the stale figures stay; the next view tries again
                log.exception("recomputing cached figures failed", extra={"key": repr(key)})
            finally:
                with self._guard:
                    self._refreshing.discard(key)

        threading.Thread(target=run, name="lentera-figures", daemon=True).start()
