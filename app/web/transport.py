"""Fewer bytes over a weak mobile connection: validators and compression for every response.

- Pages (GET, 200, text/html) get a weak ETag computed from their body and `Cache-Control:
  private, no-cache`: a phone revisiting an unchanged page gets a body-less 304.
- Text responses are compressed with Brotli when the client accepts it, else gzip. Streaming
  responses (exports) are compressed chunk by chunk, so memory stays flat.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/javascript",
    "application/manifest+json",
    "image/svg+xml",
)
MIN_SIZE = 512  # below this the headers outweigh the saving


def _choose_encoding(accept: str) -> str | None:
    offered = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    if "br" in offered:
        return "br"
    if "gzip" in offered:
        return "gzip"
    return None


class _Compressor:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        # Brotli quality 5 is as fast as gzip -6 and still ~15% smaller on HTML.
        self._br = brotli.Compressor(quality=5) if encoding == "br" else None
        self._gz = zlib.compressobj(6, zlib.DEFLATED, 31) if encoding == "gzip" else None

    def chunk(self, data: bytes, *, final: bool) -> bytes:
        if self._br is not None:
            out = self._br.process(data) + (self._br.finish() if final else self._br.flush())
            return bytes(out)
        assert self._gz is not None
        return self._gz.compress(data) + self._gz.flush(
            zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH
        )


class TransportMiddleware:
    """ETags for pages and Brotli/gzip for text, in one pass over the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        encoding = _choose_encoding(request_headers.get("accept-encoding", ""))
        if_none_match = request_headers.get("if-none-match")
        is_get = scope["method"] in ("GET", "HEAD")
        start: dict[str, Any] = {}
        streaming = False
        compressor: _Compressor | None = None
        buffered: list[bytes] = []

        async def send_wrapper(message: Message) -> None:
            nonlocal compressor, streaming
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body: bytes = message.get("body", b"")
            more = message.get("more_body", False)
            if not streaming and not buffered and more:
                # A streamed response: compress as it flows, never buffer it whole.
                streaming = True
                compressor = self._streaming(MutableHeaders(raw=start["headers"]), encoding)
                await send(start)
            if streaming:
                if compressor is not None:
                    body = compressor.chunk(body, final=not more)
                await send({"type": "http.response.body", "body": body, "more_body": more})
                return
            buffered.append(body)
            if more:
                return
            await self._finish(send, start, b"".join(buffered), encoding, if_none_match, is_get)

        await self.app(scope, receive, send_wrapper)

    def _streaming(self, headers: MutableHeaders, encoding: str | None) -> _Compressor | None:
        content_type = headers.get("content-type", "")
        if encoding is None or "content-encoding" in headers:
            return None
        if not content_type.startswith(COMPRESSIBLE):
            return None
        del headers["content-length"]
        headers["content-encoding"] = encoding
        headers.add_vary_header("Accept-Encoding")
        return _Compressor(encoding)

    async def _finish(
        self,
        send: Send,
        start: dict[str, Any],
        body: bytes,
        encoding: str | None,
        if_none_match: str | None,
        is_get: bool,
    ) -> None:
        headers = MutableHeaders(raw=start["headers"])
        content_type = headers.get("content-type", "")
        if is_get and start["status"] == 200 and content_type.startswith("text/html"):
            etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers["etag"] = etag
            headers.setdefault("cache-control", "private, no-cache")
            if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
                del headers["content-length"]
                start["status"] = 304
                await send(start)
                await send({"type": "http.response.body", "body": b""})
                return
        if (
            encoding is not None
            and len(body) >= MIN_SIZE
            and content_type.startswith(COMPRESSIBLE)
            and "content-encoding" not in headers
        ):
            body = _Compressor(encoding).chunk(body, final=True)
            headers["content-encoding"] = encoding
            headers.add_vary_header("Accept-Encoding")
        headers["content-length"] = str(len(body))
        await send(start)
        await send({"type": "http.response.body", "body": body})
