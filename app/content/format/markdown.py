"""Markdown to safe HTML for course pages: CommonMark, tables, footnotes, callouts, anchors.

Rendering happens once per content version, at load time, and is deterministic (same source,
same HTML), so hashes and caches built on it stay valid. Each call reports its problems with
the file line, and collects what the loader checks afterwards (anchors, links, assets).
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from app.content.format.callouts import callout_rule
from app.content.format.render_context import (
    ENV_KEY,
    LinkUse,
    RenderContext,
    block_line,
    context_of,
)
from app.content.format.sanitize import sanitize_html
from app.content.format.specs import TocEntry
from app.i18n import gettext as _

_RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")


class _Markdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        # Every destination goes to the resolver, which explains to the trainer why a
        # javascript: or data: URL is refused instead of silently printing it as text.
        return True


@cache
def _parser() -> MarkdownIt:
    md = _Markdown("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.core.ruler.after("block", "lentera_callouts", callout_rule)
    md.core.ruler.push("lentera_links", _links_rule)
    md.core.ruler.push("lentera_headings", _headings_rule)
    use_table_boxes(md)
    md.add_render_rule("image", _image_render)
    return md


def use_table_boxes(md: MarkdownIt) -> None:
    """Render every table of `md` in its scrollable, keyboard-reachable box (see below)."""
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)


# A wide table scrolls sideways on a phone inside its own box; the box must be focusable and
# named, or keyboard users cannot scroll it (WCAG 2.1.1, axe "scrollable-region-focusable").
_TABLE_BOX = '<div class="table-wrap" role="region" tabindex="0" aria-label="Tabel">'
# Tables of three columns or more may not fit a phone: a line above says they scroll (shown on
# narrow screens only, by CSS). Fixed Indonesian, like the box's name: rendered HTML is stored
# once per version, whatever the reader's interface language.
_TABLE_HINT = '<p class="table-hint">Geser tabel ke samping untuk melihat semua kolom.</p>'


def _table_open(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    columns = 0
    for token in tokens[idx + 1 :]:
        if token.type == "tr_close":
            break
        columns += token.type == "th_open"
    hint = _TABLE_HINT if columns >= 3 else ""
    return hint + _TABLE_BOX + str(self.renderToken(tokens, idx, options, env))


def _image_render(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    """An image opens full size when tapped (a diagram's labels are small on a phone), unless
    the author already made it a link."""
    image = str(self.image(tokens, idx, options, env))
    depth = sum((t.type == "link_open") - (t.type == "link_close") for t in tokens[:idx])
    src = tokens[idx].attrGet("src")
    if depth > 0 or not src:
        return image
    return f'<a class="image-link" href="{html_lib.escape(str(src))}">{image}</a>'


def _table_close(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    return str(self.renderToken(tokens, idx, options, env)) + "</div>"


def render_block(text: str, first_line: int, ctx: RenderContext) -> str:
    """Render Markdown blocks; `first_line` is the file line of the text's first line."""
    md = _parser()
    env: dict[str, Any] = {ENV_KEY: (ctx, first_line)}
    tokens = md.parse(text, env)
    return sanitize_html(md.renderer.render(tokens, md.options, env))


def render_inline(text: str, line: int, ctx: RenderContext) -> str:
    """Render one line of inline Markdown (an option, a label), without a paragraph."""
    md = _parser()
    env: dict[str, Any] = {ENV_KEY: (ctx, line)}
    tokens = md.parseInline(text, env)
    return sanitize_html(md.renderer.render(tokens, md.options, env))


def plain_text(html: str) -> str:
    """The visible text of rendered HTML, for word counts and labels."""
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html))


def word_count(html: str) -> int:
    """Words a learner reads in rendered HTML."""
    return len(re.findall(r"\w+", plain_text(html)))


def slugify(text: str) -> str:
    """An anchor id from heading text: lower-case ASCII words joined by dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-") or "bagian"


def _headings_rule(state: StateCore) -> None:
    ctx, first_line = context_of(state)
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type in ("th_open", "td_open"):
            align = re.search(r"text-align:(left|center|right)", str(token.attrs.pop("style", "")))
            if align:
                token.attrSet("class", f"align-{align.group(1)}")
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        text = _inline_text(tokens[index + 1])
        anchor = base = slugify(text)
        suffix = 2
        while anchor in ctx.ids:
            anchor, suffix = f"{base}-{suffix}", suffix + 1
        ctx.ids.add(anchor)
        token.attrSet("id", anchor)
        level = int(token.tag[1])
        if level in (2, 3):
            ctx.toc.append(TocEntry(level, anchor, text))
        elif level == 1:
            ctx.problems.warning(
                ctx.path,
                block_line(token, first_line),
                _(
                    "Judul # tidak dipakai di isi materi: halaman sudah menampilkan judul dari "
                    "kepala berkas. Mulai bagian dengan ## (dan subbagian dengan ###)."
                ),
            )


def _inline_text(token: Token) -> str:
    parts = [c.content for c in token.children or [] if c.type in ("text", "code_inline")]
    return " ".join("".join(parts).split())


def _links_rule(state: StateCore) -> None:
    ctx, first_line = context_of(state)
    for token in state.tokens:
        if token.type == "inline":
            _inline_links(token, block_line(token, first_line), ctx)


def _inline_links(parent: Token, line: int, ctx: RenderContext) -> None:
    children = parent.children or []
    for index, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            _link(child, children, index, line, ctx)
        elif child.type == "image":
            _image(child, line, ctx)
        elif child.type == "text":
            _text_checks(child.content, line, ctx)


def _link(token: Token, children: list[Token], index: int, line: int, ctx: RenderContext) -> None:
    target = ctx.resolver.resolve(str(token.attrGet("href") or ""))
    closing = next((c for c in children[index + 1 :] if c.type == "link_close"), None)
    if closing is children[index + 1] and token.markup != "autolink":
        ctx.problems.warning(
            ctx.path, line, _("Teks tautan kosong: tulis teksnya di antara [ dan ].")
        )
    if target.url is None:
        ctx.problems.error(ctx.path, line, target.error or "")
        # Keep the words, drop the link; the course does not load anyway until it is fixed.
        token.attrs.pop("href", None)
        return
    token.attrSet("href", target.url)
    if target.external:
        token.attrSet("rel", "noopener noreferrer")
    if target.asset:
        ctx.assets.add(target.asset)
    if target.anchor and (target.same_page or target.module):
        ctx.anchor_links.append(LinkUse(target.module, target.anchor, line))


def _image(token: Token, line: int, ctx: RenderContext) -> None:
    alt = "".join(c.content for c in token.children or []).strip()
    if not alt:
        ctx.problems.warning(
            ctx.path,
            line,
            _(
                "Gambar tanpa teks alternatif. Tulis di antara ![ dan ] apa yang disampaikan "
                "gambar, untuk peserta yang memakai pembaca layar."
            ),
        )
    target = ctx.resolver.resolve(str(token.attrGet("src") or ""), image=True)
    if target.url is None:
        ctx.problems.error(ctx.path, line, target.error or "")
        token.type, token.tag, token.content, token.children = "text", "", alt, None
        return
    token.attrSet("src", target.url)
    token.attrSet("loading", "lazy")
    token.attrSet("decoding", "async")
    if target.size:
        token.attrSet("width", str(target.size[0]))
        token.attrSet("height", str(target.size[1]))
    if target.asset:
        ctx.assets.add(target.asset)


def _text_checks(text: str, line: int, ctx: RenderContext) -> None:
    raw = _RAW_HTML.search(text)
    if raw:
        ctx.problems.warning(
            ctx.path,
            line,
            _(
                "Kode HTML {tag} tidak didukung dan akan tampil apa adanya sebagai teks. "
                "Gunakan penulisan Markdown (misalnya **tebal**) sebagai gantinya."
            ).format(tag=raw.group(0)),
        )
    note = _FOOTNOTE_REF.search(text)
    if note:
        ctx.problems.warning(
            ctx.path,
            line,
            _(
                "Catatan kaki {ref} tidak memiliki isi. Tambahkan di bagian bawah modul baris "
                "{ref}: isi catatan."
            ).format(ref=note.group(0)),
        )
