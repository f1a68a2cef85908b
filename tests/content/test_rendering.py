"""Markdown rendering: callouts, anchors, footnotes, tables, images, links, determinism."""

from __future__ import annotations

from pathlib import Path

from app.content.format.loader import load_course
from app.content.format.markdown import slugify
from app.content.format.specs import ModuleSpec, TocEntry
from app.content.format.urls import CourseUrls
from tests.content.helpers import BODY, assert_problem, load, make_course, module, png


def _render(
    tmp_path: Path, body: str, files: dict[str, str | bytes | None] | None = None
) -> ModuleSpec:
    result = load(tmp_path, {"01-pengantar.md": module(f"{BODY}\n\n{body}"), **(files or {})})
    assert [str(p) for p in result.problems] == []
    assert result.course is not None
    return result.course.modules[0]


def test_callouts_become_asides_with_a_title(tmp_path: Path) -> None:
    body = "> [!CONTOH]\n> Pak Rusdi datang.\n\n> [!penting]\n> Jangan lupa.\n\n> [!Tips]\n> Catat."
    html = _render(tmp_path, body).html
    assert (
        '<aside class="callout callout-contoh" role="note">\n<p class="callout-title">Contoh</p>\n'
        "<p>Pak Rusdi datang.</p>\n</aside>"
    ) in html
    assert '<aside class="callout callout-penting" role="note">' in html and ">Penting</p>" in html
    assert '<aside class="callout callout-tips" role="note">' in html and ">Tips</p>" in html
    assert "[!" not in html and "<blockquote>" not in html


def test_callout_marker_is_removed_when_text_follows_in_the_same_paragraph(tmp_path: Path) -> None:
    html = _render(tmp_path, "> [!TIPS] Catat nomor antrean.\n> Lalu panggil.").html
    assert '<p class="callout-title">Tips</p>\n<p>Catat nomor antrean.\nLalu panggil.</p>' in html


def test_callout_with_several_paragraphs_and_a_list(tmp_path: Path) -> None:
    html = _render(tmp_path, "> [!PENTING]\n>\n> Paragraf satu.\n>\n> - butir\n").html
    assert (
        '<p class="callout-title">Penting</p>\n<p>Paragraf satu.</p>\n<ul>\n<li>butir</li>' in html
    )


def test_unknown_callout_stays_a_blockquote_with_a_warning(tmp_path: Path) -> None:
    text = module(f"{BODY}\n\n> [!PENTNG]\n> Isi.")
    result = load(tmp_path, {"01-pengantar.md": text})
    problem = assert_problem(result, "[!PENTNG] tidak dikenal", 9, severity="warning")
    assert "Mungkin maksud Anda [!PENTING]?" in problem.message
    assert result.course is not None
    assert "<blockquote>\n<p>[!PENTNG]\nIsi.</p>\n</blockquote>" in result.course.modules[0].html


def test_empty_callout_is_a_warning(tmp_path: Path) -> None:
    result = load(tmp_path, {"01-pengantar.md": module(f"{BODY}\n\n> [!TIPS]\n")})
    assert_problem(result, "Kotak sorotan ini kosong", 9, severity="warning")


def test_headings_get_unique_anchors_and_a_table_of_contents(tmp_path: Path) -> None:
    headings = ["## Asas Pelayanan", "### Contoh", "## Asas Pelayanan", "### Contoh"]
    body = "\n\n".join([*headings, "#### Rincian", "## Évaluasi & Perbaikan"])
    spec = _render(tmp_path, body)
    assert spec.toc == (
        TocEntry(2, "asas-pelayanan", "Asas Pelayanan"),
        TocEntry(3, "contoh", "Contoh"),
        TocEntry(2, "asas-pelayanan-2", "Asas Pelayanan"),
        TocEntry(3, "contoh-2", "Contoh"),
        TocEntry(2, "evaluasi-perbaikan", "Évaluasi & Perbaikan"),
    )
    assert '<h4 id="rincian">Rincian</h4>' in spec.html


def test_slugify_handles_accents_punctuation_and_empty_text() -> None:
    assert slugify("  Apa itu SP4N-LAPOR!?  ") == "apa-itu-sp4n-lapor"
    assert slugify("Pelayanan “Prima”") == "pelayanan-prima"
    assert slugify("!!!") == "bagian"


def test_footnotes_are_rendered_at_the_end(tmp_path: Path) -> None:
    html = _render(tmp_path, "Menurut UU[^1].\n\n[^1]: UU Nomor 25 Tahun 2009.").html
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in html
    assert '<section class="footnotes">' in html and '<li id="fn1" class="footnote-item">' in html
    assert '<a href="#fnref1" class="footnote-backref">' in html


def test_tables_and_alignment_become_classes(tmp_path: Path) -> None:
    html = _render(tmp_path, "| Layanan | Biaya |\n|:--|--:|\n| KTP-el | Rp0 |").html
    assert '<th class="align-left">Layanan</th>' in html
    assert '<td class="align-right">Rp0</td>' in html
    assert "style=" not in html


def test_strikethrough_and_emphasis(tmp_path: Path) -> None:
    html = _render(tmp_path, "~~lama~~ **baru** *miring*").html
    assert "<s>lama</s> <strong>baru</strong> <em>miring</em>" in html


def test_images_get_size_lazy_loading_and_a_course_url(tmp_path: Path) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 320"><rect width="5"/></svg>'
    files: dict[str, str | bytes | None] = {"gambar/alur.png": png(40, 30), "gambar/alur.svg": svg}
    spec = _render(
        tmp_path, '![Alur loket](gambar/alur.png "Alur")\n\n![Alur diagram](gambar/alur.svg)', files
    )
    assert (
        '<img src="/kursus/TST-101/berkas/gambar/alur.png" alt="Alur loket" title="Alur" '
        'loading="lazy" decoding="async" width="40" height="30">'
    ) in spec.html
    assert (
        'src="/kursus/TST-101/berkas/gambar/alur.svg" alt="Alur diagram" loading="lazy" '
        'decoding="async" width="640" height="320"' in spec.html
    )


def test_images_open_full_size_unless_already_a_link(tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {"gambar/alur.png": png(40, 30)}
    spec = _render(
        tmp_path,
        "![Alur loket](gambar/alur.png)\n\n[![Logo](gambar/alur.png)](https://example.org)",
        files,
    )
    url = "/kursus/TST-101/berkas/gambar/alur.png"
    assert f'<a class="image-link" href="{url}"><img src="{url}" alt="Alur loket"' in spec.html
    assert spec.html.count("image-link") == 1  # no link nested in the author's own link


def test_tables_of_three_columns_or_more_say_they_scroll(tmp_path: Path) -> None:
    wide = _render(tmp_path / "a", "| A | B | C |\n|--|--|--|\n| 1 | 2 | 3 |").html
    narrow = _render(tmp_path / "b", "| A | B |\n|--|--|\n| 1 | 2 |").html
    assert '<p class="table-hint">' in wide
    assert wide.index("table-hint") < wide.index('<div class="table-wrap"')
    assert "table-hint" not in narrow


def test_links_are_rewritten_to_site_urls(tmp_path: Path) -> None:
    body = (
        "[modul 2](02-kedua.md) [bagian](02-kedua.md#langkah) [tes](tes-akhir.md) "
        "[formulir](lampiran/form%20isian.pdf) [lapor](https://www.lapor.go.id) "
        "[surel](mailto:bkpsdm@palukota.go.id) [atas](#langkah-awal)\n\n## Langkah awal"
    )
    files: dict[str, str | bytes | None] = {
        "02-kedua.md": module(f"## Langkah\n\n{BODY}"),
        "lampiran/form isian.pdf": b"%PDF-1.4\n",
    }
    result = load(tmp_path, {"01-pengantar.md": module(f"{BODY}\n\n{body}"), **files})
    assert [str(p) for p in result.problems] == []
    assert result.course is not None
    html = result.course.modules[0].html
    assert '<a href="/kursus/TST-101/modul/02-kedua">modul 2</a>' in html
    assert '<a href="/kursus/TST-101/modul/02-kedua#langkah">bagian</a>' in html
    assert '<a href="/kursus/TST-101/tes/tes-akhir">tes</a>' in html
    assert '<a href="/kursus/TST-101/berkas/lampiran/form%20isian.pdf">formulir</a>' in html
    assert '<a href="https://www.lapor.go.id" rel="noopener noreferrer">lapor</a>' in html
    assert '<a href="mailto:bkpsdm@palukota.go.id">surel</a>' in html
    assert '<a href="#langkah-awal">atas</a>' in html
    assert result.course.assets == ("lampiran/form isian.pdf",)


def test_course_urls_live_in_one_place() -> None:
    urls = CourseUrls("PPP-101")
    assert urls.module("01-asas", "dua-belas") == "/kursus/PPP-101/modul/01-asas#dua-belas"
    assert urls.test("tes-akhir") == "/kursus/PPP-101/tes/tes-akhir"
    assert urls.asset("gambar/a b.png") == "/kursus/PPP-101/berkas/gambar/a%20b.png"


def test_rendering_is_deterministic_and_hashes_are_stable(tmp_path: Path) -> None:
    body = f"{BODY}\n\n## A\n\nTeks[^1]\n\n> [!TIPS]\n> Isi.\n\n[^1]: Catatan."
    folder = make_course(tmp_path, {"01-pengantar.md": module(body)})
    first, second = load_course(folder, tmp_path).course, load_course(folder, tmp_path).course
    assert first is not None and first == second
    (folder / "01-pengantar.md").write_text(module(body + " Tambahan."), encoding="utf-8")
    changed = load_course(folder, tmp_path).course
    assert changed is not None
    assert changed.content_hash != first.content_hash
    assert changed.modules[0].content_hash != first.modules[0].content_hash
    assert changed.final_test.content_hash == first.final_test.content_hash


def test_module_hash_covers_its_practice_quiz(tmp_path: Path) -> None:
    quiz = "---\njudul: Latihan\n---\n## Soal?\nJawaban: ya\n\n> Penjelasan: Ya.\n"
    before = load(tmp_path, {"01-pengantar.kuis.md": quiz}).course
    after = load(tmp_path, {"01-pengantar.kuis.md": quiz.replace("ya", "iya")}).course
    assert before is not None and after is not None
    assert before.modules[0].content_hash != after.modules[0].content_hash


def test_word_count_counts_visible_words(tmp_path: Path) -> None:
    spec = _render(tmp_path, "**Satu** dua, [tiga](https://contoh.go.id).")
    assert spec.word_count == len(BODY.split()) + 3
