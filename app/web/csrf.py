"""CSRF protection for every state-changing form.

Each browser gets a random, HttpOnly `lentera_csrf` cookie (set by `seed_cookie` below on its
first visit). Forms carry HMAC(secret key, cookie) in a hidden `csrf_token` field. A foreign site
can make the browser send the cookie but can neither read it nor compute the HMAC, so a POST
whose token does not match is refused. Because the token hangs on the cookie rather than on the
login session, the login form itself is protected too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

from fastapi import Request
from starlette.types import Scope

from app.errors import CsrfFailed
from app.i18n import gettext as _

COOKIE_NAME = "lentera_csrf"
FIELD_NAME = "csrf_token"


def _read_cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return None
            morsel = jar.get(COOKIE_NAME)
            if morsel is not None and 20 <= len(morsel.value) <= 100:
                return morsel.value
    return None


def seed_cookie(scope: Scope, *, secure: bool) -> bytes | None:
    """Put the browser's CSRF seed in `scope["state"]["csrf_seed"]` (pages read it from
    `request.state.csrf_seed`); a browser without one gets a new seed, and the Set-Cookie
    header value returned here goes on the response. Static files and the API (no forms,
    no cookies) get none. Called by app.web.edge for every request."""
    if scope["path"].startswith(("/static/", "/api/")):
        return None
    seed = _read_cookie(scope)
    new = seed is None
    if seed is None:
        seed = secrets.token_urlsafe(32)
    scope.setdefault("state", {})["csrf_seed"] = seed
    if not new:
        return None
    cookie = f"{COOKIE_NAME}={seed}; Path=/; HttpOnly; SameSite=Lax"
    if secure:
        cookie += "; Secure"
    return cookie.encode()


def token_for(request: Request) -> str:
    """The value forms must post back in `csrf_token`."""
    seed: str = getattr(request.state, "csrf_seed", "")
    key: str = request.app.state.secret_key
    return hmac.new(key.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


HEADER_NAME = "x-csrf-token"


async def require_csrf(request: Request) -> None:
    """Dependency for every POST route: refuse the request without a matching token.

    Forms send the token as a field; the offline-sync script sends it as the X-CSRF-Token
    header (a cross-site page cannot set custom headers without CORS, which Lentera never
    grants).
    """
    submitted: object = request.headers.get(HEADER_NAME)
    if submitted is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        submitted = form.get(FIELD_NAME)
    if not isinstance(submitted, str) or not hmac.compare_digest(submitted, token_for(request)):
        raise CsrfFailed(
            _(
                "Formulir ini sudah kedaluwarsa atau tidak berasal dari Lentera. "
                "Muat ulang halaman, lalu kirim lagi."
            )
        )
