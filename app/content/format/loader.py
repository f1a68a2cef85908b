"""Course folders into specs: `load_course` for one folder, `load_library` for `content/`.

Pure: reads files, returns specs and problems, touches no database. A course with any error
is returned as None together with every problem found, so a trainer fixes them all in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.content.format.assets import check_asset_file
from app.content.format.course_files import (
    check_file_names,
    module_files,
    report_missing_course_file,
)
from app.content.format.course_meta import read_course_meta
from app.content.format.jp_load import check_jp_load, planned_load
from app.content.format.library_checks import CourseFacts, check_library
from app.content.format.module_loader import LoadedModule
from app.content.format.problems import Problem, ProblemLog, sort_problems
from app.content.format.render_cache import (
    course_environment,
    load_module_cached,
    parse_quiz_cached,
    render_intro_cached,
)
from app.content.format.sources import (
    COURSE_FILE,
    FINAL_TEST_FILE,
    PATHS_FOLDER,
    Inventory,
    is_ignored,
    relative,
    take_inventory,
    tree_hash,
)
from app.content.format.specs import FINAL_TEST_KEY, PRETEST_KEY, CourseSpec, QuizSpec
from app.content.format.urls import CourseUrls, LinkResolver
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
    # Folders left unloaded because they are published as they are (see `load_library`): code.
    unchanged: dict[str, str] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    @property
    def warning_count(self) -> int:
        return sum(1 for p in self.problems if not p.is_error)


def load_library(
    root: Path, course: str | None = None, *, unchanged: Callable[[Path], bool] | None = None
) -> Library:
    """Load every course folder under `root`, then check codes and prerequisites across them.

    With `course` (a folder name), only that course is checked and reported: the other folders
    that hold a kursus.yaml are loaded too, but only for the cross-course checks.

    With `unchanged`, a folder for which it returns True (its files are those of a version
    already published, rendered by this engine) is not loaded: only its kursus.yaml is read for
    the cross-course checks, and it is listed in `Library.unchanged`. Should those checks find
    anything wrong with it (a code now used twice, a prerequisite gone), it is loaded in full
    after all, so the problems reported are exactly those of a full load.
    """
    folders = [
        p
        for p in sorted(root.iterdir())
        if p.is_dir() and not is_ignored(p.name) and p.name != PATHS_FOLDER
    ]
    if course is not None:
        folders = [p for p in folders if p.name == course or (p / COURSE_FILE).is_file()]
    loads: dict[str, CourseLoad] = {}
    skipped: dict[str, CourseFacts] = {}
    for path in folders:
        facts = _published_facts(path) if unchanged is not None and unchanged(path) else None
        if facts is None:
            loads[path.name] = load_course(path, root)
        else:
            skipped[path.name] = facts
    extra = check_library([*map(_facts, loads.values()), *skipped.values()])
    suspect = [folder for folder in skipped if folder in extra]
    if suspect:
        for folder in suspect:
            del skipped[folder]
            loads[folder] = load_course(root / folder, root)
        extra = check_library([*map(_facts, loads.values()), *skipped.values()])
    courses: dict[str, CourseSpec] = {}
    problems: list[Problem] = []
    broken: dict[str, list[Problem]] = {}
    for path in folders:
        load = loads.get(path.name)
        if load is None or (course is not None and load.folder != course):
            continue
        mine = sort_problems([*load.problems, *extra.get(load.folder, [])])
        problems.extend(mine)
        if load.course is None or any(p.is_error for p in mine):
            broken[load.folder] = mine
        else:
            courses[load.course.code] = load.course
    kept = {folder: facts.code or "" for folder, facts in skipped.items()}
    if course is not None:
        kept = {folder: code for folder, code in kept.items() if folder == course}
    return Library(courses, problems, broken, kept)


def _facts(load: CourseLoad) -> CourseFacts:
    return CourseFacts(
        folder=load.folder,
        code=load.code,
        loaded=load.course is not None,
        prerequisites=load.course.prerequisites if load.course else (),
        lines=load.yaml_lines,
    )


def _published_facts(folder: Path) -> CourseFacts | None:
    """Cross-course facts of an unchanged folder from its kursus.yaml alone (None: unreadable)."""
    path = folder / COURSE_FILE
    if not path.is_file():
        return None
    read = read_course_meta(path, f"{folder.name}/{COURSE_FILE}", ProblemLog())
    if read.meta is None:
        return None
    return CourseFacts(folder.name, read.meta.code, True, read.meta.prerequisites, read.lines)


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
    # Pages are remembered per process (render_cache): only those whose inputs changed render.
    environment = course_environment(folder, urls.code)
    modules = [
        load_module_cached(files, resolver, problems, environment)
        for files in module_files(shown, inventory, problems)
    ]
    intro_html = (
        render_intro_cached(
            inventory.intro, f"{shown}/{inventory.intro.name}", resolver, problems, environment
        )
        if inventory.intro is not None
        else ""
    )
    pretest = _quiz(inventory.pretest, PRETEST_KEY, shown, resolver, problems, environment)
    final_test = _quiz(inventory.final_test, FINAL_TEST_KEY, shown, resolver, problems, environment)
    if inventory.final_test is None:
        problems.error(
            f"{shown}/{FINAL_TEST_FILE}",
            None,
            _(
                "Kursus ini belum memiliki tes akhir. Buat berkas tes-akhir.md di folder kursus; "
                "nilai tes akhir menentukan kelulusan."
            ),
        )
    written = meta_read.lines.get("tes_awal_wajib")
    meta_first = meta_read.meta
    if written and meta_first and meta_first.pretest_required and inventory.pretest is None:
        problems.error(
            f"{shown}/{COURSE_FILE}",
            written,
            _(
                "tes_awal_wajib: ya, tetapi kursus ini tidak memiliki tes-awal.md. Buat "
                "berkas tes-awal.md, atau tulis tes_awal_wajib: tidak."
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
    meta = meta_read.meta
    specs = [m.spec for m in modules]
    loaded = [s for s in specs if s is not None]
    if meta is not None and final_test is not None and len(loaded) == len(specs):
        load = planned_load(loaded, pretest, final_test)
        path = f"{shown}/{COURSE_FILE}"
        check_jp_load(meta.jp, load, path, meta_read.lines.get("jp"), problems)
    result = sort_problems(problems.items)
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
        pretest_required=meta.pretest_required,
        min_time_percent=meta.min_time_percent,
        jenis_diklat_siasn=meta.jenis_diklat_siasn,
        sources=meta.sources,
        valid_as_of=meta.valid_as_of,
        intro_html=intro_html,
        observed_behaviours=meta.observed_behaviours,
    )
    return CourseLoad(course, result, name, meta.code, meta_read.lines)


def _quiz(
    path: Path | None,
    key: str,
    shown: str,
    resolver: LinkResolver,
    problems: ProblemLog,
    environment: str,
) -> QuizSpec | None:
    if path is None:
        return None
    return parse_quiz_cached(path, key, f"{shown}/{path.name}", resolver, problems, environment)


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
