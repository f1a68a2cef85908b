"""A simulation's situations and choices as written, before any check: what the simulation
parser builds and the checks read."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.content.format.lines import Line


@dataclass
class RawChoice:
    line: int
    label: str
    fields: dict[str, list[Line]] = field(default_factory=dict)  # "akibat" / "umpan balik"
    next: tuple[int, str] | None = None
    rating: tuple[int, str] | None = None  # `Nilai:` (line, value as written)
    current: str | None = None  # the field later lines continue


@dataclass
class RawSituation:
    line: int
    id: str
    text: list[Line] = field(default_factory=list)
    choices: list[RawChoice] = field(default_factory=list)
    title: str = ""
