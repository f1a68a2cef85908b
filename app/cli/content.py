"""`lentera content ...`: check course folders and learning path files, import Moodle question
banks, publish."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, transaction
from app.config import get_settings
from app.content.format.loader import Library, load_library
from app.content.format.problems import ProblemLog
from app.content.format.question_import import convert_file
from app.content.format.quiz_parser import parse_quiz_text
from app.content.format.sources import COURSE_FILE, is_ignored
from app.content.format.urls import CourseUrls, LinkResolver
from app.i18n import gettext as _
from app.learning import path_files, path_reload

content_cli = typer.Typer(
    help="Course content: check content folders and import Moodle question banks.",
    no_args_is_help=True,
    add_completion=False,
)


class QuestionFormat(StrEnum):
    gift = "gift"
    aiken = "aiken"


@content_cli.command("check")
def check(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Content folder (holding course folders) or one course folder. "
            "Default: LENTERA_CONTENT_DIR."
        ),
    ] = None,
) -> None:
    """Check every course (or one course folder) and the learning path files in jalur/; list
    each problem as file:line."""
    target = path if path is not None else get_settings().content_dir
    if not target.is_dir():
        typer.echo(_("Folder {path} tidak ditemukan.").format(path=target), err=True)
        raise typer.Exit(1)
    single = (target / COURSE_FILE).is_file() or _looks_like_a_course(target)
    if single:
        library = load_library(target.resolve().parent, course=target.resolve().name)
        checked = 1
    else:
        library = load_library(target)
        checked = len(library.courses) + len(library.broken)
    for problem in library.problems:
        typer.echo(str(problem))
    typer.echo(_summary(library, checked))
    path_errors = 0 if single else _check_paths(target, set(library.courses))
    if library.error_count or path_errors:
        raise typer.Exit(1)


def _check_paths(root: Path, codes: set[str]) -> int:
    """Check content/jalur/*.yaml against the courses of this folder; the number of errors."""
    paths = path_files.load_paths(root, codes)
    if not paths.found:
        return 0
    for problem in paths.problems:
        typer.echo(str(problem))
    typer.echo(
        _(
            "{checked} berkas jalur belajar diperiksa: {good} baik, {bad} bermasalah; "
            "{errors} galat, {warnings} peringatan"
        ).format(
            checked=len(paths.specs) + len(paths.broken),
            good=len(paths.specs),
            bad=len(paths.broken),
            errors=paths.error_count,
            warnings=paths.warning_count,
        )
    )
    return paths.error_count


def _looks_like_a_course(folder: Path) -> bool:
    """A course folder still missing its kursus.yaml (Markdown files beside it), not a root.

    Without this, its gambar/ and lampiran/ would be checked as courses of their own and the
    missing kursus.yaml reported on the wrong file (gambar/kursus.yaml).
    """
    return any(
        p.is_file() and p.suffix.casefold() == ".md" and not is_ignored(p.name)
        for p in folder.iterdir()
    )


def _summary(library: Library, checked: int) -> str:
    return _(
        "{checked} kursus diperiksa: {good} baik, {bad} bermasalah; {errors} galat, "
        "{warnings} peringatan"
    ).format(
        checked=checked,
        good=checked - len(library.broken),
        bad=len(library.broken),
        errors=library.error_count,
        warnings=library.warning_count,
    )


@content_cli.command("import-questions")
def import_questions(
    file: Annotated[
        Path, typer.Argument(help="Moodle question bank: .gift, or a GIFT/Aiken .txt.")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the result to this file (default: the screen)."),
    ] = None,
    fmt: Annotated[
        QuestionFormat | None,
        typer.Option(
            "--format", "-f", help="Force the format; default: detected from the file's content."
        ),
    ] = None,
) -> None:
    """Convert a Moodle GIFT or Aiken question bank into a Lentera quiz file."""
    if not file.is_file():
        typer.echo(_("Berkas {path} tidak ditemukan.").format(path=file), err=True)
        raise typer.Exit(1)
    markdown, problems = convert_file(file, fmt.value if fmt else None)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if not markdown:
        raise typer.Exit(1)
    # Read the result back with the real quiz parser, so what the trainer gets is a file that
    # `content check` accepts, and anything still missing (explanations) is named by its line.
    shown = output.name if output is not None else _("(hasil)")
    folder = (output or file).resolve().parent
    check_log = ProblemLog()
    resolver = LinkResolver(folder, CourseUrls("KODE"), frozenset())
    parse_quiz_text(markdown, "impor", shown, resolver, check_log)
    for problem in check_log.items:
        typer.echo(str(problem), err=True)
    if output is not None:
        output.write_text(markdown, encoding="utf-8")
        typer.echo(_("Soal ditulis ke {path}.").format(path=output), err=True)
    else:
        typer.echo(markdown, nl=False)


@content_cli.command("reload")
def content_reload(
    path: Annotated[
        Path | None, typer.Argument(help="Content folder (default: LENTERA_CONTENT_DIR).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Also replace courses whose live version was published from the web upload.",
        ),
    ] = False,
) -> None:
    """Import content/ and publish every course and learning path file that changed; no restart
    needed.

    Every worker and instance sharing the database serves the new versions on its next request.
    A course with errors is left out (its last good version stays published). A course whose
    live version was published from the web is not replaced unless --force is given.
    Learning paths in content/jalur/*.yaml are created or updated after the courses
    (app/learning/path_reload.py); a path file with errors is left out, its path unchanged.
    """
    from app import clock
    from app.content import store

    settings = get_settings()
    root = path or settings.content_dir
    if not root.is_dir():
        raise fail(f"Folder materi {root} tidak ditemukan.")
    with transaction(settings) as session:
        report = store.import_library(session, root, force=force)
        # Paths after courses: a path file may name a course published by this reload.
        path_report = path_reload.reload_paths(session, root, today=clock.today())
    for code in report.published:
        typer.echo(f"Diterbitkan: {code}")
    if report.unchanged:
        typer.echo(f"Tidak berubah: {', '.join(report.unchanged)}")
    for folder, problems in report.broken.items():
        typer.secho(f"Tidak dimuat: {folder}", fg=typer.colors.RED, err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
    for folder, problems in report.held.items():
        typer.secho(f"Ditahan: {folder}", fg=typer.colors.YELLOW, err=True)
        for problem in problems:
            typer.echo(f"  {problem.message}", err=True)
    _echo_paths(path_report)
    if report.broken or report.held or path_report.broken:
        raise typer.Exit(1)


def _echo_paths(report: path_reload.PathReloadReport) -> None:
    for slug in report.created:
        typer.echo(_("Jalur belajar dibuat: {slug}").format(slug=slug))
    for slug in report.updated:
        typer.echo(_("Jalur belajar diperbarui: {slug}").format(slug=slug))
    if report.unchanged:
        typer.echo(
            _("Jalur belajar tidak berubah: {slugs}").format(slugs=", ".join(report.unchanged))
        )
    for slug in report.released:
        typer.secho(
            _(
                "Berkas jalur {slug} sudah tidak ada: jalurnya dinonaktifkan dan kini diurus di "
                "web (ubah atau hapus di halaman Jalur belajar)."
            ).format(slug=slug),
            fg=typer.colors.YELLOW,
            err=True,
        )
    for slug in report.broken:
        typer.secho(
            _("Jalur belajar tidak dimuat: {slug}").format(slug=slug),
            fg=typer.colors.RED,
            err=True,
        )
    for problem in report.problems:
        typer.echo(f"  {problem}", err=True)
