"""Database plumbing: declarative base, engine factory, one transaction per request."""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar, cast

import anyio
from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, MetaData, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now in UTC; every stored time is UTC, shown in WITA."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and returns them aware, on SQLite and PostgreSQL alike.

    SQLite has no time zones, so without this a value written aware comes back naive and
    comparisons with utcnow() raise.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use app.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_ms: int = 10_000) -> None:
    # WAL lets readers proceed while a writer commits; the busy timeout makes concurrent
    # writers wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    # FULL: a commit is on disk before the learner is told it is saved, even across a power
    # cut (NORMAL would only survive a process crash). Costs one WAL fsync per commit.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_WRITE_QUEUE_WAIT = 5.0  # seconds, unless make_engine is given a wait; then SQLite's busy handler
_HOLDS_WRITE_LOCK = "lentera.holds_write_lock"


def _queue_sqlite_writers(engine: Engine, wait: float = _WRITE_QUEUE_WAIT) -> None:
    """One writing transaction at a time per process, in a fair queue.

    SQLite lets one connection write at a time; the others wait in its busy handler, which
    sleeps 1 to 100 ms between retries and so misses most moments the lock is free. Under load
    that made writes' p99 2-3 s at a p50 of 50 ms (measured by bench/load.py, 1 worker). A
    thread-level lock taken at the transaction's first write and released when its connection
    goes back to the pool wakes the next writer at once: p99 2,123 -> 276 ms for a progress
    write. Other processes still meet in SQLite's busy handler, as before.
    """
    lock = threading.Lock()

    @event.listens_for(engine, "before_cursor_execute")
    def _take(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.connection.info
        if info.get(_HOLDS_WRITE_LOCK) or not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        # A thread that already writes through another connection would wait for itself:
        # after a bounded wait, fall back to SQLite's busy handler as without the queue.
        if lock.acquire(timeout=wait):
            info[_HOLDS_WRITE_LOCK] = True

    @event.listens_for(engine, "checkin")
    def _release(_dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_HOLDS_WRITE_LOCK, False):
            lock.release()


PRIVATE_FILE_MODE = 0o600


def _private_sqlite_files(database: Path) -> None:
    """Create the database file readable by its owner only, and tighten one made before.

    The database holds everyone's personal data, so it gets the mode backups have (0600)
    whatever the umask. SQLite creates the -wal and -shm files with the database file's own
    permissions, so they follow; ones left by an older Lentera are tightened here too.
    """
    if not database.exists():
        os.close(os.open(database, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE))
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            mode = path.stat().st_mode
            if mode & 0o077:
                path.chmod(PRIVATE_FILE_MODE)
        except FileNotFoundError:
            continue
        except PermissionError:  # someone else's file: SQLite says so when it opens it
            continue


def make_engine(
    url: str, *, pool_size: int | None = None, wait_seconds: float | None = None, **kwargs: Any
) -> Engine:
    """An engine for `url`, with SQLite tuned for a web server (WAL, FKs, busy timeout).

    `pool_size` (the server's LENTERA_DB_POOL_SIZE) keeps that many connections and never more:
    with SQLAlchemy's default overflow, load beyond 5 concurrent requests opened and closed a
    connection per request (seen in bench profiles: SQLite's connect pragmas on every request;
    on PostgreSQL a connect costs milliseconds).

    `wait_seconds` (the server's LENTERA_DB_WAIT_SECONDS) bounds each wait of a request for
    the database: for a pooled connection and, on SQLite, for the write lock (the queue and
    SQLite's busy timeout). Beyond it the request fails with "database is locked" or a pool
    timeout, which app.errors answers with 503 and Retry-After, never a 500.
    """
    parsed = make_url(url)
    if pool_size is not None and parsed.database not in (None, "", ":memory:"):
        kwargs.setdefault("pool_size", pool_size)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", wait_seconds if wait_seconds is not None else 30)
    if parsed.drivername.startswith("sqlite"):
        file_database = (
            Path(parsed.database)
            if parsed.database
            and parsed.database != ":memory:"
            and not parsed.database.startswith("file:")
            else None
        )
        if file_database is not None:
            file_database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        if file_database is not None:
            private_file = file_database

            @event.listens_for(engine, "do_connect")
            def _before_open(*_args: Any) -> None:
                # Before SQLite opens (and would create) the file; returning None lets
                # SQLAlchemy connect as usual.
                _private_sqlite_files(private_file)

        if wait_seconds is None:
            event.listen(engine, "connect", _sqlite_pragmas)
            _queue_sqlite_writers(engine)
        else:
            event.listen(engine, "connect", _sqlite_pragmas)
            _queue_sqlite_writers(engine, wait_seconds)
        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if make_url(url).drivername.startswith("postgresql"):
        # During an outage a request should fail within seconds (and get the 503 page), not
        # hang on a connect or on a connection whose server vanished: bounded connects, TCP
        # keepalives so an idle half-open connection is noticed, and a bound on unacknowledged
        # sends (tcp_user_timeout, ms) so a query sent into the void fails instead of waiting
        # out the kernel's ~15 min of retransmissions. Pooled connections that died in the
        # outage are replaced at checkout (pool_pre_ping), so Lentera recovers by itself.
        kwargs["connect_args"] = {
            "connect_timeout": 5,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": 30_000,
            **kwargs.get("connect_args", {}),
        }
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


# What SQLite says when the database cannot take a write or a read for a reason outside the
# request: another writer held the lock too long, the disk (or max_page_count) is full, the
# file is unreadable, or the schema is missing (not migrated). Other OperationalErrors from
# SQLite (syntax errors, unknown columns) are bugs and stay 500s.
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "database or disk is full",
    "disk i/o error",
    "unable to open database file",
    "attempt to write a readonly database",
    "no such table",
)


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` means the database is out of reach or out of space, not a bug.

    PostgreSQL: psycopg's OperationalError covers lost or refused connections, a server
    shutting down and resource errors (disk full, too many connections); a connection that
    SQLAlchemy invalidated; and a pool with no free connection in time.
    """
    if isinstance(exc, SATimeoutError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if getattr(exc.orig, "sqlstate", None) == "42P01":  # undefined_table: not migrated
        return True
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    module = type(exc.orig).__module__ if exc.orig is not None else ""
    if module.startswith("sqlite3"):
        text = str(exc.orig).lower()
        return any(marker in text for marker in _SQLITE_UNAVAILABLE)
    return True


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction outside a request (CLI, jobs): commit on success, roll back on error."""
    session = factory()
    try:
        yield session
    except BaseException:
        session.close()  # rolls back
        raise
    _commit_and_close(session)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session: services never commit; this commits once the route succeeded.

    An async generator although the session is sync: creating a Session does no I/O (it
    connects at its first query, in the route's thread), and FastAPI runs a sync generator's
    start and end each in the thread pool. Only the commit takes a hop: two fewer context
    switches per request (a hop costs about as much CPU as FastAPI's whole route handling).
    """
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    gate: DatabaseGate | None = getattr(request.app.state, "db_gate", None)
    admitted = await gate.enter() if gate is not None else None
    try:
        session = factory()
        try:
            yield session
        except BaseException:
            # A failed or cancelled request: close() rolls back and returns the connection.
            # Not awaited in the pool, so it runs even when the task is being cancelled.
            session.close()
            raise
        if commit_is_free(session):
            # Nothing to write and nothing to wait for: a hop to a thread would cost more
            # than the commit (measured: ~0.17 ms of CPU per hop, docs/benchmarks.md).
            _commit_and_close(session)
        else:
            # A limiter of its own, as FastAPI gives a sync dependency's exit: when every
            # thread of the default pool is taken (say, by writers queueing for SQLite's write
            # lock), the commit that would free them must still get a thread.
            await anyio.to_thread.run_sync(
                _commit_and_close, session, limiter=anyio.CapacityLimiter(1)
            )
    finally:
        if admitted is not None:
            admitted.release()


def commit_is_free(session: Session) -> bool:
    """True when committing `session` does no I/O: nothing was written or is waiting to be
    (no deferred write, no unflushed change), and either it never used the database or it
    is on SQLite, whose driver opens a transaction only at the first write, so a read-only
    request's COMMIT is a no-op there. On PostgreSQL any COMMIT is a round trip."""
    if session.info.get(_DEFERRED_WRITES) or session.new or session.dirty or session.deleted:
        return False
    if not session.in_transaction():
        return True
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    return not connection.connection.dbapi_connection.in_transaction  # type: ignore[union-attr]


class DatabaseGate:
    """At most `capacity` requests of this process hold a database session at once; the others
    wait here, on the event loop, without holding a thread or a connection.

    Without it a burst (a class of 200 phones syncing together) deadlocked: requests waiting
    for a pooled connection each held one of the 40 threads, while the requests holding the
    connections waited for a thread for their next step (the route after the user lookup),
    until the waits ran out (503s and client timeouts; docs/benchmarks.md). With the gate below
    the pool size a request that holds a session always finds a connection, so every thread
    it waits for is held by a request that will finish. Capacity is half the pool: one request
    may take a second connection of its own (the login's attempt reservation). The wait is
    bounded by LENTERA_DB_WAIT_SECONDS, then 503 with Retry-After, like a pool timeout.

    Waiters are served in arrival order. One semaphore per event loop (a test may serve the
    same app from successive loops; a server process has one).
    """

    def __init__(self, capacity: int, wait_seconds: float) -> None:
        self.capacity = max(1, capacity)
        self.wait_seconds = wait_seconds
        self._current: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        current = self._current
        if current is None or current[0] is not loop:
            current = self._current = (loop, asyncio.Semaphore(self.capacity))
        return current[1]

    async def enter(self) -> asyncio.Semaphore:
        """Wait for a place; the semaphore to release when the request is done with the
        database. Raises SQLAlchemy's pool TimeoutError (answered 503) after the wait."""
        semaphore = self._semaphore()
        try:
            async with asyncio.timeout(self.wait_seconds):
                await semaphore.acquire()
        except TimeoutError:
            raise SATimeoutError(
                f"no database session free within {self.wait_seconds:g} s (request gate)"
            ) from None
        return semaphore


# scope="function" makes FastAPI run the commit *before* the response is sent, so a client
# never sees success for a write that then failed to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


_DEFERRED_WRITES = "lentera.deferred_writes"


def write_at_commit(session: Session, key: str, statement: Executable) -> None:
    """Run `statement` just before the session commits (for `key`, the last one given wins).

    For bookkeeping on requests that otherwise only read ("last seen", "last used"): on SQLite
    a transaction's first write holds the database's write lock until its commit, so such a
    write made early would block every other writer for the whole request. A request that
    fails rolls back and writes nothing.
    """
    session.info.setdefault(_DEFERRED_WRITES, {})[key] = statement


@event.listens_for(Session, "before_commit")
def _run_deferred_writes(session: Session) -> None:
    pending: dict[str, Executable] | None = session.info.pop(_DEFERRED_WRITES, None)
    for statement in (pending or {}).values():
        session.execute(statement)


@event.listens_for(Session, "after_rollback")
def _drop_deferred_writes(session: Session) -> None:
    session.info.pop(_DEFERRED_WRITES, None)


@functools.cache
def _ignoring_insert(dialect: str, target: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING into `target`: a Table (a Core INSERT) or a mapped
    class (an ORM one, which can return rows as objects). Built once per target."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(target).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(target).on_conflict_do_nothing()
    raise NotImplementedError(dialect)  # pragma: no cover - only the two supported databases


@functools.cache
def _ignoring_insert_returning_key(dialect: str, table: Table) -> Any:
    # RETURNING tells whether a row went in: the driver's rowcount is not reliable for
    # ON CONFLICT DO NOTHING (psycopg reports -1 for it).
    return _ignoring_insert(dialect, table).returning(*table.primary_key.columns)


def insert_or_ignore(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """INSERT a row unless it would break a unique constraint; True when a row was inserted.

    Atomic in the database (ON CONFLICT DO NOTHING on SQLite and PostgreSQL), so concurrent or
    replayed requests can never create a duplicate or fail with an integrity error.
    """
    # The statement is built once per table and the row given as parameters: building an
    # INSERT and its cache key per call was a seventh of a progress mark's CPU (py-spy).
    # The columns left out take their defaults, as with `.values()`.
    table = cast(Table, model.__table__)
    statement = _ignoring_insert_returning_key(session.get_bind().dialect.name, table)
    return session.execute(statement, values).first() is not None


M = TypeVar("M", bound=Base)


def insert_or_ignore_returning(
    session: Session, model: type[M], values: dict[str, Any]
) -> M | None:
    """`insert_or_ignore`, answering with the inserted row as a loaded ORM object (None when
    nothing was inserted), in the INSERT's own round trip."""
    # An ORM INSERT given its row as parameters would run as a "bulk" insert, so the row goes
    # in `.values()` here (this one runs once per quiz start, not per page).
    statement = _ignoring_insert(session.get_bind().dialect.name, model).values(**values)
    return session.scalars(statement.returning(model)).first()
