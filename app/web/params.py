"""Bounded integer types for path and query parameters, written once for every route.

A bare `int` parameter accepts any size: `/riwayat/eksternal/99999999999999999999/berkas`
reached the database, which cannot hold the number, and failed with a 500. Every integer a
route takes from a URL uses one of these types instead, so a number out of range (or not a
number) is refused by validation before any query runs: 400 on pages, 422 with the JSON
error model under /api. `tests/web/test_int_params.py` walks every route to hold this.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

# The largest value of the 32-bit INTEGER columns ids live in (SQLite and PostgreSQL).
MAX_ID = 2**31 - 1

# A row id in a path: /riwayat/eksternal/{external_id}/berkas.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
# A 1-based ordinal in a path: an attempt number.
PathNumber = Annotated[int, Path(ge=1, le=MAX_ID)]
# An optional id in a query string ("entries before this id").
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# A 1-based page number in a query string.
QueryPage = Annotated[int, Query(ge=1, le=MAX_ID)]
# A calendar year in a query string: only absurd values are refused here, so a route can
# still answer a plausible year outside its range with its own message.
QueryYear = Annotated[int | None, Query(ge=1, le=9999)]
