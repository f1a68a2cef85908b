"""What Lentera does around every HTTP request, in one ASGI layer.

On the way in: the request id and language (app.observability), the browser's CSRF seed
(app.web.csrf) and the request body's size and text rules (app.web.body_limit). On the way
out: the CSRF cookie, the security headers (app.web.security_headers), ETag and compression
(app.web.transport), the request id header, then the access log line and the metrics.

Each rule stays in its own module; this layer only calls them in order. It replaced five
middlewares, one per rule: each wrapped `send` in a closure of its own, so every response
message went through five extra coroutine calls, and the stack of them was about a tenth of
a learner page's server time (docs/benchmarks.md, round five).
"""

from __future__ import annotations

import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import observability
from app.metrics import Metrics
from app.web import csrf, security_headers
from app.web.body_limit import BodyLimit
from app.web.transport import ResponseShaper


class EdgeMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        default_locale: str,
        https: bool,
        upload_limit: int,
        metrics: Metrics | None = None,
    ) -> None:
        self.app = app
        self.default_locale = default_locale
        # HTTPS configured: the cookie is Secure and HSTS goes on every response; otherwise
        # HSTS only on requests that arrived over HTTPS (behind a proxy that says so).
        self.https = https
        self.body_limit = BodyLimit(upload_limit=upload_limit)
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = observability.begin_request(scope, self.default_locale)
        set_cookie = csrf.seed_cookie(scope, secure=self.https)
        path: str = scope["path"]
        over_https = self.https or scope.get("scheme") == "https"
        accept_encoding = ""
        if_none_match: str | None = None
        for name, value in scope["headers"]:
            if name == b"accept-encoding" and not accept_encoding:
                accept_encoding = value.decode("latin-1")
            elif name == b"if-none-match" and if_none_match is None:
                if_none_match = value.decode("latin-1")
        status = 500
        request_id_header = (b"x-request-id", request_id.encode())

        async def emit(message: Message) -> None:
            # The response as it leaves, after the shaper (a 304 is seen here as a 304).
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"].append(request_id_header)
            await send(message)

        shaper = ResponseShaper(
            scope, emit, accept_encoding=accept_encoding, if_none_match=if_none_match
        )

        async def respond(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message["headers"] = list(message.get("headers", ()))
                if set_cookie is not None:
                    raw.append((b"set-cookie", set_cookie))
                security_headers.apply(MutableHeaders(raw=raw), path=path, over_https=over_https)
            await shaper.send(message)

        try:
            app_receive = await self.body_limit.receive_for(scope, receive)
            await self.app(scope, app_receive, respond)
        finally:
            seconds = time.perf_counter() - started
            observability.log_request(scope, request_id, status, seconds)
            if self.metrics is not None:
                self.metrics.observe(scope, status, seconds)
