"""Reading course files: UTF-8 decoding with a line number, the file inventory, hashing."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.content.format.problems import ProblemLog
from app.i18n import gettext as _

COURSE_FILE = "kursus.yaml"
PRETEST_FILE = "tes-awal.md"
FINAL_TEST_FILE = "tes-akhir.md"
INTRO_FILE = "pengantar.md"  # the course introduction, shown on the course page
MODULE_NAME = re.compile(r"^(?P<position>\d{2,3})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
QUIZ_SUFFIX = ".kuis.md"
# The folder of learning path files (content/jalur/*.yaml): not a course, read by
# app.learning.path_files.
PATHS_FOLDER = "jalur"


def is_ignored(name: str) -> bool:
    """Hidden files (editor backups, .DS_Store) and READMEs are notes for people, not content."""
    return name.startswith(".") or name.split(".")[0].casefold() == "readme" or name.endswith("~")


def relative(path: Path, root: Path) -> str:
    """`path` relative to the content root, with forward slashes, as problems show it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, shown: str, problems: ProblemLog) -> str | None:
    """The file as text with `\\n` line ends and no BOM, or None (reported) if it is not UTF-8."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.error(
            shown,
            line,
            _(
                "Berkas ini tidak tersimpan dalam pengodean UTF-8 (huruf pertama yang tidak "
                "terbaca ada di baris ini). Buka berkas di editor teks lalu simpan ulang sebagai "
                "UTF-8, misalnya di Notepad++: menu Encoding > Convert to UTF-8."
            ),
        )
        return None
    # Notepad writes a byte-order mark and Windows line ends; neither means anything here.
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def sha256_of(*chunks: bytes) -> str:
    """SHA-256 over chunks, each length-prefixed so that ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(len(chunk).to_bytes(8, "big"))
        digest.update(chunk)
    return digest.hexdigest()


def tree_hash(folder: Path) -> str:
    """A stable hash of every (non-ignored) file under `folder`: names and bytes, sorted."""
    chunks: list[bytes] = []
    for path in sorted(iter_files(folder), key=lambda p: p.relative_to(folder).as_posix()):
        chunks.append(path.relative_to(folder).as_posix().encode("utf-8"))
        chunks.append(path.read_bytes())
    return sha256_of(*chunks)


def iter_files(folder: Path) -> list[Path]:
    """Every file under `folder`, skipping hidden files and folders and READMEs."""
    found: list[Path] = []
    for path in sorted(folder.iterdir()):
        if is_ignored(path.name):
            continue
        if path.is_dir():
            found.extend(iter_files(path))
        elif path.is_file():
            found.append(path)
    return found


@dataclass
class Inventory:
    """The files of a course folder, sorted by what they are."""

    course_file: Path | None = None
    modules: dict[str, Path] = field(default_factory=dict)  # stem -> path
    quizzes: dict[str, Path] = field(default_factory=dict)  # module stem -> path of .kuis.md
    pretest: Path | None = None
    final_test: Path | None = None
    intro: Path | None = None
    misnamed: list[Path] = field(default_factory=list)  # .md files that fit no pattern
    other_top: list[Path] = field(default_factory=list)  # other files beside the modules
    assets: list[Path] = field(default_factory=list)  # files in subfolders


def take_inventory(folder: Path) -> Inventory:
    """Classify the files of a course folder by name; no file is read."""
    inventory = Inventory()
    for path in sorted(folder.iterdir()):
        name = path.name
        if is_ignored(name):
            continue
        if path.is_dir():
            inventory.assets.extend(iter_files(path))
        elif name == COURSE_FILE:
            inventory.course_file = path
        elif name == PRETEST_FILE:
            inventory.pretest = path
        elif name == FINAL_TEST_FILE:
            inventory.final_test = path
        elif name == INTRO_FILE:
            inventory.intro = path
        elif name.endswith(QUIZ_SUFFIX) and MODULE_NAME.match(
            name.removesuffix(".kuis.md") + ".md"
        ):
            inventory.quizzes[name.removesuffix(QUIZ_SUFFIX)] = path
        elif MODULE_NAME.match(name):
            inventory.modules[name.removesuffix(".md")] = path
        elif name.casefold().endswith(".md"):
            inventory.misnamed.append(path)
        else:
            inventory.other_top.append(path)
    return inventory
