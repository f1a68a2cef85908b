"""Images and attachments: which files are allowed, how big, how wide, and whether SVG is safe."""

from __future__ import annotations

import re
from pathlib import Path

import imagesize  # type: ignore[import-untyped]

from app.content.format.problems import ProblemLog
from app.i18n import gettext as _

IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "webp", "svg", "gif"})
ATTACHMENT_TYPES = frozenset({"pdf"})
ALLOWED_TYPES = IMAGE_TYPES | ATTACHMENT_TYPES
MB = 1024 * 1024
IMAGE_LIMIT = 5 * MB
ATTACHMENT_LIMIT = 20 * MB

# An SVG opened on its own (its /berkas/ URL) runs in Lentera's origin, so anything that can
# execute there is refused even though <img> would not run it.
_SVG_DANGER = re.compile(
    r"<\s*(script|foreignobject|iframe|embed|object)\b|\son[a-z]+\s*=|javascript\s*:",
    re.IGNORECASE,
)
_SVG_ROOT = re.compile(r"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_SVG_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$")


def file_type(path: str | Path) -> str:
    """The lower-case extension without the dot ("" when there is none)."""
    suffix = Path(path).suffix
    return suffix[1:].casefold() if suffix else ""


def check_asset_file(path: Path, shown: str, problems: ProblemLog) -> bool:
    """Check type, size and (for SVG) safety of one file; True when it may be served."""
    kind = file_type(path)
    if kind not in ALLOWED_TYPES:
        problems.error(
            shown,
            None,
            _(
                "Jenis berkas .{kind} tidak didukung. Gambar harus png, jpg, jpeg, webp, svg, "
                "atau gif; lampiran harus pdf. Simpan ulang dalam salah satu format itu."
            ).format(kind=kind or "?"),
        )
        return False
    size = path.stat().st_size
    limit = IMAGE_LIMIT if kind in IMAGE_TYPES else ATTACHMENT_LIMIT
    if size > limit:
        problems.error(
            shown,
            None,
            _(
                "Berkas ini {size:.1f} MB, melebihi batas {limit} MB. Perkecil ukurannya, "
                "misalnya kecilkan resolusi gambar atau kompres PDF-nya."
            ).format(size=size / MB, limit=limit // MB),
        )
        return False
    if kind == "svg" and _SVG_DANGER.search(path.read_text(encoding="utf-8", errors="replace")):
        problems.error(
            shown,
            None,
            _(
                "Gambar SVG ini memuat skrip atau atribut on...= yang dapat dijalankan browser. "
                "Ekspor ulang gambar tanpa skrip atau interaktivitas (misalnya 'Plain SVG' di "
                "Inkscape)."
            ),
        )
        return False
    return True


def image_size(path: Path) -> tuple[int, int] | None:
    """Width and height in CSS pixels, or None when the file does not say."""
    if file_type(path) == "svg":
        return _svg_size(path.read_text(encoding="utf-8", errors="replace"))
    width, height = imagesize.get(str(path))
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        return width, height
    return None


def _svg_size(text: str) -> tuple[int, int] | None:
    root = _SVG_ROOT.search(text)
    if root is None:
        return None
    attrs = dict(re.findall(r"""([\w:-]+)\s*=\s*["']([^"']*)["']""", root.group(0)))
    width, height = _svg_length(attrs.get("width")), _svg_length(attrs.get("height"))
    if width and height:
        return width, height
    numbers = re.split(r"[\s,]+", attrs.get("viewBox", "").strip())
    try:
        box_width, box_height = float(numbers[2]), float(numbers[3])
    except (IndexError, ValueError):
        return None
    if box_width <= 0 or box_height <= 0:
        return None
    if width:  # one side given: keep the viewBox's proportions
        return width, round(width * box_height / box_width)
    if height:
        return round(height * box_width / box_height), height
    return round(box_width), round(box_height)


def _svg_length(value: str | None) -> int | None:
    # Percentages and physical units do not give a pixel size for the width/height attributes.
    match = _SVG_LENGTH.match(value or "")
    return round(float(match.group(1))) if match and float(match.group(1)) > 0 else None
