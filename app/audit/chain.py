"""The audit hash chain's format: what an entry's hash covers, byte for byte (pure).

Each entry's hash is the SHA-256 of the canonical JSON of

    {"action", "actor_id", "at", "details", "prev", "salt", "seq", "target_id", "target_type"}

- `seq`: its place in the chain (1, 2, ...), given at commit, under the chain head's lock;
- `at`: the time recorded, in UTC, ISO 8601 with microseconds and a `Z`;
- `details`: the event's details as canonical JSON (keys sorted, no spaces, UTF-8);
- `prev`: the previous entry's hash (64 zeros for the first entry);
- `salt`: 32 random hex characters of the entry's own. Anonymisation may rewrite an old entry
  (UU PDP); it then draws a new salt, so the entry's original hash, still stored as the next
  entry's link, cannot be used to confirm a guessed NIP or name by brute force.

Canonical JSON: `json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.
Changing anything here breaks every existing chain: it is the format, not an implementation
detail (migration 0010 chains the rows that existed before it with these same functions).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def normalise(details: dict[str, Any]) -> dict[str, Any]:
    """`details` as they will read back from a JSON column (keys strings, tuples lists...).

    Hashing what is stored, not what was passed: {1: "a"} is stored as {"1": "a"}, and the
    order of sorted keys would differ between the two.
    """
    result: dict[str, Any] = json.loads(json.dumps(details, default=str, allow_nan=False))
    return result


def new_salt() -> str:
    return secrets.token_hex(16)


def utc_iso(moment: datetime) -> str:
    """`moment` in UTC as 2026-12-07T01:02:03.000004Z (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    target_type: str | None,
    target_id: str | None,
    details: dict[str, Any],
    salt: str,
    prev: str,
) -> str:
    """The SHA-256 (hex) of one entry's canonical serialisation."""
    payload = {
        "seq": seq,
        "at": utc_iso(at),
        "actor_id": actor_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "details": details,
        "salt": salt,
        "prev": prev,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
