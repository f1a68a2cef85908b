"""Charts drawn on the server as inline SVG: no JavaScript, no chart library, no downloads.

Pure functions from data to markup. The markup is built only from literal templates with
`Markup.format`, which passes every string (titles, unit names, course titles) through
`markupsafe.escape`, so a unit named `<script>` is drawn as text, never run.

Layout: the SVG is as wide as its container (`width="100%"`) and places things horizontally
in percentages, vertically in pixels, with no `viewBox`. A viewBox scales text with the
chart, so a label that is 14px on a desktop would shrink below 12px on a 360px phone (or one
readable on the phone would balloon on the desktop); with percentage positions the bars
stretch and the text stays exactly 12-14 CSS pixels at every width.

Colours on the white page (WCAG 2.1): text #1c2430 is 15:1 (AA asks 4.5:1), the bars
#0b5d4b 7.6:1 and #9a4d00 5.9:1 (graphics need 3:1), and both are over 3:1 against the light
grey track, so a bar's length is visible to people with low vision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

LABEL_PX = 14
SMALL_PX = 12
INK = "#1c2430"
BRAND = "#0b5d4b"
ALERT = "#9a4d00"
TRACK = "#e4e7eb"
AXIS = "#4a5566"
# Share of the width given to the bar track; the value is written right of it.
TRACK_PERCENT = 78.0
VALUE_X_PERCENT = 80.0
ROW_PX = 46
# About as many characters of a 14px label as fit a 360px phone; the table has the rest.
LABEL_CHARS = 40
_CHART_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Bar:
    label: str
    ratio: float  # 0..1; drawn clamped to that range
    value_text: str  # what is written beside the bar, e.g. "75%"


@dataclass(frozen=True)
class Column:
    label: str  # first line under the column, e.g. "13"
    value: int
    sublabel: str = ""  # second line, e.g. "Jan"


def percent(ratio: float, locale: str = "id") -> str:
    """A 0..1 ratio as a percentage the reader's way: "66,7%" in Indonesian, "66.7%" in English.

    One decimal at most, so 199 of 200 reads 99,5% and never rounds up to a false 100%.
    """
    return format_percent(ratio, "#,##0.#%", locale=locale)


def decimal(value: float, locale: str = "id") -> str:
    """A number with at most one decimal, e.g. an average JP: "12,5"."""
    return format_decimal(value, "#,##0.#", locale=locale)


def _check_id(chart_id: str) -> str:
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart id must be a lowercase HTML id, not {chart_id!r}")
    return chart_id


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _pct(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


_OPEN = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" height="{height}" '
    'role="img" aria-labelledby="{id}-title"><title id="{id}-title">{title}</title>'
)
_CLOSE = Markup("</svg>")
_EMPTY = Markup('<text x="0" y="20" font-size="{size}" fill="{ink}">{text}</text>')
_BAR_ROW = Markup(
    '<text x="0" y="{label_y}" font-size="{size}" fill="{ink}">{hint}{label}</text>'
    '<rect x="0" y="{bar_y}" width="{track}" height="16" rx="2" fill="{track_colour}"/>'
    '<rect x="0" y="{bar_y}" width="{width}" height="16" rx="2" fill="{colour}"/>'
    '<text x="{value_x}" y="{value_y}" font-size="{size}" fill="{ink}">{value}</text>'
)
_HINT = Markup("<title>{}</title>")
_AXIS = Markup('<line x1="0" y1="{y}" x2="100%" y2="{y}" stroke="{colour}" stroke-width="1"/>')
_COLUMN = Markup(
    '<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{colour}"/>'
    '<text x="{centre}" y="{value_y}" font-size="{size}" fill="{ink}" text-anchor="middle">'
    "{value}</text>"
)
_COLUMN_LABEL = Markup(
    '<text x="{centre}" y="{y}" font-size="{size}" fill="{ink}" text-anchor="middle">{text}</text>'
)
# Every template above is a literal; Markup.format escapes each str it is given, so labels
# and titles from the database can only ever become text.


def _open(chart_id: str, title: str, height: int) -> Markup:
    return _OPEN.format(id=_check_id(chart_id), title=title, height=height)


def _empty(chart_id: str, title: str, empty_text: str) -> Markup:
    text = _EMPTY.format(size=LABEL_PX, ink=INK, text=empty_text)
    return _open(chart_id, title, 32) + text + _CLOSE


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    empty_text: str,
    colour: str = BRAND,
) -> Markup:
    """Horizontal bars, one row each: the label on its own line (long unit names fit a phone),
    then the bar on a full-scale track with its value written beside it."""
    if not bars:
        return _empty(chart_id, title, empty_text)
    parts = [_open(chart_id, title, len(bars) * ROW_PX + 4)]
    for index, bar in enumerate(bars):
        top = index * ROW_PX
        ratio = min(max(bar.ratio, 0.0), 1.0)
        short = _short(bar.label)
        parts.append(
            _BAR_ROW.format(
                label_y=top + 16,
                bar_y=top + 24,
                value_y=top + 37,
                size=LABEL_PX,
                ink=INK,
                # The full label as a tooltip when it had to be shortened.
                hint=_HINT.format(bar.label) if short != bar.label else "",
                label=short,
                track=_pct(TRACK_PERCENT),
                track_colour=TRACK,
                width=_pct(ratio * TRACK_PERCENT),
                colour=colour,
                value_x=_pct(VALUE_X_PERCENT),
                value=bar.value_text,
            )
        )
    parts.append(_CLOSE)
    return Markup("").join(parts)


def column_chart(
    chart_id: str,
    title: str,
    columns: Sequence[Column],
    *,
    empty_text: str,
    colour: str = BRAND,
) -> Markup:
    """Vertical columns scaled to the largest value, each with its value above and a two-line
    label below (e.g. day and month, which fit twelve columns on a 360px phone)."""
    if not columns:
        return _empty(chart_id, title, empty_text)
    top, plot = 22, 130  # room for the value above the tallest column; plot height in px
    base = top + plot
    largest = max(max(c.value for c in columns), 0)
    slot = 100.0 / len(columns)
    parts = [_open(chart_id, title, base + 40), _AXIS.format(y=base, colour=AXIS)]
    for index, column in enumerate(columns):
        value = max(column.value, 0)
        height = round(plot * value / largest, 1) if largest else 0
        centre = _pct((index + 0.5) * slot)
        parts.append(
            _COLUMN.format(
                x=_pct((index + 0.2) * slot),
                y=base - height,
                width=_pct(slot * 0.6),
                height=height,
                colour=colour,
                centre=centre,
                value_y=base - height - 6,
                size=SMALL_PX,
                ink=INK,
                value=value,
            )
        )
        for line, y in ((column.label, base + 16), (column.sublabel, base + 32)):
            if line:
                parts.append(
                    _COLUMN_LABEL.format(centre=centre, y=y, size=SMALL_PX, ink=INK, text=line)
                )
    parts.append(_CLOSE)
    return Markup("").join(parts)
