"""Structured logs: one JSON line per request, with a request id, the status and the duration.

Paths are logged as their route template (`/pegawai/{nip}`), never as requested: a path can
carry personal data (an NIP, a one-time token, a certificate number), and logs outlive the
anonymisation of the person. A path no route matched (a 404) is logged with every run of six
or more digits masked, and so is any `path` field other loggers pass (errors, warnings).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from typing import Any

from starlette.routing import Mount
from starlette.types import Scope

from app import i18n

access_log = logging.getLogger("lentera.access")

# An NIP is 18 digits; certificate numbers and ids are shorter. Six digits already narrow a
# birth date down, so every longer run goes.
_DIGIT_RUN = re.compile(r"\d{6,}")


def mask_numbers(path: str) -> str:
    """`path` with every run of six or more digits replaced by `{angka}`."""
    return _DIGIT_RUN.sub("{angka}", path)


def loggable_path(scope: Scope) -> str:
    """What the access log records for a request's path: its route template when one matched."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str) and template and not isinstance(route, Mount):
        return template
    # Unmatched, or a mounted app (static files) whose template is only its prefix.
    return mask_numbers(str(scope.get("path", "")))


class JsonFormatter(logging.Formatter):
    """Render records as single-line JSON, carrying any `extra` fields given."""

    _skip = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in self._skip:
                payload[key] = (
                    mask_numbers(value) if key == "path" and isinstance(value, str) else value
                )
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


def configure_logging(level: str) -> None:
    """Send Lentera's logs to stderr as JSON lines (once per process)."""
    root = logging.getLogger("lentera")
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def _cookie_value(scope: Scope, name: str) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for key, value in headers:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


def begin_request(scope: Scope, default_locale: str) -> str:
    """Give the request its id (returned, and in `request.state.request_id`) and choose its
    language. Called by app.web.edge as each request arrives.

    The language is chosen there, in the event loop's context, so the thread that runs a sync
    route inherits it (a contextvar set inside a sync dependency would not leak out)."""
    request_id = secrets.token_hex(8)
    scope.setdefault("state", {})["request_id"] = request_id
    i18n.set_locale(_cookie_value(scope, "lentera_lang") or default_locale)
    return request_id


def log_request(scope: Scope, request_id: str, status: int, seconds: float) -> None:
    """The access log's line for a finished request (a request whose app failed is logged
    with status 500)."""
    user = scope.get("state", {}).get("user")
    access_log.info(
        "request",
        extra={
            "request_id": request_id,
            "method": scope["method"],
            "path": loggable_path(scope),
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "user_id": getattr(user, "id", None),
        },
    )
