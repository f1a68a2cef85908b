"""Static files with fingerprinted names, so browsers may cache them for a year.

`lentera.css` is served as `/static/lentera.<hash>.css` with `Cache-Control: immutable`; when the
file changes its name changes, so a phone never needs to revalidate it. The files are small and
read once at start-up.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
TYPES = {".webmanifest": "application/manifest+json", ".js": "application/javascript"}


@dataclass(frozen=True)
class _Asset:
    data: bytes
    content_type: str
    etag: str


class StaticAssets:
    """An ASGI app serving a folder's files under fingerprinted names (and their plain names)."""

    def __init__(self, directory: Path) -> None:
        self._by_name: dict[str, tuple[_Asset, bool]] = {}
        self._urls: dict[str, str] = {}
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            name = path.relative_to(directory).as_posix()
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            content_type = TYPES.get(path.suffix) or (
                mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            )
            if content_type.startswith("text/") or content_type.endswith(("javascript", "json")):
                content_type += "; charset=utf-8"
            asset = _Asset(data, content_type, f'"{digest[:32]}"')
            stem, dot, suffix = name.rpartition(".")
            hashed = f"{stem}.{digest[:10]}.{suffix}" if dot else f"{name}.{digest[:10]}"
            self._by_name[hashed] = (asset, True)
            self._by_name[name] = (asset, False)
            self._urls[name] = f"/static/{hashed}"

    def url(self, name: str) -> str:
        """The fingerprinted URL of a static file (KeyError for a file that does not exist)."""
        return self._urls[name]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"].removeprefix(scope.get("root_path", "")).removeprefix("/static")
        found = self._by_name.get(path.lstrip("/"))
        response: Response
        if found is None or scope["method"] not in ("GET", "HEAD"):
            response = PlainTextResponse("Not Found", status_code=404)
        else:
            asset, immutable = found
            headers = {
                "ETag": asset.etag,
                # Plain names (e.g. the service worker, the manifest) must revalidate.
                "Cache-Control": IMMUTABLE if immutable else "public, max-age=0, must-revalidate",
                "X-Content-Type-Options": "nosniff",
            }
            inm = next((v for k, v in scope["headers"] if k == b"if-none-match"), b"").decode()
            if inm == asset.etag:
                response = Response(status_code=304, headers=headers)
            else:
                response = Response(asset.data, media_type=asset.content_type, headers=headers)
        await response(scope, receive, send)
