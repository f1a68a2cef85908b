"""SQLite: writers of one process queue for the write lock instead of polling for it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from app.db import make_engine


def _engine(tmp_path: Path) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}", pool_size=10)

    # Without the queue, a writer that finds the lock taken would fail after 1 ms.
    @event.listens_for(engine, "connect")
    def _impatient(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=1")

    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    return engine


def test_concurrent_read_then_write_transactions_all_commit(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work() -> None:
        try:
            start.wait()
            for _ in range(20):
                with engine.begin() as conn:
                    conn.execute(text("SELECT n FROM counter")).scalar_one()
                    conn.execute(text("UPDATE counter SET n = n + 1"))
                    conn.execute(text("SELECT n FROM counter")).scalar_one()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 160
    engine.dispose()


def test_the_write_lock_is_released_when_a_transaction_fails(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = 1"))
            raise RuntimeError("request failed")
    except RuntimeError:
        pass
    done = threading.Event()

    def other_writer() -> None:
        with engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = 2"))
        done.set()

    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join(timeout=3)
    assert done.is_set()
    engine.dispose()


def test_the_pool_keeps_its_size_and_never_overflows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}", pool_size=3)
    assert engine.pool.size() == 3  # type: ignore[attr-defined]
    assert engine.pool._max_overflow == 0  # type: ignore[attr-defined]
    engine.dispose()
