"""Rate limits on the public certificate verification, per client address.

`/verifikasi/{number}` is public: without a limit one client read about 167 pages a second,
and the upload check (`/verifikasi/{number}/periksa`) parses a PDF and checks its signature,
which costs real CPU. Each address may view `LENTERA_VERIFY_MAX_VIEWS_PER_ADDRESS` pages and
run `LENTERA_VERIFY_MAX_CHECKS_PER_ADDRESS` upload checks per `LENTERA_VERIFY_WINDOW_MINUTES`;
beyond that it gets 429 with Retry-After until its oldest counted request leaves the window.

The counters live in the database, in the login throttle's store (`login_failures`: one row
per counted request, keyed `verify-view:{address}` / `verify-check:{address}`), so the limit
holds across worker processes and instances, as the login limit does. Like a login attempt
(`app.accounts.auth.reserve_attempt`), a request is counted atomically before it is served,
in a short transaction of its own, so parallel requests cannot pass the limit; a refused
request is not counted and is answered after one read, so a flood costs no writes.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import LoginFailure
from app.config import Settings
from app.db import session_scope, utcnow
from app.i18n import gettext as _
from app.web.error_pages import render_error

_PREFIX = "verify-"
VIEW = _PREFIX + "view"
CHECK = _PREFIX + "check"


@dataclass(frozen=True)
class Limited:
    """A refused request: how many seconds until the address may try again."""

    retry_after_seconds: int


def _lock_id(key: str) -> int:
    return int.from_bytes(
        hashlib.sha256(b"lentera-throttle:" + key.encode()).digest()[:8], "big", signed=True
    )


def _over(session: Session, key: str, limit: int, window: timedelta) -> Limited | None:
    now = utcnow()
    count, oldest = session.execute(
        select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at > now - window
        )
    ).one()
    if count < limit or oldest is None:
        return None
    return Limited(max(1, math.ceil((oldest + window - now).total_seconds())))


def take(
    factory: sessionmaker[Session], key: str, *, limit: int, window: timedelta
) -> Limited | None:
    """Count one request against `key`, unless `limit` requests were counted within `window`
    (then nothing is counted and the wait is returned)."""
    with factory() as peek:  # a refused request in a flood: one read, no write
        refused = _over(peek, key, limit, window)
    if refused is not None:
        return refused
    with session_scope(factory) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(select(func.pg_advisory_xact_lock(_lock_id(key))))
        # On SQLite this write comes first on purpose: it takes the database's write lock, so
        # the count below sees every committed request (see auth.reserve_attempt). It drops
        # every address's expired rows, not only this one's: addresses are personal data and
        # most never come back (data minimisation).
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.key.startswith(_PREFIX), LoginFailure.at <= utcnow() - window
            )
        )
        refused = _over(session, key, limit, window)
        if refused is None:
            session.add(LoginFailure(key=key))
        return refused


def limit(request: Request, kind: str) -> Response | None:
    """None when this address may go on; else the 429 page (or JSON) with Retry-After."""
    settings: Settings = request.app.state.settings
    address = request.client.host if request.client else "unknown"
    maximum = (
        settings.verify_max_views_per_address
        if kind == VIEW
        else settings.verify_max_checks_per_address
    )
    refused = take(
        request.app.state.sessionmaker,
        f"{kind}:{address}",
        limit=maximum,
        window=timedelta(minutes=settings.verify_window_minutes),
    )
    if refused is None:
        return None
    minutes = max(1, math.ceil(refused.retry_after_seconds / 60))
    message = _(
        "Terlalu banyak permintaan verifikasi sertifikat dari alamat jaringan Anda. "
        "Coba lagi dalam {minutes} menit."
    ).format(minutes=minutes)
    response = render_error(request, 429, message)
    response.headers["Retry-After"] = str(refused.retry_after_seconds)
    response.headers["Cache-Control"] = "no-store"
    return response
