"""Reading py-spy's collapsed stacks: where a request's CPU time goes.

`py-spy record --format raw` writes one line per distinct stack, `frame;frame;... count`, each
frame `function (file:line)`. `summarise` turns that into the shares that matter here: time in
each layer (leaf frame's package), and inclusive time in the functions Lentera's hot paths
are made of.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]*)(?::\d+)?\)$")

# Leaf-frame layers, by path fragment (first match wins).
LAYERS = (
    ("sqlite3 driver", ("sqlite3/",)),
    ("psycopg driver", ("psycopg/", "psycopg_binary", "psycopg_pool")),
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("Jinja2 templates", ("jinja2/", "templates/", "<template>")),
    ("compression / ETag", ("brotli", "zlib", "hashlib", "app/web/transport.py")),
    ("logging / JSON", ("logging/", "json/", "app/observability.py")),
    ("pydantic", ("pydantic",)),
    ("FastAPI / Starlette", ("fastapi/", "starlette/")),
    ("uvicorn / h11 / asyncio", ("uvicorn/", "h11/", "asyncio/", "selectors.py", "anyio/")),
    ("threads / queue", ("threading.py", "concurrent/", "queue.py")),
    ("Lentera app code", ("app/",)),
)

# Inclusive time in these functions (matched on `function (file` fragments).
MARKERS = {
    "session lookup (resolve_session)": "resolve_session (",
    "catalogue / generation check": "catalog (",
    "course_progress": "course_progress (",
    "is_enrolled": "is_enrolled (",
    "record_open / complete_module": "complete_module (",
    "try_complete": "try_complete (",
    "template rendering (render)": "render (",
    "transport middleware (ETag + compression)": "_finish (",
    "request log line": "access_log",
    "commit": "commit (",
    "connection checkout / pool": "_checkout (",
}


def py_spy() -> str | None:
    """The py-spy binary: in this virtualenv, else on PATH."""
    local = Path(sys.executable).parent / "py-spy"
    return str(local) if local.exists() else shutil.which("py-spy")


def _layer(frame: str) -> str:
    for name, fragments in LAYERS:
        if any(fragment in frame for fragment in fragments):
            return name
    return "other (Python runtime, stdlib)"


def summarise(stacks: str, *, path: str = "", top: int = 12) -> dict[str, Any]:
    """Layers (by leaf frame), marker functions (inclusive) and the top self-time frames."""
    total = 0
    layers: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    markers: Counter[str] = Counter()
    app_inclusive: Counter[str] = Counter()
    for line in stacks.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        # Idle worker threads waiting for work are not request time.
        leaf = frames[-1]
        if any(
            idle in leaf for idle in ("wait (threading.py", "select (selectors.py", "_worker (")
        ):
            continue
        total += count
        layers[_layer(leaf)] += count
        leaves[_short(leaf)] += count
        joined = stack
        for label, fragment in MARKERS.items():
            if fragment in joined and (label != "request log line" or "observability" in joined):
                markers[label] += count
        seen: set[str] = set()
        for frame in frames:
            if "/app/" in frame or frame.startswith("app/") or "(app/" in frame:
                short = _short(frame)
                if short not in seen:
                    seen.add(short)
                    app_inclusive[short] += count

    def share(counter: Counter[str], n: int | None = None) -> list[tuple[str, float]]:
        return [(k, round(100 * v / total, 1)) for k, v in counter.most_common(n)] if total else []

    return {
        "samples": total,
        "file": path,
        "layers": share(layers),
        "markers": share(markers),
        "top_self": share(leaves, top),
        "top_app_inclusive": share(app_inclusive, top),
    }


def _short(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip()[:100]
    file = match.group("file")
    for anchor in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if anchor in file:
            file = file.split(anchor, 1)[1]
    return f"{match.group('func')} ({file})"
