"""Build small courses in a temporary folder from strings, and find problems in the result."""

from __future__ import annotations

import struct
import textwrap
import zlib
from pathlib import Path

from app.content.format.loader import CourseLoad, load_course
from app.content.format.problems import Problem

FOLDER = "kursus-uji"

COURSE_YAML = """\
kode: TST-101
judul: Kursus Uji
ringkasan: Kursus kecil untuk pengujian.
kategori: teknis
jp: 1
tingkat: dasar
penulis:
  - Penguji
versi: "1.0"
nilai_lulus: 70
nilai_dihitung: terbaik
prasyarat: []
"""

BODY = (
    "Modul ini menjelaskan dasar pelayanan kepada warga dengan bahasa yang jelas, ramah, dan "
    "tepat waktu, supaya setiap warga pulang membawa kepastian tentang langkah berikutnya "
    "yang harus ditempuh di kantor layanan."
)

MODULE = f"""\
---
judul: Pengantar
menit: 10
jenis: bacaan
---

{BODY}
"""

FINAL_TEST = """\
---
judul: Tes Akhir
---

## Apa ibu kota Sulawesi Tengah?
- (x) Palu
- ( ) Donggala
- ( ) Poso

> Penjelasan: Palu adalah ibu kota provinsi.
"""


def dedent(text: str) -> str:
    """Source text written indented in a test, with its first newline dropped."""
    return textwrap.dedent(text).lstrip("\n")


def make_course(
    root: Path, files: dict[str, str | bytes | None] | None = None, folder: str = FOLDER
) -> Path:
    """A valid course folder under `root`; `files` adds, replaces (or with None, removes) files."""
    course = root / folder
    course.mkdir(parents=True, exist_ok=True)
    contents: dict[str, str | bytes | None] = {
        "kursus.yaml": COURSE_YAML,
        "01-pengantar.md": MODULE,
        "tes-akhir.md": FINAL_TEST,
    }
    contents.update(files or {})
    for name, content in contents.items():
        path = course / name
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return course


def load(root: Path, files: dict[str, str | bytes | None] | None = None) -> CourseLoad:
    """Build a course (see `make_course`) and load it."""
    return load_course(make_course(root, files), root)


def module(body: str, *, kind: str = "bacaan", title: str = "Modul Uji") -> str:
    """A module file: front matter (5 lines, so the body starts at line 7) and `body`."""
    return f"---\njudul: {title}\nmenit: 10\njenis: {kind}\n---\n\n{dedent(body)}"


def quiz(body: str, meta: str = "") -> str:
    """A quiz file whose first body line is line 4 (+1 per line of `meta`)."""
    return f"---\njudul: Kuis Uji\n{meta}---\n{dedent(body)}"


def find(problems: list[Problem], fragment: str) -> Problem:
    """The one problem whose message contains `fragment` (fails with the full list otherwise)."""
    matches = [p for p in problems if fragment in p.message]
    listing = "\n".join(str(p) for p in problems)
    assert len(matches) == 1, f"{len(matches)} problems contain {fragment!r}:\n{listing}"
    return matches[0]


def assert_problem(
    result: CourseLoad,
    fragment: str,
    line: int | None,
    *,
    file: str | None = None,
    severity: str = "error",
) -> Problem:
    """Exactly one problem says `fragment`, at `line` of `file`, with `severity`."""
    problem = find(result.problems, fragment)
    assert (problem.line, problem.severity) == (line, severity), str(problem)
    if file is not None:
        assert problem.path == f"{FOLDER}/{file}", str(problem)
    if severity == "error":
        assert result.course is None
    return problem


def errors(result: CourseLoad) -> list[str]:
    return [str(p) for p in result.problems if p.is_error]


def png(width: int, height: int) -> bytes:
    """A valid PNG of the given size (one grey pixel row repeated), for image tests."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
