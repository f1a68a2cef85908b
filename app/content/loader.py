"""Course folders into specs: `load_course` for one folder, `load_library` for `content/`.

Pure: reads files, returns specs and problems, touches no database. A course with any error
is returned as None together with every problem found, so a trainer fixes them all in one go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.content.assets import check_asset_file
from app.content.course_files import check_file_names, module_files, report_missing_course_file
from app.content.course_meta import read_course_meta
from app.content.library_checks import CourseFacts, check_library
from app.content.module_loader import LoadedModule, load_module
from app.content.problems import Problem, ProblemLog, sort_problems
from app.content.quiz_parser import parse_quiz
from app.content.sources import (
    COURSE_FILE,
    FINAL_TEST_FILE,
    Inventory,
    is_ignored,
    relative,
    take_inventory,
    tree_hash,
)
from app.content.specs import FINAL_TEST_KEY, PRETEST_KEY, CourseSpec, QuizSpec
from app.content.urls import CourseUrls, LinkResolver
from app.i18n import gettext as _

PLACEHOLDER_CODE = "KODE"  # used for URLs while checking a course whose code is unreadable


@dataclass(frozen=True)
class CourseLoad:
    """The result of loading one folder: the spec (None on any error) and every problem."""

    course: CourseSpec | None
    problems: list[Problem]
    folder: str = ""
    code: str | None = None  # the declared code, readable even when the course is broken
    yaml_lines: Mapping[str, int] = field(default_factory=dict)  # kursus.yaml key -> line


@dataclass(frozen=True)
class Library:
    """Every course under the content root; broken ones are left out of `courses`."""

    courses: dict[str, CourseSpec]  # by code
    problems: list[Problem]  # all of them, warnings of good courses included
    broken: dict[str, list[Problem]] = field(default_factory=dict)  # folder -> its problems

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    @property
    def warning_count(self) -> int:
        return sum(1 for p in self.problems if not p.is_error)


def load_library(root: Path, course: str | None = None) -> Library:
    """Load every course folder under `root`, then check codes and prerequisites across them.

    With `course` (a folder name), only that course is checked and reported: the other folders
    that hold a kursus.yaml are loaded too, but only for the cross-course checks.
    """
    folders = [p for p in sorted(root.iterdir()) if p.is_dir() and not is_ignored(p.name)]
    if course is not None:
        folders = [p for p in folders if p.name == course or (p / COURSE_FILE).is_file()]
    loads = [load_course(path, root) for path in folders]
    facts = [
        CourseFacts(
            folder=load.folder,
            code=load.code,
            loaded=load.course is not None,
            prerequisites=load.course.prerequisites if load.course else (),
            lines=load.yaml_lines,
        )
        for load in loads
    ]
    extra = check_library(facts)
    courses: dict[str, CourseSpec] = {}
    problems: list[Problem] = []
    broken: dict[str, list[Problem]] = {}
    for load in loads:
        if course is not None and load.folder != course:
            continue
        mine = sort_problems([*load.problems, *extra.get(load.folder, [])])
        problems.extend(mine)
        if load.course is None or any(p.is_error for p in mine):
            broken[load.folder] = mine
        else:
            courses[load.course.code] = load.course
    return Library(courses, problems, broken)


def load_course(folder: Path, root: Path) -> CourseLoad:
    """Load, check and render one course folder."""
    problems = ProblemLog()
    name = folder.name
    shown = relative(folder, root)
    inventory = take_inventory(folder)
    if inventory.course_file is None:
        report_missing_course_file(folder, shown, problems)
        return CourseLoad(None, sort_problems(problems.items), name)
    meta_read = read_course_meta(inventory.course_file, f"{shown}/{COURSE_FILE}", problems)
    urls = CourseUrls(meta_read.code or PLACEHOLDER_CODE)
    check_file_names(shown, inventory, problems)
    resolver = LinkResolver(folder, urls, frozenset(inventory.modules))
    modules = [
        load_module(files, resolver, problems) for files in module_files(shown, inventory, problems)
    ]
    pretest = _quiz(inventory.pretest, PRETEST_KEY, shown, resolver, problems)
    final_test = _quiz(inventory.final_test, FINAL_TEST_KEY, shown, resolver, problems)
    if inventory.final_test is None:
        problems.error(
            f"{shown}/{FINAL_TEST_FILE}",
            None,
            _(
                "Kursus ini belum memiliki tes akhir. Buat berkas tes-akhir.md di folder kursus; "
                "nilai tes akhir menentukan kelulusan."
            ),
        )
    if not inventory.modules:
        problems.error(
            f"{shown}/{COURSE_FILE}",
            None,
            _("Kursus ini belum memiliki modul. Tambahkan berkas modul, misalnya 01-pengantar.md."),
        )
    _check_anchor_links(modules, shown, problems)
    assets = _check_assets(folder, root, inventory, resolver.used_assets, problems)
    result = sort_problems(problems.items)
    meta = meta_read.meta
    specs = [m.spec for m in modules]
    if problems.has_errors() or meta is None or final_test is None or None in specs:
        return CourseLoad(None, result, name, meta_read.code, meta_read.lines)
    course = CourseSpec(
        code=meta.code,
        title=meta.title,
        summary=meta.summary,
        category=meta.category,
        jp=meta.jp,
        level=meta.level,
        authors=meta.authors,
        version=meta.version,
        passing_score=meta.passing_score,
        score_policy=meta.score_policy,
        prerequisites=meta.prerequisites,
        modules=tuple(sorted((s for s in specs if s), key=lambda m: (m.position, m.slug))),
        pretest=pretest,
        final_test=final_test,
        folder=name,
        assets=assets,
        content_hash=tree_hash(folder),
    )
    return CourseLoad(course, result, name, meta.code, meta_read.lines)


def _quiz(
    path: Path | None, key: str, shown: str, resolver: LinkResolver, problems: ProblemLog
) -> QuizSpec | None:
    if path is None:
        return None
    return parse_quiz(path, key, f"{shown}/{path.name}", resolver, problems)


def _check_anchor_links(modules: list[LoadedModule], shown: str, problems: ProblemLog) -> None:
    ids = {m.spec.slug: m.context.ids for m in modules if m.spec is not None}
    for module in modules:
        own = module.context.ids
        for use in module.context.anchor_links:
            targets = own if use.module is None else ids.get(use.module)
            if targets is not None and use.anchor not in targets:
                where = _("halaman ini") if use.module is None else f"{use.module}.md"
                problems.warning(
                    module.context.path,
                    use.line,
                    _("Bagian #{anchor} tidak ada di {where}. Bagian yang ada: {known}.").format(
                        anchor=use.anchor, where=where, known=", ".join(sorted(targets)) or "-"
                    ),
                )


def _check_assets(
    folder: Path, root: Path, inventory: Inventory, used: set[str], problems: ProblemLog
) -> tuple[str, ...]:
    for path in [*inventory.other_top, *inventory.assets]:
        name = path.relative_to(folder).as_posix()
        if path.parent == folder and name not in used:
            problems.warning(
                relative(path, root),
                None,
                _(
                    "Berkas ini tidak dikenali dan diabaikan. Gambar disimpan di gambar/, "
                    "lampiran PDF di lampiran/."
                ),
            )
            continue
        ok = check_asset_file(path, relative(path, root), problems)
        if ok and name not in used:
            problems.warning(
                relative(path, root),
                None,
                _("Berkas ini tidak dipakai di modul mana pun. Tautkan dari modul, atau hapus."),
            )
    return tuple(sorted(used))
