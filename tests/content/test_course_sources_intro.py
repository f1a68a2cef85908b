"""kursus.yaml `sumber` / `berlaku_per`, optional catalogue keys, and `pengantar.md`."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content import store
from app.content.format.specs import SourceSpec
from tests.content.helpers import COURSE_YAML, assert_problem, load, make_course
from tests.factories import login, make_user

SOURCES = """\
sumber:
  - judul: "PP 28/2025 tentang Penyelenggaraan Perizinan Berusaha Berbasis Risiko"
    tanggal: 2025-06-05
    tautan: https://peraturan.go.id/id/pp-no-28-tahun-2025
  - judul: UU 25/2009 tentang Pelayanan Publik
berlaku_per: 2026-12-01
"""

MINIMAL_YAML = """\
kode: TST-101
judul: Kursus Uji
ringkasan: Kursus kecil untuk pengujian.
kategori: teknis
jp: 1
nilai_lulus: 70
"""


def test_sources_and_valid_as_of_are_read_into_the_spec(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": COURSE_YAML + SOURCES})
    assert result.problems == []
    assert result.course is not None
    assert result.course.sources == (
        SourceSpec(
            "PP 28/2025 tentang Penyelenggaraan Perizinan Berusaha Berbasis Risiko",
            "2025-06-05",
            "https://peraturan.go.id/id/pp-no-28-tahun-2025",
        ),
        SourceSpec("UU 25/2009 tentang Pelayanan Publik", None, None),
    )
    assert result.course.valid_as_of == "2026-12-01"


def test_source_without_title_bad_date_or_bad_link_is_an_error(tmp_path: Path) -> None:
    no_title = COURSE_YAML + "sumber:\n  - tanggal: 2025-06-05\n"
    assert_problem(load(tmp_path, {"kursus.yaml": no_title}), "belum memiliki judul", 13)
    bad_date = COURSE_YAML + "sumber:\n  - judul: PP 5/2021\n    tanggal: 5 Juni 2025\n"
    assert_problem(load(tmp_path, {"kursus.yaml": bad_date}), "TAHUN-BULAN-HARI", 13)
    bad_link = COURSE_YAML + "sumber:\n  - judul: PP 5/2021\n    tautan: peraturan.go.id\n"
    assert_problem(load(tmp_path, {"kursus.yaml": bad_link}), "https://", 13)
    bad_day = COURSE_YAML + "berlaku_per: 2026-13-01\n"
    assert_problem(load(tmp_path, {"kursus.yaml": bad_day}), "tidak ada di kalender", 13)


@pytest.mark.parametrize(
    "link",
    [
        "http://peraturan.bpk.go.id/Details/38748/uu-no-25-tahun-2009",  # plain http
        "https://",  # no site
        "https://peraturan",  # not a domain
        "https://peraturan.go.id/id/uu no 25",  # a space
        "ftp://peraturan.go.id/uu-25-2009.pdf",
    ],
)
def test_a_source_link_must_be_a_full_https_address(tmp_path: Path, link: str) -> None:
    yaml = COURSE_YAML + f"sumber:\n  - judul: UU 25/2009\n    tautan: {link}\n"
    result = load(tmp_path, {"kursus.yaml": yaml})
    assert_problem(result, "harus alamat lengkap yang diawali https://", 13)
    assert result.course is None


def test_an_https_link_with_or_without_a_path_is_accepted(tmp_path: Path) -> None:
    for link in ("https://peraturan.go.id", "https://peraturan.bpk.go.id/Details/38748/x-y?z=1"):
        yaml = COURSE_YAML + f"sumber:\n  - judul: UU 25/2009\n    tautan: {link}\n"
        result = load(tmp_path, {"kursus.yaml": yaml})
        assert result.problems == [] and result.course is not None
        assert result.course.sources[0].url == link


def test_level_authors_version_and_score_policy_default_when_left_out(tmp_path: Path) -> None:
    result = load(tmp_path, {"kursus.yaml": MINIMAL_YAML})
    assert result.problems == []
    course = result.course
    assert course is not None
    assert (course.level, course.authors, course.version, course.score_policy) == (
        "dasar",
        (),
        "1.0",
        "terbaik",
    )


def test_introduction_is_rendered_and_broken_links_in_it_are_reported(tmp_path: Path) -> None:
    intro = "## Tujuan\n\nSetelah kursus ini Anda dapat **melayani** warga.\n"
    result = load(tmp_path, {"pengantar.md": intro})
    assert result.problems == [] and result.course is not None
    assert "<strong>melayani</strong>" in result.course.intro_html
    broken = load(tmp_path, {"pengantar.md": "Lihat ![peta](gambar/tidak-ada.png).\n"})
    assert_problem(broken, "tidak-ada.png", 1, file="pengantar.md")


def test_course_page_shows_sources_dates_in_indonesian_and_the_introduction(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    long_intro = "## Tujuan\n\n" + "Kalimat pengantar yang cukup panjang untuk dilipat. " * 40
    make_course(tmp_path, {"kursus.yaml": COURSE_YAML + SOURCES, "pengantar.md": long_intro})
    store.import_library(session, tmp_path)
    login(client, make_user(session))
    page = client.get("/kursus/TST-101")
    assert page.status_code == 200
    view = page.context["course"]
    assert view.sources[0].title.startswith("PP 28/2025")
    assert "Sumber dan berlaku per" in page.text
    assert "5 Juni 2025" in page.text and "1 Desember 2026" in page.text
    # The link sits next to the citation and names the site it leads to.
    assert (
        "PP 28/2025 tentang Penyelenggaraan Perizinan Berusaha Berbasis Risiko "
        '<span class="meta">(5 Juni 2025)</span> · '
        '<a href="https://peraturan.go.id/id/pp-no-28-tahun-2025" rel="noopener">'
        "naskah resmi di peraturan.go.id</a>"
    ) in page.text
    assert "UU 25/2009 tentang Pelayanan Publik</li>" in page.text  # no link: none shown
    assert '<details class="intro prose">' in page.text  # long: folded, no JavaScript
    assert page.text.index("Tujuan") < page.text.index("Materi</h2>")


def test_course_page_without_sources_or_introduction_has_neither_section(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    make_course(tmp_path, {"kursus.yaml": MINIMAL_YAML, "pengantar.md": "Pengantar singkat.\n"})
    store.import_library(session, tmp_path)
    login(client, make_user(session))
    page = client.get("/kursus/TST-101")
    assert "Sumber dan berlaku per" not in page.text
    assert "Pengantar singkat." in page.text and "<details" not in page.text
    assert "Penyusun" not in page.text  # no authors written: the row is left out
