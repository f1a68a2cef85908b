"""The content-format guide for trainers, served inside Lentera at /pengajar/panduan.

The guide's one source is `docs/content-format.md` (written in Indonesian for trainers). A
trainer who only uses the web cannot open a file in the repository, so the page renders that
file: from the source checkout, or, in an installed package (the Docker image), from the copy
the Dockerfile puts into `app/content/guide/`. It is rendered once per file change (keyed by
modification time) and passed through the same sanitiser as course modules.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt

from app.content.format.markdown import use_table_boxes
from app.content.format.sanitize import sanitize_html

GUIDE_PATHS = (
    Path(__file__).resolve().parents[2] / "docs" / "content-format.md",  # a source checkout
    Path(__file__).resolve().parent / "guide" / "content-format.md",  # an installed package
)


@lru_cache(maxsize=4)
def _render(path: str, mtime_ns: int) -> str:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    use_table_boxes(md)  # the same scrollable table boxes as course modules
    text = Path(path).read_text(encoding="utf-8")
    return sanitize_html(md.render(text))


def guide_html(paths: tuple[Path, ...] = GUIDE_PATHS) -> str | None:
    """The guide as safe HTML, or None when no copy of the file is installed."""
    for path in paths:
        try:
            mtime_ns = path.stat().st_mtime_ns
        except OSError:
            continue
        return _render(str(path), mtime_ns)
    return None
