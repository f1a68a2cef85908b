"""The last gate before HTML is stored: an explicit allow-list, enforced by nh3 (Ammonia).

Raw HTML is already off in the Markdown parser; this runs anyway (defence in depth) so that a
parser bug, a plugin or a future option cannot let markup through that a page would execute.
The classes are exactly those the renderer generates, so CSS can rely on them and nothing else.
"""

from __future__ import annotations

import nh3

_TEXT = {"p", "br", "hr", "strong", "em", "s", "del", "sup", "sub", "code", "pre", "blockquote"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LISTS = {"ul", "ol", "li"}
_TABLES = {"table", "thead", "tbody", "tr", "th", "td"}
_BLOCKS = {"aside", "figure", "figcaption", "section", "div"}
TAGS = _TEXT | _HEADINGS | _LISTS | _TABLES | _BLOCKS | {"a", "img"}

ATTRIBUTES: dict[str, set[str]] = {
    # rel, loading, decoding and role are allowed with one value each, in _ATTRIBUTE_VALUES.
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "li": {"id"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    **{tag: {"id"} for tag in _HEADINGS},
}

CLASSES: dict[str, set[str]] = {
    "aside": {"callout", "callout-contoh", "callout-penting", "callout-tips"},
    "p": {"callout-title", "table-hint"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "sup": {"footnote-ref"},
    "a": {"footnote-backref", "image-link"},
    "th": {"align-left", "align-center", "align-right"},
    "td": {"align-left", "align-center", "align-right"},
    "div": {"table-wrap"},
}

_ATTRIBUTE_VALUES: dict[str, dict[str, set[str]]] = {
    "a": {"rel": {"noopener noreferrer"}},
    "img": {"loading": {"lazy"}, "decoding": {"async"}},
    "aside": {"role": {"note"}},
    "div": {"role": {"region"}, "tabindex": {"0"}, "aria-label": {"Tabel"}},
}

URL_SCHEMES = {"http", "https", "mailto"}

_CLEANER = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    tag_attribute_values=_ATTRIBUTE_VALUES,
    allowed_classes=CLASSES,
    url_schemes=URL_SCHEMES,
    # rel is set by the renderer on external links only (and allowed above with one value).
    link_rel=None,
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """Keep only allow-listed tags, attributes, classes and URL schemes."""
    return _CLEANER.clean(html)
