"""One transaction per request: committed before the response, rolled back on any error."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from app.accounts.models import Unit
from app.db import SessionDep, commit_is_free, make_engine, make_sessionmaker, write_at_commit


def _app(tmp_path: Path) -> tuple[FastAPI, object]:
    engine = make_engine(f"sqlite:///{tmp_path / 'tx.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE)"))
    app = FastAPI()
    app.state.sessionmaker = make_sessionmaker(engine)

    @app.post("/ok/{body}")
    def ok(body: str, session: SessionDep) -> dict[str, str]:
        session.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})
        return {"saved": body}

    @app.post("/refused/{body}")
    def refused(body: str, session: SessionDep) -> None:
        session.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})
        raise HTTPException(400, "refused after writing")

    return app, engine


def _bodies(engine: object) -> list[str]:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return list(conn.execute(text("SELECT body FROM notes ORDER BY id")).scalars())


def test_a_successful_request_is_committed_before_the_response(tmp_path: Path) -> None:
    app, engine = _app(tmp_path)
    with TestClient(app) as client:
        assert client.post("/ok/satu").status_code == 200
        # Visible from another connection as soon as the client has its answer.
        assert _bodies(engine) == ["satu"]


def test_a_refused_request_leaves_nothing_behind(tmp_path: Path) -> None:
    app, engine = _app(tmp_path)
    with TestClient(app) as client:
        assert client.post("/refused/dua").status_code == 400
        assert client.post("/ok/tiga").status_code == 200
    assert _bodies(engine) == ["tiga"]


def test_a_write_that_fails_at_commit_is_never_reported_as_saved(tmp_path: Path) -> None:
    app, engine = _app(tmp_path)
    with engine.begin() as conn:  # type: ignore[attr-defined]
        # A deferred foreign key is checked at COMMIT: the route itself succeeds.
        conn.execute(
            text(
                "CREATE TABLE tags (note_id INTEGER REFERENCES notes (id) "
                "DEFERRABLE INITIALLY DEFERRED)"
            )
        )

    @app.post("/dangling")
    def dangling(session: SessionDep) -> dict[str, str]:
        session.execute(text("INSERT INTO notes (body) VALUES ('orphan-maker')"))
        session.execute(text("INSERT INTO tags (note_id) VALUES (999)"))
        return {"saved": "yes"}

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/dangling")
        assert response.status_code == 500 and "saved" not in response.text
        assert client.post("/ok/y").status_code == 200
    assert _bodies(engine) == ["y"]


def test_a_commit_gets_a_thread_even_when_writers_fill_the_thread_pool(tmp_path: Path) -> None:
    """Writers waiting for SQLite's write lock hold thread-pool threads; the commit that
    releases the lock must not wait for one of them (it would wait for itself)."""
    app, engine = _app(tmp_path)

    # Like Lentera's pages, it returns a Response: a response model would be validated in
    # the thread pool too, before the commit (the API only reads; its bookkeeping writes are
    # deferred to the commit, `app.db.write_at_commit`).
    @app.post("/slow/{body}")
    def slow(body: str, session: SessionDep) -> Response:
        session.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})
        time.sleep(0.1)  # the write lock is held until this request's commit
        return PlainTextResponse(body)

    async def main() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            responses = await asyncio.gather(*(client.post(f"/slow/n{i}") for i in range(6)))
        return [r.status_code for r in responses]

    started = time.monotonic()
    # A loop of its own, in a thread of its own: earlier tests (Playwright's sync API) may
    # leave an event loop running in this thread.
    with ThreadPoolExecutor(1) as runner:
        statuses = runner.submit(lambda: asyncio.run(main())).result()

    assert statuses == [200] * 6
    assert time.monotonic() - started < 4  # a deadlock waits out the 5 s queue timeout
    assert sorted(_bodies(engine)) == [f"n{i}" for i in range(6)]


def test_only_a_commit_with_nothing_to_write_skips_the_thread(
    fresh_database_url: str, backend: str
) -> None:
    # The request's commit runs on the event loop only when it cannot block it: nothing written
    # and nothing waiting to be, and on SQLite (a read-only COMMIT there is a no-op; on
    # PostgreSQL it is a round trip). Anything to write goes to a thread, as before.
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    try:
        with factory() as session:
            assert commit_is_free(session)  # never used the database
            session.execute(select(Unit.id))
            assert commit_is_free(session) is (backend == "sqlite")
            write_at_commit(session, "touch", update(Unit).values(name=Unit.name))
            assert not commit_is_free(session)
        with factory() as session:
            session.add(Unit(name="Dinas Kominfo"))
            assert not commit_is_free(session)  # unflushed
            session.flush()
            assert not commit_is_free(session)  # written
        with factory() as session:
            session.execute(update(Unit).values(name=Unit.name))
            assert not commit_is_free(session)
    finally:
        engine.dispose()


def test_a_read_only_request_commits_without_a_second_thread_hop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, engine = _app(tmp_path)

    @app.get("/read")
    def read(session: SessionDep) -> dict[str, int]:
        return {"notes": session.scalar(text("SELECT count(*) FROM notes")) or 0}

    hops: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(function: object, *args: object, **kwargs: object) -> object:
        hops.append(getattr(function, "__name__", "?"))
        return await run_sync(function, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    with TestClient(app) as client:
        assert client.post("/ok/satu").status_code == 200
        written = list(hops)
        hops.clear()
        assert client.get("/read").json() == {"notes": 1}
        read_only = list(hops)

    assert "_commit_and_close" in written
    assert "_commit_and_close" not in read_only
    assert _bodies(engine) == ["satu"]
