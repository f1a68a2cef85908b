"""Resolved login sessions cached per process, dropped when the database's auth generation moves.

Every page asks who is logged in (`auth.resolve_session`): one statement joining the session,
the user, the unit and the roles, most of what authenticating a page costs. A process keeps the
answers (session token digest -> `Viewer`) and trusts them only while the session needs no
write: unexpired, and seen within the touch interval (so no idle expiry and no "last seen" touch
can be due). Anything else goes to the database as before.

What keeps the cache honest is `auth_generation.value`, one row bumped in the same transaction
as every change that ends or alters a session, found here rather than at each call site:

- any DELETE of `auth_sessions` (logout, password change, role change, deactivation,
  anonymisation) and any UPDATE of it but the "last seen" touch;
- any UPDATE or DELETE of `users` (active flag, name, unit, language...), any write to
  `user_roles`, any UPDATE or DELETE of `units` (a unit's name is shown as the viewer's).

Both ORM flushes and statements run through a `Session` are watched; the bump is the
transaction's last statement (taken at commit), so on PostgreSQL the counter row is locked only
while committing, never across a long import.

Each cache re-reads the generation at most every `recheck_seconds`
(LENTERA_SESSION_RECHECK_SECONDS, 1 s) and at once after this process committed a bump, and
drops everything when it moved: a session ended on one instance stops working here at once and
on every other instance within that interval. Writes made outside a `Session` (psql by hand)
are not seen: bump the value with them (docs/security.md).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, event, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from app.accounts.models import AuthGeneration
from app.accounts.viewer import Viewer

# Tables whose rows make up a resolved session, and which writes to them matter.
_WATCHED: dict[str, frozenset[str]] = {
    "auth_sessions": frozenset({"update", "delete"}),
    "users": frozenset({"update", "delete"}),
    "user_roles": frozenset({"insert", "update", "delete"}),
    "units": frozenset({"update", "delete"}),
}
# Statements that write a watched table without changing anyone's session carry this execution
# option: the "last seen" touch, and deleting a session found expired (every process finds that
# out by itself from the same timestamps).
NEUTRAL = "lentera_session_neutral"

_CHANGED = "lentera.auth_changed"
_BUMPED = "lentera.auth_bumped"
_lock = threading.Lock()
_local_bumps = 0

# A city's civil servants (~10,000 in Palu) fit; beyond, the least recently used are re-read.
CACHE_SIZE = 20_000


def current_generation(session: Session) -> int:
    """The auth generation (0 before the first change)."""
    return session.scalar(select(AuthGeneration.value).where(AuthGeneration.id == 1)) or 0


def _bump_statement(session: Session) -> Any:
    # An upsert, so a database whose row is missing still gets invalidated (an UPDATE of no row
    # would silently leave every cache stale).
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Any = insert(AuthGeneration).values(id=1, value=1)
    return statement.on_conflict_do_update(
        index_elements=[AuthGeneration.id], set_={"value": AuthGeneration.value + 1}
    )


def note_auth_changed(session: Session) -> None:
    """Mark the session's transaction as ending or altering login sessions (bumped at commit)."""
    session.info[_CHANGED] = True


def local_bumps() -> int:
    """How many transactions that bumped the auth generation this process has committed."""
    return _local_bumps


def _watched(table: Any, operation: str) -> bool:
    return isinstance(table, Table) and operation in _WATCHED.get(table.name, ())


@event.listens_for(Session, "do_orm_execute")
def _watch_statements(state: ORMExecuteState) -> None:
    if state.is_select or state.execution_options.get(NEUTRAL):
        return
    operation = (
        "update" if state.is_update else "delete" if state.is_delete else "insert"
        if state.is_insert else None
    )  # fmt: skip
    if operation is not None and _watched(getattr(state.statement, "table", None), operation):
        note_auth_changed(state.session)


@event.listens_for(Session, "after_flush")
def _watch_flush(session: Session, _context: UOWTransaction) -> None:
    # After a flush the new/dirty/deleted collections still show what it wrote.
    for operation, objects in (
        ("insert", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            table = getattr(type(obj), "__table__", None)
            if not _watched(table, operation):
                continue
            if operation == "update" and not session.is_modified(obj, include_collections=False):
                continue
            note_auth_changed(session)
            return


@event.listens_for(Session, "before_commit")
def _bump_at_commit(session: Session) -> None:
    # The commit flushes after this hook: flush now, so its writes are seen above.
    session.flush()
    if session.info.pop(_CHANGED, False):
        session.execute(_bump_statement(session))
        session.info[_BUMPED] = True


@event.listens_for(Session, "after_commit")
def _count_committed_bump(session: Session) -> None:
    global _local_bumps
    if session.info.pop(_BUMPED, False):
        with _lock:
            _local_bumps += 1


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_change(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_BUMPED, None)


@dataclass(frozen=True)
class CachedSession:
    """A resolved session as read from the database."""

    viewer: Viewer
    last_seen_at: datetime
    expires_at: datetime


class SessionCache:
    """Resolved sessions of one app (server process), keyed by token digest; thread-safe."""

    def __init__(self, recheck_seconds: float, size: int = CACHE_SIZE) -> None:
        self.recheck_seconds = recheck_seconds
        self.size = size
        self._entries: OrderedDict[str, CachedSession] = OrderedDict()
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._local = -1
        self._checked_at = float("-inf")
        self._epoch = 0

    def sync(self, session: Session) -> int:
        """Re-read the generation when due, dropping every entry if it moved; the epoch a
        lookup made now belongs to (pass it to `put`)."""
        local = local_bumps()
        now = time.monotonic()
        if local == self._local and now - self._checked_at < self.recheck_seconds:
            return self._epoch
        generation = current_generation(session)
        with self._lock:
            if generation != self._generation or local != self._local:
                self._entries.clear()
                self._epoch += 1
            self._generation = generation
            self._local = max(self._local, local)
            self._checked_at = now
            return self._epoch

    def is_current(self) -> bool:
        """True while `sync` would answer without reading the database (this process made no
        auth change since, and the generation was read less than `recheck_seconds` ago)."""
        return (
            local_bumps() == self._local
            and time.monotonic() - self._checked_at < self.recheck_seconds
        )

    def get(self, digest: str) -> CachedSession | None:
        """The cached session, if any (the caller checks its times)."""
        with self._lock:
            found = self._entries.get(digest)
            if found is not None:
                self._entries.move_to_end(digest)
            return found

    def put(self, digest: str, entry: CachedSession, epoch: int) -> None:
        """Remember a session read from the database during `epoch` (refused if the cache was
        dropped since: the read may predate the change that dropped it)."""
        with self._lock:
            if epoch != self._epoch:
                return
            self._entries[digest] = entry
            self._entries.move_to_end(digest)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, digest: str) -> None:
        """Drop one entry (its session is being touched or deleted)."""
        with self._lock:
            self._entries.pop(digest, None)

    def __len__(self) -> int:
        return len(self._entries)
