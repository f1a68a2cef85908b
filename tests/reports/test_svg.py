"""Server-drawn SVG charts: escaping, accessibility attributes, empty data, 0% and 100%."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from app.reports import svg

NS = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    """The chart as XML: a chart that parses is well-formed, so nothing leaked out of a text."""
    return ET.fromstring(markup)  # noqa: S314 - our own output, not untrusted input


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def test_a_unit_named_script_is_drawn_as_text_and_cannot_inject_markup() -> None:
    evil = '<script>alert("x")</script>'
    markup = svg.bar_chart(
        "grafik-unit",
        'Judul <img src=x onerror="alert(1)">',
        [svg.Bar(label=evil, ratio=0.5, value_text='50%"><script>')],
        empty_text="Belum ada data.",
    )
    assert "<script>" not in markup and "<img" not in markup
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in markup
    root = _parse(markup)
    assert [e.tag for e in root.iter() if e.tag.endswith("script")] == []
    assert evil in _texts(root)
    assert root.find(f"{NS}title").text == 'Judul <img src=x onerror="alert(1)">'  # type: ignore[union-attr]


def test_column_labels_are_escaped_too() -> None:
    markup = svg.column_chart(
        "grafik-mingguan",
        "Mingguan & <b>",
        [svg.Column(label="<b>1</b>", sublabel="&amp;", value=3)],
        empty_text="-",
    )
    root = _parse(markup)
    assert "<b>" not in markup
    assert {"<b>1</b>", "&amp;", "3"} <= set(_texts(root))


def test_every_chart_is_an_image_labelled_by_its_title() -> None:
    for markup in (
        svg.bar_chart("a-b", "Judul", [svg.Bar("x", 0.3, "30%")], empty_text="-"),
        svg.column_chart("c-d", "Judul", [svg.Column("1", 2)], empty_text="-"),
        svg.bar_chart("e-f", "Judul", [], empty_text="Belum ada data."),
    ):
        root = _parse(markup)
        assert root.get("role") == "img"
        title_id = root.get("aria-labelledby")
        title = root.find(f"{NS}title")
        assert title is not None and title.get("id") == title_id and title.text == "Judul"
        # Scales with its container; text is never smaller than 12 CSS pixels.
        assert root.get("width") == "100%" and root.get("viewBox") is None
        assert all(int(t.get("font-size", "0")) >= 12 for t in root.iter(f"{NS}text"))


def test_empty_data_says_so_instead_of_drawing_nothing() -> None:
    for markup in (
        svg.bar_chart("kosong", "Judul", [], empty_text="Belum ada data."),
        svg.column_chart("kosong", "Judul", [], empty_text="Belum ada data."),
    ):
        root = _parse(markup)
        assert _texts(root) == ["Belum ada data."]
        assert root.find(f"{NS}rect") is None


def _bar_widths(markup: str) -> list[str]:
    root = _parse(markup)
    return [r.get("width", "") for r in root.iter(f"{NS}rect")]


def test_zero_and_full_bars_span_nothing_and_the_whole_track() -> None:
    markup = svg.bar_chart(
        "grafik",
        "Judul",
        [svg.Bar("Nol", 0.0, "0%"), svg.Bar("Penuh", 1.0, "100%"), svg.Bar("Lebih", 1.7, "170%")],
        empty_text="-",
    )
    track, zero, track2, full, track3, clamped = _bar_widths(markup)
    assert track == track2 == track3 == "78%"
    assert zero == "0%"
    assert full == "78%" and clamped == "78%"  # never drawn past the track
    assert {"0%", "100%", "Nol", "Penuh"} <= set(_texts(_parse(markup)))


def test_columns_scale_to_the_largest_value_and_all_zero_weeks_stay_flat() -> None:
    markup = svg.column_chart(
        "grafik", "Judul", [svg.Column("1", 0), svg.Column("8", 5), svg.Column("15", 10)],
        empty_text="-",
    )  # fmt: skip
    heights = [float(r.get("height", "")) for r in _parse(markup).iter(f"{NS}rect")]
    assert heights == [0, 65, 130]
    flat = svg.column_chart("grafik", "Judul", [svg.Column("1", 0)] * 12, empty_text="-")
    assert {float(r.get("height", "")) for r in _parse(flat).iter(f"{NS}rect")} == {0}
    assert _texts(_parse(flat)).count("0") == 12


def test_long_labels_are_shortened_with_the_full_label_as_a_tooltip() -> None:
    name = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Palu"
    root = _parse(svg.bar_chart("grafik", "Judul", [svg.Bar(name, 0.4, "40%")], empty_text="-"))
    label = next(root.iter(f"{NS}text"))
    assert label.find(f"{NS}title").text == name  # type: ignore[union-attr]
    shown = "".join(label.itertext()).removeprefix(name)
    assert shown.endswith("…") and len(shown) <= svg.LABEL_CHARS


def test_chart_ids_must_be_plain_html_ids() -> None:
    with pytest.raises(ValueError, match="chart id"):
        svg.bar_chart('x" onload="alert(1)', "Judul", [], empty_text="-")


@pytest.mark.parametrize(
    ("ratio", "locale", "expected"),
    [(0.0, "id", "0%"), (1.0, "id", "100%"), (2 / 3, "id", "66,7%"), (2 / 3, "en", "66.7%"),
     (199 / 200, "id", "99,5%")],
)  # fmt: skip
def test_percentages_are_written_the_readers_way(ratio: float, locale: str, expected: str) -> None:
    assert svg.percent(ratio, locale) == expected


def test_decimals_use_the_indonesian_comma() -> None:
    assert svg.decimal(12.5) == "12,5" and svg.decimal(3.0) == "3"
    assert re.fullmatch(r"1\.234,6", svg.decimal(1234.56))
