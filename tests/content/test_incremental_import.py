"""Reloading content renders only what changed, and still reports what a full load reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content import store
from app.content.format import (
    loader,
    module_loader,
    quiz_parser,
    render_cache,
    simulation_parser,
    specs,
)
from app.content.models import Course, CourseVersion, ModuleVersion
from tests.content.helpers import BODY, COURSE_YAML, make_course, module, png

SECOND_MODULE = module(f"{BODY}\n\nLihat juga [modul pertama](01-pengantar.md).", title="Lanjutan")


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The file path of every Markdown render from now on (the memo starts empty)."""
    render_cache.clear()
    paths: list[str] = []
    for owner in (module_loader, quiz_parser, simulation_parser):
        for name in ("render_block", "render_inline"):
            original = getattr(owner, name, None)
            if original is not None:
                monkeypatch.setattr(owner, name, _counted(original, paths))
    return paths


def _counted(original: Callable[..., str], paths: list[str]) -> Callable[..., str]:
    def counted(text: str, line: int, ctx: Any) -> str:
        paths.append(ctx.path)
        return original(text, line, ctx)

    return counted


def _modules(paths: list[str]) -> set[str]:
    """The module files among rendered paths (not tests, not practice quizzes)."""
    return {p for p in paths if not p.endswith(("tes-akhir.md", "tes-awal.md", ".kuis.md"))}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Two small courses: TST-101 (two modules, one with an image) and TST-102 needing it."""
    root = tmp_path / "content"
    make_course(
        root,
        {
            "01-pengantar.md": module(f"{BODY}\n\n![Alur layanan](gambar/alur.png)"),
            "02-lanjutan.md": SECOND_MODULE,
            "gambar/alur.png": png(4, 3),
        },
    )
    second = COURSE_YAML.replace("TST-101", "TST-102").replace("[]", "[TST-101]")
    make_course(root, {"kursus.yaml": second}, folder="kursus-dua")
    return root


def _current_html(session: Session, code: str, slug: str) -> str:
    html = session.scalar(
        select(ModuleVersion.html)
        .join(Course, Course.current_version_id == ModuleVersion.course_version_id)
        .where(Course.code == code, ModuleVersion.slug == slug)
    )
    assert html is not None
    return html


def test_reload_of_unchanged_content_renders_nothing(
    session: Session, library: Path, rendered: list[str]
) -> None:
    first = store.import_library(session, library)
    assert first.published == ["TST-101", "TST-102"] and rendered
    rendered.clear()
    render_cache.clear()  # a fresh process: no memo to fall back on
    report = store.import_library(session, library)
    assert report.unchanged == ["TST-101", "TST-102"] and report.published == []
    assert rendered == []


def test_reload_after_one_module_changed_renders_that_module_only(
    session: Session, library: Path, rendered: list[str]
) -> None:
    store.import_library(session, library)
    rendered.clear()
    changed = library / "kursus-uji" / "02-lanjutan.md"
    changed.write_text(SECOND_MODULE + "\nParagraf tambahan.\n", encoding="utf-8")
    report = store.import_library(session, library)
    assert report.published == ["TST-101"] and report.unchanged == ["TST-102"]
    assert _modules(rendered) == {"kursus-uji/02-lanjutan.md"}
    assert "Paragraf tambahan." in _current_html(session, "TST-101", "02-lanjutan")
    # The module rendered before is published from the memo, as it was.
    assert 'height="3"' in _current_html(session, "TST-101", "01-pengantar")


def test_changed_image_renders_the_modules_again_with_its_new_size(
    session: Session, library: Path, rendered: list[str]
) -> None:
    store.import_library(session, library)
    rendered.clear()
    (library / "kursus-uji" / "gambar" / "alur.png").write_bytes(png(8, 5))
    report = store.import_library(session, library)
    assert report.published == ["TST-101"]
    assert "kursus-uji/01-pengantar.md" in _modules(rendered)
    html = _current_html(session, "TST-101", "01-pengantar")
    assert 'width="8"' in html and 'height="5"' in html


def test_removed_link_target_is_reported_not_served_from_the_memo(
    session: Session, library: Path, rendered: list[str]
) -> None:
    store.import_library(session, library)
    (library / "kursus-uji" / "01-pengantar.md").unlink()
    (library / "kursus-uji" / "01-awal.md").write_text(module(BODY), encoding="utf-8")
    report = store.import_library(session, library)
    assert "kursus-uji/02-lanjutan.md" in _modules(rendered)
    assert any("01-pengantar.md" in p.message for p in report.broken["kursus-uji"])
    assert report.broken == loader.load_library(library).broken


def test_engine_version_bump_renders_and_publishes_every_course_again(
    session: Session, library: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.import_library(session, library)
    rendered.clear()
    monkeypatch.setattr(specs, "ENGINE_VERSION", "test-bump")
    report = store.import_library(session, library)
    assert report.published == ["TST-101", "TST-102"]
    assert _modules(rendered) == {
        "kursus-uji/01-pengantar.md",
        "kursus-uji/02-lanjutan.md",
        "kursus-dua/01-pengantar.md",
    }
    engines = session.scalars(
        select(CourseVersion.engine_version).join(
            Course, Course.current_version_id == CourseVersion.id
        )
    ).all()
    assert set(engines) == {"test-bump"}


def test_code_reused_by_a_new_folder_breaks_the_unchanged_course_as_a_full_load_does(
    session: Session, library: Path, rendered: list[str]
) -> None:
    store.import_library(session, library)
    make_course(library, folder="kursus-salinan")  # same code TST-101
    report = store.import_library(session, library)
    assert sorted(report.broken) == ["kursus-salinan", "kursus-uji"]
    assert report.broken == loader.load_library(library).broken


def test_unchanged_course_whose_prerequisite_disappeared_is_reported_as_a_full_load_does(
    session: Session, library: Path, rendered: list[str]
) -> None:
    store.import_library(session, library)
    meta = library / "kursus-uji" / "kursus.yaml"
    meta.write_text(COURSE_YAML.replace("TST-101", "TST-109"), encoding="utf-8")
    report = store.import_library(session, library)
    assert report.published == ["TST-109"] and list(report.broken) == ["kursus-dua"]
    assert any("TST-101" in p.message for p in report.broken["kursus-dua"])
    assert report.broken == loader.load_library(library).broken


def test_warnings_of_unchanged_courses_are_those_of_a_full_load(
    session: Session, library: Path
) -> None:
    (library / "kursus-dua" / "catatan.txt").write_text("bukan materi", encoding="utf-8")
    first = store.import_library(session, library)
    again = store.import_library(session, library)
    assert again.unchanged == ["TST-101", "TST-102"]
    assert again.warnings == first.warnings != []
