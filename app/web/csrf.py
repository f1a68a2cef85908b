"""CSRF protection for every state-changing form.

Each browser gets a random, HttpOnly `lentera_csrf` cookie (set by the middleware below on its
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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class CsrfCookieMiddleware:
    """Give every browser a CSRF seed cookie; pages read it from `request.state.csrf_seed`."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(("/static/", "/api/")):
            await self.app(scope, receive, send)
            return
        seed = _read_cookie(scope)
        is_new = seed is None
        if seed is None:
            seed = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_seed"] = seed

        async def send_with_cookie(message: Message) -> None:
            if is_new and message["type"] == "http.response.start":
                cookie = f"{COOKIE_NAME}={seed}; Path=/; HttpOnly; SameSite=Lax"
                if self.secure:
                    cookie += "; Secure"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


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
