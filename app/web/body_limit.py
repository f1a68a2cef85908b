"""Request body limits per route: small for forms, the upload limit only where files go.

The size is checked from Content-Length and again while the body streams in (a chunked or
lying client cannot get past it), before any parser reads it. The error travels the app's one
error path, so the person sees the usual 413 page (or JSON for scripts).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import AppError
from app.i18n import gettext as _

FORM_LIMIT = 256 * 1024
# Routes that accept files: roster import, course and module upload, external certificates.
UPLOAD_PATHS = re.compile(
    r"^/(pegawai/impor|pengajar/unggah|pengajar/kursus/[^/]+/modul|riwayat/eksternal)$"
)


class PayloadTooLarge(AppError):
    status_code = 413


class MalformedInput(AppError):
    status_code = 400


def _check_urlencoded(body: bytes) -> None:
    """Refuse form data that is not UTF-8 or carries NUL bytes (databases reject those)."""
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            raw = unquote_to_bytes(part.replace(b"+", b" "))
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedInput(
                    _("Isian memuat karakter yang tidak terbaca. Ketik ulang isiannya.")
                ) from None
            if "\x00" in text:
                raise MalformedInput(_("Isian memuat karakter yang tidak diizinkan."))


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, upload_limit: int) -> None:
        self.app = app
        self.upload_limit = upload_limit

    def limit_for(self, path: str) -> int:
        # Multipart framing adds a little to the file itself.
        return self.upload_limit + 64 * 1024 if UPLOAD_PATHS.match(path) else FORM_LIMIT

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
        too_big = declared.isdigit() and int(declared) > limit
        received = 0

        def refuse() -> PayloadTooLarge:
            return PayloadTooLarge(
                _("Isian atau berkas terlalu besar (batas {kb} KB untuk halaman ini).").format(
                    kb=limit // 1024
                )
            )

        async def limited_receive() -> Message:
            nonlocal received
            if too_big:
                raise refuse()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise refuse()
            return message

        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
        if not content_type.startswith(b"application/x-www-form-urlencoded"):
            await self.app(scope, limited_receive, send)
            return
        # A form is small (FORM_LIMIT): read it whole, check it, then hand it on unchanged.
        chunks = []
        problem: AppError | None = None
        try:
            while True:
                message = await limited_receive()
                chunks.append(message.get("body", b""))
                if message["type"] != "http.request" or not message.get("more_body", False):
                    break
            _check_urlencoded(b"".join(chunks))
        except AppError as exc:
            problem = exc  # raised when the app reads the body, so its error page answers
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if problem is not None:
                raise problem
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
