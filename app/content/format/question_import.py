"""`lentera content import-questions`: a Moodle GIFT or Aiken file into quiz Markdown."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from app.content.format.aiken import parse_aiken
from app.content.format.gift import parse_gift
from app.content.format.problems import Problem
from app.content.format.quiz_writer import title_from_filename, write_quiz
from app.i18n import gettext as _

Format = Literal["gift", "aiken"]
_GIFT_HINT = re.compile(r"\{[^}]*([=~]|\bT\b|\bF\b|TRUE|FALSE)[^}]*\}|^::", re.MULTILINE)
_AIKEN_HINT = re.compile(r"^ANSWER\s*:\s*[A-Za-z]\s*$", re.MULTILINE | re.IGNORECASE)


def detect_format(path: Path, text: str) -> Format:
    """GIFT for .gift files; otherwise whichever syntax the text shows (GIFT when unclear)."""
    if path.suffix.casefold() == ".gift":
        return "gift"
    if _AIKEN_HINT.search(text) and not _GIFT_HINT.search(text):
        return "aiken"
    return "gift"


def convert_file(path: Path, fmt: Format | None = None) -> tuple[str, list[Problem]]:
    """Quiz Markdown converted from `path`, or "" when no question could be converted.

    Problems name the source file and line of every question that was skipped or changed.
    """
    shown = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        message = _("Berkas ini bukan teks UTF-8. Ekspor ulang dari Moodle, atau simpan ulang.")
        return "", [Problem(shown, None, message, "error")]
    return convert_text(text, shown, title_from_filename(path), fmt or detect_format(path, text))


def convert_text(text: str, shown: str, title: str, fmt: Format) -> tuple[str, list[Problem]]:
    """Quiz Markdown converted from GIFT or Aiken `text` ("" when nothing converted)."""
    parse = parse_gift if fmt == "gift" else parse_aiken
    questions, problems = parse(text, shown)
    if not questions:
        problems.append(
            Problem(
                shown,
                None,
                _("Tidak ada soal yang dapat diubah dari berkas ini (format {fmt}).").format(
                    fmt=fmt.upper()
                ),
                "error",
            )
        )
        return "", problems
    return write_quiz(title, questions), problems
