"""Bounded integer types for path and query parameters, written once for every route.

A bare `int` parameter accepts any size: `/riwayat/eksternal/99999999999999999999/berkas`
reached the database, which cannot hold the number and failed with a 500. Every integer a
route takes from a URL uses one of these types instead, so a number out of range is refused
by validation (400 on pages, 422 with the JSON error model under /api) before any query runs.
The bound is the largest value of the databases' 32-bit INTEGER ids.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**31 - 1

# A row id in a path: /riwayat/eksternal/{external_id}/berkas.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
# A 1-based ordinal in a path (an attempt number, a page).
PathNumber = Annotated[int, Path(ge=1, le=MAX_ID)]
# An optional id in a query string (a cursor, "before this id").
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
