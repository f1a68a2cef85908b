"""The request gate (app.db.DatabaseGate): requests beyond it wait on the event loop, in
order, holding neither a thread nor a connection, and give up with the pool's timeout (a 503)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import TimeoutError as SATimeoutError

from app.config import Settings
from app.db import DatabaseGate, database_unavailable
from app.main import create_app


def test_requests_beyond_the_gate_wait_in_order_then_time_out_as_unavailable() -> None:
    async def scenario() -> list[str]:
        gate = DatabaseGate(capacity=2, wait_seconds=5)
        order: list[str] = []
        first = await gate.enter()
        second = await gate.enter()

        async def later(name: str) -> None:
            admitted = await gate.enter()
            order.append(name)
            admitted.release()

        waiting = [asyncio.create_task(later(name)) for name in ("c", "d", "e")]
        await asyncio.sleep(0.05)
        assert order == []  # both places taken: nobody else gets in
        first.release()
        second.release()
        await asyncio.gather(*waiting)

        full = DatabaseGate(capacity=1, wait_seconds=0.05)
        await full.enter()
        with pytest.raises(SATimeoutError) as refused:
            await full.enter()
        assert database_unavailable(refused.value)  # answered 503 with Retry-After
        return order

    assert asyncio.run(scenario()) == ["c", "d", "e"]


def test_the_gate_stays_below_the_connection_pool(settings: Settings) -> None:
    # Half the pool: a request holding a session may take one more connection (the login's
    # attempt reservation), so the admitted requests can never exhaust the pool.
    app = create_app(settings.model_copy(update={"db_pool_size": 20}))
    try:
        assert app.state.db_gate.capacity == 10
    finally:
        app.state.engine.dispose()
