"""The app's first route: a URL with a NUL byte is answered with a 400 before any route runs.

A NUL byte in a path or query is never legitimate (and databases refuse it). This was a global
FastAPI dependency; it is a route now because app routes are the module routers' own routes
(see `app.main.create_app`), and a route placed first sees every request without adding a
dependency to solve on each of them.
"""

from __future__ import annotations

from typing import Any, NoReturn

from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from app.errors import BadRequest
from app.i18n import gettext as _


def has_nul(scope: Scope) -> bool:
    """True when the request's path or query carries a NUL byte, raw or percent-encoded."""
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope.get("path", "") or b"\x00" in query or b"%00" in query


class NulGuard(BaseRoute):
    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and has_nul(scope):
            return Match.FULL, {}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> NoReturn:
        # Raised inside the router: the app's error handlers render it (page or API JSON).
        raise BadRequest(_("Alamat halaman memuat karakter yang tidak diizinkan."))

    def url_path_for(self, name: str, /, **path_params: Any) -> NoReturn:
        raise NoMatchFound(name, path_params)
