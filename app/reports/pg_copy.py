"""Reading `COPY (...) TO STDOUT` straight from libpq, a batch of rows at a time.

Why not psycopg's `cursor.copy()`: it hands out one row per round of its generator-based
wait loop, which cost 2.2 s of CPU per million export rows and made the export 2.1x as slow
as `psql \\copy`; a blocking `PQgetCopyData` loop over the same connection takes 0.7 s
(bench/export.py, psycopg 3.3). Only the reading is low-level: the statement's parameters
are merged by psycopg's `ClientCursor.mogrify`, quoted by its adapters, as `cursor.copy()`
does too (COPY takes no server-side parameters), so user input never becomes SQL.
"""

from __future__ import annotations

import contextlib
import select
from collections.abc import Iterator, Mapping
from typing import Any

import psycopg
from psycopg import pq


def _raise_for(result: pq.abc.PGresult | None) -> None:
    if result is not None and result.status == pq.ExecStatus.FATAL_ERROR:
        raise psycopg.DatabaseError(result.error_message.decode("utf-8", "replace").strip())


def _finish(pgconn: pq.abc.PGconn) -> None:
    """Read the results left after the COPY data (libpq needs them read); raise an error."""
    error: pq.abc.PGresult | None = None
    while (result := pgconn.get_result()) is not None:
        if result.status == pq.ExecStatus.FATAL_ERROR:
            error = result
    _raise_for(error)


def copy_out(
    driver: psycopg.Connection[Any], statement: str, params: Mapping[str, Any], batch: int
) -> Iterator[list[Any]]:
    """The rows of `statement` (a COPY ... TO STDOUT), each a buffer, in lists of `batch`."""
    query = psycopg.ClientCursor(driver).mogrify(statement, params)
    pgconn = driver.pgconn
    pgconn.send_query(query.encode(driver.info.encoding))
    while pgconn.flush():  # psycopg keeps libpq non-blocking: wait until the query is out
        select.select([], [pgconn.socket], [])
    started = pgconn.get_result()
    if started is None or started.status != pq.ExecStatus.COPY_OUT:
        _finish(pgconn)
        _raise_for(started)
        raise psycopg.ProgrammingError("the statement is not a COPY ... TO STDOUT")
    complete = False
    try:
        rows: list[Any] = []
        read = pgconn.get_copy_data  # the loop runs once per row: no attribute lookups in it
        # PostgreSQL sends each row of a COPY in a message of its own; -1: no more rows.
        while True:
            size, row = read(0)
            if size < 0:
                break
            rows.append(row)
            if len(rows) == batch:
                yield rows
                rows = []
        complete = True
        if rows:
            yield rows
    finally:
        if complete:
            _finish(pgconn)
        else:
            # The reader stopped early (a download cancelled) or reading failed: stop the
            # server and drain what it sent, so the connection can be rolled back and reused.
            # The cancellation's own error is expected, not news.
            driver.cancel()
            with contextlib.suppress(psycopg.Error):
                while pgconn.get_copy_data(0)[0] >= 0:
                    pass
                _finish(pgconn)
