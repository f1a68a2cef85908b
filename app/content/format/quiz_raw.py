"""A quiz question as written, before any check: what the quiz parser builds and the checks read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.content.format.lines import Line


@dataclass
class RawOption:
    line: int
    box: Literal["round", "square"]
    mark: str  # "" (empty), "x", or something else the trainer typed
    text: str
    feedback: list[Line] = field(default_factory=list)  # indented `Umpan balik:` under it


@dataclass
class RawQuestion:
    """A question as written, before any check."""

    line: int
    title: str
    stem: list[Line] = field(default_factory=list)
    options: list[RawOption] = field(default_factory=list)
    answer: tuple[int, str] | None = None
    explanation: list[Line] = field(default_factory=list)
    in_explanation: bool = False
    refused: bool = False  # reported already in a form no further check can help with
