"""XSS payloads through the whole pipeline (Markdown -> HTML -> sanitiser) come out harmless."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.content.format.loader import load_course
from app.content.format.markdown import render_block
from app.content.format.problems import ProblemLog
from app.content.format.render_context import RenderContext
from app.content.format.sanitize import sanitize_html
from app.content.format.urls import CourseUrls, LinkResolver
from tests.content.helpers import BODY, make_course, module, png

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](  javascript:alert(1)  )",
    "[klik](&#106;avascript:alert(1))",
    "[klik](&#x6A;avascript&#x3A;alert(1))",
    "[klik](java%0ascript:alert(1))",
    "<javascript:alert(1)>",
    "[klik](vbscript:msgbox(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{background:expression(alert(1))}</style>",
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example"><input name=x></form>',
    '[klik](https://a.example "judul" onmouseover="alert(1)")',
    '![x](gambar.png" onerror="alert(1))',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<scr<script>ipt>alert(1)</script>",
    '<a href="#" onclick="alert(1)">klik</a>',
    "[klik](file:///etc/passwd)",
    "> [!TIPS]\n> <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "[^1]\n\n[^1]: <img src=x onerror=alert(1)>",
]

# Markup that would execute: a tag, an event handler, or a dangerous URL or style in a tag.
# Escaped text ("&lt;script&gt;") is harmless and is not matched: it does not start with "<".
# The one <div> the renderer writes itself: the focusable scroll box around a table.
TABLE_BOX = '<div class="table-wrap" role="region" tabindex="0" aria-label="Tabel">'


def _without_table_boxes(html: str) -> str:
    return html.replace(TABLE_BOX, "").replace("</table>\n</div>", "</table>\n")


DANGEROUS = [
    re.compile(r"<\s*(script|iframe|object|embed|form|input|style|svg|div|math)\b", re.IGNORECASE),
    re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE),
    re.compile(
        r"""<[^>]*(href|src)\s*=\s*["']?\s*(javascript|vbscript|data|file):""", re.IGNORECASE
    ),
    re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each payload through the module pipeline: Markdown, link resolver, sanitiser."""
    root = tmp_path_factory.mktemp("xss")
    folder = make_course(root, {"gambar.png": png(2, 2)})
    resolver = LinkResolver(folder, CourseUrls("TST-101"), frozenset({"01-pengantar"}))
    return {
        payload: render_block(payload, 1, RenderContext("x.md", ProblemLog(), resolver))
        for payload in PAYLOADS
    }


def test_there_are_at_least_twenty_payloads() -> None:
    assert len(PAYLOADS) >= 20


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_harmless_after_rendering(rendered: dict[str, str], payload: str) -> None:
    html = _without_table_boxes(rendered[payload])
    for pattern in DANGEROUS:
        assert not pattern.search(html), f"{pattern.pattern} in {html!r}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_loaded_module_html_is_harmless_or_the_course_is_refused(
    tmp_path: Path, payload: str
) -> None:
    folder = make_course(tmp_path, {"01-pengantar.md": module(f"{BODY}\n\n{payload}\n")})
    result = load_course(folder, tmp_path)
    if result.course is None:
        assert any(p.is_error for p in result.problems)
        return
    for pattern in DANGEROUS:
        assert not pattern.search(_without_table_boxes(result.course.modules[0].html))


def test_dangerous_links_are_reported_to_the_trainer(tmp_path: Path) -> None:
    folder = make_course(
        tmp_path, {"01-pengantar.md": module(f"{BODY}\n\n[klik](JaVaScRiPt:alert(1))")}
    )
    result = load_course(folder, tmp_path)
    assert result.course is None
    assert any("javascript: tidak diizinkan" in p.message and p.line == 9 for p in result.problems)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<p onclick="x()">a</p>', "<p>a</p>"),
        ('<a href="javascript:alert(1)">a</a>', "<a>a</a>"),
        (
            '<a href="/kursus/X/modul/01-a" rel="nofollow">a</a>',
            '<a href="/kursus/X/modul/01-a">a</a>',
        ),
        ('<img src="data:image/png;base64,AAAA" alt="x">', '<img alt="x">'),
        ('<aside class="callout evil" role="dialog">a</aside>', '<aside class="callout">a</aside>'),
        ('<p class="callout-title x">a</p><!-- rahasia -->', '<p class="callout-title">a</p>'),
        ("<script>alert(1)</script><style>p{}</style>ok", "ok"),
    ],
)
def test_sanitiser_keeps_only_the_allow_list(html: str, expected: str) -> None:
    assert sanitize_html(html) == expected


def test_tables_are_wrapped_in_a_focusable_named_scroll_box(tmp_path: Path) -> None:
    folder = make_course(
        tmp_path, {"01-pengantar.md": module(f"{BODY}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")}
    )
    html = load_course(folder, tmp_path).course.modules[0].html  # type: ignore[union-attr]
    assert TABLE_BOX + "<table>" in html
