"""Request body limits per route, and the text rules every submitted field must follow.

The size is checked from Content-Length and again while the body streams in (a chunked or
lying client cannot get past it), before any parser reads it. The error travels the app's one
error path, so the person sees the usual 413 page (or JSON for scripts).

Text fields must be UTF-8 without NUL or other control characters (tab, line feed and carriage
return excepted): databases refuse NUL, and control characters are invisible on the pages HR
reads. The rule is the same for urlencoded forms and for the fields sent beside a file in a
multipart form (external learning, roster import, course upload); the file's name is checked
as text too, its content is not. A multipart body is checked as it streams through, by a
parser of its own, so nothing extra is held in memory.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import unquote_to_bytes

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import Message, Receive, Scope

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


# C0 controls but tab, LF and CR; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_text(raw: bytes, decoder: codecs.IncrementalDecoder | None = None) -> None:
    """Refuse a submitted value that is not UTF-8 or holds NUL or other control characters.

    With `decoder`, `raw` is the next piece of a value arriving in pieces (b"" ends it).
    """
    try:
        text = decoder.decode(raw, final=not raw) if decoder else raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInput(
            _("Isian memuat karakter yang tidak terbaca. Ketik ulang isiannya.")
        ) from None
    if _CONTROL.search(text):
        raise MalformedInput(_("Isian memuat karakter yang tidak diizinkan."))


def _check_urlencoded(body: bytes) -> None:
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            check_text(unquote_to_bytes(part.replace(b"+", b" ")))


class _MultipartTextCheck:
    """Checks the text fields of a multipart body chunk by chunk, as the app receives it.

    A body this parser cannot follow is left to the app's own parser, which answers it.
    """

    def __init__(self, content_type: bytes) -> None:
        _kind, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        self.problem: AppError | None = None
        self.parser: MultipartParser | None = None
        if not boundary:
            return
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
            },
        )
        self._name_buf = bytearray()
        self._value_buf = bytearray()
        self._is_file = False
        self._field = codecs.getincrementaldecoder("utf-8")()

    def feed(self, chunk: bytes) -> None:
        """Parse `chunk`; raise MalformedInput once a field breaks the text rules."""
        if self.parser is None or not chunk:
            return
        try:
            self.parser.write(chunk)
        except MalformedInput:
            raise
        except Exception:
            self.parser = None  # malformed multipart: the app's parser says so

    def _part_begin(self) -> None:
        self._is_file = False
        self._field.reset()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._name_buf += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value_buf += data[start:end]

    def _header_end(self) -> None:
        if bytes(self._name_buf).lower() == b"content-disposition":
            _disposition, options = parse_options_header(bytes(self._value_buf))
            check_text(options.get(b"name", b""))
            if b"filename" in options:
                self._is_file = True
                check_text(options[b"filename"])
        self._name_buf.clear()
        self._value_buf.clear()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._is_file and end > start:
            check_text(data[start:end], self._field)

    def _part_end(self) -> None:
        if not self._is_file:
            check_text(b"", self._field)


class BodyLimit:
    """The size and text rules for request bodies; app.web.edge asks it for each request's
    `receive`."""

    def __init__(self, *, upload_limit: int) -> None:
        self.upload_limit = upload_limit

    def limit_for(self, path: str) -> int:
        # Multipart framing adds a little to the file itself.
        return self.upload_limit + 64 * 1024 if UPLOAD_PATHS.match(path) else FORM_LIMIT

    async def receive_for(self, scope: Scope, receive: Receive) -> Receive:
        """The `receive` the app gets: the body checked as the rules say (a GET's as it is).

        A form body is read here, whole, before the app starts; a refusal is raised when the
        app reads the body, so the app's error page answers it."""
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return receive
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
        if content_type.startswith(b"multipart/form-data"):
            fields = _MultipartTextCheck(content_type)

            async def checked_receive() -> Message:
                message = await limited_receive()
                if message["type"] == "http.request":
                    fields.feed(message.get("body", b""))
                return message

            return checked_receive
        if not content_type.startswith(b"application/x-www-form-urlencoded"):
            return limited_receive
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

        return replay
