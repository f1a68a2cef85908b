"""The names of a course's files: modules, practice quizzes, tests, and what is misnamed."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from app.content.format.module_loader import ModuleFiles
from app.content.format.problems import ProblemLog
from app.content.format.sources import (
    COURSE_FILE,
    FINAL_TEST_FILE,
    MODULE_NAME,
    PRETEST_FILE,
    Inventory,
)
from app.i18n import gettext as _

# Names a course's data file is given by mistake (kursus.yaml is the only one read).
_COURSE_FILE_LOOKALIKES = ("course", "kursus", "info", "course-info", "metadata")


def report_missing_course_file(folder: Path, shown: str, problems: ProblemLog) -> None:
    """The folder has no kursus.yaml: say so, and spot a kursus.yml or similar."""
    near = sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file()
        and (p.suffix in (".yaml", ".yml") or p.stem.casefold() in _COURSE_FILE_LOOKALIKES)
    )
    hint = _(" Ganti nama {name} menjadi kursus.yaml.").format(name=near[0]) if near else ""
    if near and near[0].casefold().endswith(".md"):
        hint += _(" Isinya hanya kunci YAML (kode:, judul:, ...), tanpa baris --- pembuka.")
    problems.error(
        # Reported on the file that is there to be renamed, when there is one.
        f"{shown}/{near[0] if near else COURSE_FILE}",
        None,
        _(
            "Folder {folder} tidak memiliki kursus.yaml, jadi tidak dapat dimuat sebagai kursus. "
            "Setiap folder di dalam folder materi adalah satu kursus.{hint}"
        ).format(folder=shown, hint=hint),
    )


def check_file_names(shown: str, inventory: Inventory, problems: ProblemLog) -> None:
    """Report .md files that fit no pattern and practice quizzes without their module."""
    known = [COURSE_FILE, PRETEST_FILE, FINAL_TEST_FILE]
    for path in inventory.misnamed:
        guess = difflib.get_close_matches(path.name.casefold(), known, n=1, cutoff=0.75)
        if guess:
            hint = _("Mungkin maksud Anda {guess}?").format(guess=guess[0])
        else:
            hint = _(
                "Nama modul berbentuk dua angka urutan, tanda hubung, lalu nama dengan huruf "
                "kecil dan tanda hubung, misalnya 01-dasar-hukum.md; kuis latihannya "
                "01-dasar-hukum.kuis.md."
            )
            suggestion = _suggest_module_name(path.name)
            if suggestion:
                hint += _(" Usul nama: {name}.").format(name=suggestion)
        problems.error(
            f"{shown}/{path.name}",
            None,
            _("Nama berkas {name} tidak dikenali, jadi berkas ini tidak dimuat. {hint}").format(
                name=path.name, hint=hint
            ),
        )
    for stem, path in sorted(inventory.quizzes.items()):
        if stem not in inventory.modules:
            problems.error(
                f"{shown}/{path.name}",
                None,
                _(
                    "Kuis latihan ini tidak memiliki modul {module}. Nama kuis harus sama persis "
                    "dengan nama modulnya, ditambah .kuis.md."
                ).format(module=f"{stem}.md")
                + _did_you_mean_module(stem, inventory),
            )


def _suggest_module_name(name: str) -> str | None:
    stem = name[: -len(".md")] if name.casefold().endswith(".md") else name
    match = re.match(r"^(\d+)[\s_.-]*(.*)$", stem)
    if match is None:
        return None
    slug = re.sub(r"[^a-z0-9]+", "-", match.group(2).casefold()).strip("-")
    candidate = f"{int(match.group(1)):02d}-{slug}.md"
    return candidate if slug and MODULE_NAME.match(candidate) else None


def _did_you_mean_module(stem: str, inventory: Inventory) -> str:
    guess = difflib.get_close_matches(stem, list(inventory.modules), n=1, cutoff=0.6)
    return _(" Mungkin modulnya {name}?").format(name=f"{guess[0]}.md") if guess else ""


def module_files(shown: str, inventory: Inventory, problems: ProblemLog) -> list[ModuleFiles]:
    """The module files in name order; a position number used twice is reported."""
    files: list[ModuleFiles] = []
    positions: dict[int, str] = {}
    for stem, path in sorted(inventory.modules.items()):
        match = MODULE_NAME.match(path.name)
        assert match is not None  # the inventory only lists matching names
        position = int(match.group("position"))
        if position in positions:
            problems.error(
                f"{shown}/{path.name}",
                None,
                _(
                    "Nomor urut {position:02d} sudah dipakai oleh {other}. Setiap modul perlu "
                    "nomor urut sendiri: ganti nomor di depan salah satu nama berkas."
                ).format(position=position, other=positions[position]),
            )
        else:
            positions[position] = path.name
        quiz = inventory.quizzes.get(stem)
        files.append(
            ModuleFiles(
                slug=stem,
                position=position,
                path=path,
                shown=f"{shown}/{path.name}",
                quiz_path=quiz,
                quiz_shown=f"{shown}/{quiz.name}" if quiz else "",
            )
        )
    return files
