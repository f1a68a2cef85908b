"""Callouts: a blockquote whose first line is `[!CONTOH]`, `[!PENTING]` or `[!TIPS]`.

Runs as a core rule between block and inline parsing, so it edits the paragraph's source text
(dropping the marker line, even when the text goes on in the same paragraph) before inline
Markdown is parsed, and turns the blockquote into an `<aside>` with a title paragraph.
"""

from __future__ import annotations

import difflib
import re

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from app.content.format.render_context import block_line, context_of
from app.i18n import gettext as _

CALLOUTS = {"contoh": "Contoh", "penting": "Penting", "tips": "Tips"}
_MARKER = re.compile(r"^\[!([A-Za-z]+)\](?=\s|$)[ \t]*(.*)$")


def callout_rule(state: StateCore) -> None:
    """Turn marked blockquotes into callouts; warn about markers that are not known."""
    ctx, first_line = context_of(state)
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        if not _starts_with_paragraph(tokens, index):
            index += 1
            continue
        inline = tokens[index + 2]
        first, _newline, rest = inline.content.partition("\n")
        match = _MARKER.match(first.strip())
        if match is None:
            index += 1
            continue
        kind, same_line_text = match.group(1).casefold(), match.group(2)
        line = block_line(inline, first_line)
        if kind not in CALLOUTS:
            guess = difflib.get_close_matches(kind, list(CALLOUTS), n=1, cutoff=0.5)
            hint = (
                _(" Mungkin maksud Anda [!{guess}]?").format(guess=guess[0].upper())
                if guess
                else ""
            )
            ctx.problems.warning(
                ctx.path,
                line,
                _(
                    "Penanda kotak sorotan [!{marker}] tidak dikenal, jadi kotak ini tampil "
                    "sebagai kutipan biasa. Gunakan [!CONTOH], [!PENTING], atau [!TIPS].{hint}"
                ).format(marker=match.group(1), hint=hint),
            )
            index += 1
            continue
        _make_aside(tokens, index, kind)
        if same_line_text:
            inline.content = same_line_text + ("\n" + rest if rest else "")
        else:
            inline.content = rest
            inline.meta["line_shift"] = int(inline.meta.get("line_shift", 0)) + 1
        if not inline.content.strip():
            del tokens[index + 1 : index + 4]  # the paragraph held only the marker
            if tokens[index + 1].type == "blockquote_close":
                ctx.problems.warning(
                    ctx.path,
                    line,
                    _("Kotak sorotan ini kosong. Tulis isinya di baris berikutnya, diawali >."),
                )
        tokens[index + 1 : index + 1] = _title(CALLOUTS[kind], inline)
        index += 1


def _starts_with_paragraph(tokens: list[Token], index: int) -> bool:
    return (
        tokens[index].type == "blockquote_open"
        and index + 3 < len(tokens)
        and tokens[index + 1].type == "paragraph_open"
        and tokens[index + 2].type == "inline"
    )


def _make_aside(tokens: list[Token], index: int, kind: str) -> None:
    opening = tokens[index]
    opening.tag = "aside"
    opening.attrSet("class", f"callout callout-{kind}")
    opening.attrSet("role", "note")
    depth = 0
    for token in tokens[index:]:
        if token.type == "blockquote_open":
            depth += 1
        elif token.type == "blockquote_close":
            depth -= 1
            if depth == 0:
                token.tag = "aside"
                return


def _title(text: str, near: Token) -> list[Token]:
    opening = Token("paragraph_open", "p", 1)
    opening.attrSet("class", "callout-title")
    opening.block = True
    inline = Token("inline", "", 0)
    inline.content = text
    inline.map = near.map
    inline.children = []
    closing = Token("paragraph_close", "p", -1)
    closing.block = True
    return [opening, inline, closing]
