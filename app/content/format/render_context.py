"""What the Markdown rules share while rendering one page: the context and the line helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from app.content.format.problems import ProblemLog
from app.content.format.specs import TocEntry
from app.content.format.urls import LinkResolver

ENV_KEY = "lentera"


@dataclass(frozen=True)
class LinkUse:
    """A link with an anchor, checked once every page of the course is rendered."""

    module: str | None  # target module slug; None: this page
    anchor: str
    line: int


@dataclass
class RenderContext:
    """One page being rendered: where problems go and what the page contains."""

    path: str
    problems: ProblemLog
    resolver: LinkResolver
    ids: set[str] = field(default_factory=set)  # heading ids used so far on this page
    toc: list[TocEntry] = field(default_factory=list)
    anchor_links: list[LinkUse] = field(default_factory=list)
    assets: set[str] = field(default_factory=set)


def context_of(state: StateCore) -> tuple[RenderContext, int]:
    """The page context and the file line of the rendered text's first line."""
    ctx, first_line = state.env[ENV_KEY]
    assert isinstance(ctx, RenderContext)
    return ctx, int(first_line)


def block_line(token: Token, first_line: int) -> int:
    """The file line where a block token (or an inline token's block) starts."""
    start = token.map[0] if token.map else 0
    return first_line + start + int(token.meta.get("line_shift", 0))
