"""Attendance codes and rules, pure: no database, no web.

The code
--------
The trainer's screen shows a code that changes every `WINDOW_SECONDS` (30 s): an HMAC-SHA256,
keyed with the app's secret key, over the session id and the number of the 30-second window
(Unix time // 30). Its first 30 bits are written as `CODE_LENGTH` (6) characters of an
alphabet without look-alikes (no 0/O, 1/I), so it can be read off a projector and typed on a
phone. A code is accepted in its own window and the next one (`GRACE_WINDOWS`): a learner who
reads it at second 29 still has at least 30 seconds to send it. A code from an older window
is "expired" (recognised up to `RECOGNISED_WINDOWS` back, 10 minutes, so the learner is told
so instead of "wrong code"); anything else is "invalid". Whether an invalid code belongs to
another session is for the caller to ask (`matches` over the sessions running now).

The rules
---------
- Late: an arrival after the start plus the tolerance (the session's, else the setting).
- Credited at finalising: an attendee marked present (late or not), or partial with at least
  `min_percent` of the session's minutes. Absent, unmarked and waiting people are not.
- The score printed on the certificate is the attendance percentage (100 when present).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from enum import StrEnum

WINDOW_SECONDS = 30
CODE_LENGTH = 6
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols, 5 bits each
GRACE_WINDOWS = 1  # the previous window is still accepted
RECOGNISED_WINDOWS = 20  # older codes (up to 10 minutes) are told apart as expired


class Verdict(StrEnum):
    OK = "ok"
    EXPIRED = "expired"
    INVALID = "invalid"


def window_of(moment: datetime) -> int:
    """The number of the 30-second window holding `moment`."""
    return int(moment.timestamp()) // WINDOW_SECONDS


def seconds_left(moment: datetime) -> int:
    """Seconds until the code shown at `moment` changes (1..30)."""
    return WINDOW_SECONDS - int(moment.timestamp()) % WINDOW_SECONDS


def code_for(secret: str, session_id: int, window: int) -> str:
    """The code of `session_id` in `window`."""
    message = f"lentera-kelas:{session_id}:{window}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:4], "big") >> (32 - 5 * CODE_LENGTH)
    return "".join(
        ALPHABET[(number >> (5 * (CODE_LENGTH - 1 - i))) & 31] for i in range(CODE_LENGTH)
    )


def current_code(secret: str, session_id: int, now: datetime) -> str:
    """The code the trainer's screen shows at `now`."""
    return code_for(secret, session_id, window_of(now))


def normalise(typed: str) -> str:
    """What the learner typed, upper-cased, without spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch not in " -\t")


def matches(secret: str, session_id: int, typed: str, now: datetime) -> bool:
    """True if `typed` is the session's code now or in the grace window."""
    return verify(secret, session_id, typed, now) is Verdict.OK


def verify(secret: str, session_id: int, typed: str, now: datetime) -> Verdict:
    """Whether `typed` is the session's current code, an expired one, or neither."""
    code = normalise(typed)
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return Verdict.INVALID
    window = window_of(now)
    for back in range(RECOGNISED_WINDOWS + 1):
        if hmac.compare_digest(code, code_for(secret, session_id, window - back)):
            return Verdict.OK if back <= GRACE_WINDOWS else Verdict.EXPIRED
    return Verdict.INVALID


def is_late(arrived_at: datetime, starts_at: datetime, tolerance_minutes: int) -> bool:
    """An arrival after the start plus the tolerance is late."""
    return arrived_at > starts_at + timedelta(minutes=tolerance_minutes)


def session_minutes(starts_at: datetime, ends_at: datetime) -> int:
    """The session's length in whole minutes."""
    return max(1, int((ends_at - starts_at).total_seconds() // 60))


def attendance_percent(attendance: str | None, minutes: int | None, total_minutes: int) -> int:
    """The share of the session attended, 0..100 (present is 100)."""
    if attendance == "present":
        return 100
    if attendance == "partial" and minutes is not None and total_minutes > 0:
        return max(0, min(100, round(100 * minutes / total_minutes)))
    return 0


def qualifies(
    attendance: str | None, minutes: int | None, total_minutes: int, min_percent: int
) -> bool:
    """Whether an attendee is credited at finalising (present, or partial above the bar)."""
    if attendance == "present":
        return True
    if attendance == "partial":
        return attendance_percent(attendance, minutes, total_minutes) >= min_percent
    return False
