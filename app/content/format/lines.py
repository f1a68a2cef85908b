"""Line-level structure of a Markdown body: which lines are inside code fences, and headings.

The quiz and simulation parsers work line by line (so every problem has its line number) and
must not mistake a `## ` inside a fenced code example for a question or a situation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")


@dataclass(frozen=True)
class Line:
    number: int  # line in the file
    text: str
    fenced: bool  # inside (or opening/closing) a fenced code block

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def body_lines(body: str, first_line: int) -> list[Line]:
    """The body's lines with their file line numbers and fence state."""
    result: list[Line] = []
    fence: str | None = None
    for offset, text in enumerate(body.split("\n")):
        match = _FENCE.match(text)
        if fence is None and match:
            fence = match.group(1)
            result.append(Line(first_line + offset, text, True))
            continue
        if fence is not None:
            closes = match is not None and match.group(1)[0] == fence[0]
            closes = closes and match is not None and len(match.group(1)) >= len(fence)
            result.append(Line(first_line + offset, text, True))
            if closes:
                fence = None
            continue
        result.append(Line(first_line + offset, text, False))
    return result


def heading(line: Line) -> tuple[int, str] | None:
    """(level, text) when the line is an ATX heading outside a code fence."""
    if line.fenced:
        return None
    match = _HEADING.match(line.text)
    if match is None:
        return None
    return len(match.group(1)), (match.group(2) or "").strip()


def join_text(lines: list[Line]) -> str:
    """The lines' text as one Markdown string (line numbers stay those of `lines[0]` on)."""
    return "\n".join(line.text for line in lines)
