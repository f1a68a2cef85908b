"""A per-process memo of rendered modules and quizzes, so a reload renders only what changed.

Rendering is pure given its inputs, so a page is remembered under a hash of everything it
depends on:

- `ENGINE_VERSION` (a renderer change bumps it) and the interface language (problem messages
  are translated);
- the page's own bytes (module and its practice quiz), and the path it is shown under;
- the course's *environment*: the code (every URL holds it), the name of every file in the
  folder (links are checked against sibling files, e.g. `02-x.md`, `tes-akhir.md`,
  `gambar/alur.png`) and the bytes of every image (its width and height go into `<img>`).

What rendering also produces besides the spec is recorded and replayed on a hit: the problems
it reported, the assets it used (`LinkResolver.used_assets`, checked per course) and, for
modules, the heading ids and anchor links (checked across the modules of a course).

The memo lives in the process: `lentera content reload` in a fresh process renders a changed
course in full once (a few milliseconds per module); an unchanged course is not loaded at all
(see `store.import_library`), which is what keeps start-up and reload fast.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from app.content.format import specs
from app.content.format.assets import IMAGE_TYPES, file_type
from app.content.format.markdown import render_block
from app.content.format.module_loader import LoadedModule, ModuleFiles, load_module
from app.content.format.problems import Problem, ProblemLog
from app.content.format.quiz_parser import parse_quiz
from app.content.format.render_context import LinkUse, RenderContext
from app.content.format.sources import iter_files, read_text, sha256_of
from app.content.format.specs import ModuleSpec, QuizSpec, TocEntry
from app.content.format.urls import LinkResolver
from app.i18n import get_locale
from app.i18n import gettext as _

# A module entry holds its HTML (a few kB); 4096 covers several libraries of 500 modules.
MAX_ENTRIES = 4096

T = TypeVar("T")


@dataclass(frozen=True)
class _Module:
    spec: ModuleSpec | None
    ids: frozenset[str]
    toc: tuple[TocEntry, ...]
    anchor_links: tuple[LinkUse, ...]
    assets: frozenset[str]


@dataclass(frozen=True)
class _Entry:
    value: object  # a _Module or a QuizSpec | None, read back by the caller that stored it
    problems: tuple[Problem, ...]
    used_assets: frozenset[str]


_entries: OrderedDict[str, _Entry] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    """Forget every remembered page (tests; nothing else needs it: keys never go stale)."""
    with _lock:
        _entries.clear()


def course_environment(folder: Path, code: str) -> str:
    """A hash of what every page of a course depends on beyond its own file (see above)."""
    chunks = [code.encode("utf-8")]
    for path in iter_files(folder):
        name = path.relative_to(folder).as_posix()
        chunks.append(name.encode("utf-8"))
        # Only images are read while rendering (their size); other files only need to exist.
        chunks.append(path.read_bytes() if file_type(name) in IMAGE_TYPES else b"")
    return sha256_of(*chunks)


def load_module_cached(
    files: ModuleFiles, resolver: LinkResolver, problems: ProblemLog, environment: str
) -> LoadedModule:
    """`module_loader.load_module`, rendered again only when something it depends on changed."""
    quiz_bytes = files.quiz_path.read_bytes() if files.quiz_path is not None else b""
    key = _key("module", environment, files.shown, files.path.read_bytes(), quiz_bytes)

    def render() -> _Module:
        loaded = load_module(files, resolver, problems)
        ctx = loaded.context
        return _Module(
            loaded.spec,
            frozenset(ctx.ids),
            tuple(ctx.toc),
            tuple(ctx.anchor_links),
            frozenset(ctx.assets),
        )

    module = _remember(key, problems, resolver, render)
    ctx = RenderContext(
        files.shown,
        problems,
        resolver,
        ids=set(module.ids),
        toc=list(module.toc),
        anchor_links=list(module.anchor_links),
        assets=set(module.assets),
    )
    return LoadedModule(module.spec, ctx)


def parse_quiz_cached(
    path: Path,
    key: str,
    shown: str,
    resolver: LinkResolver,
    problems: ProblemLog,
    environment: str,
) -> QuizSpec | None:
    """`quiz_parser.parse_quiz` for a pre-test or final test, remembered like a module."""
    memo_key = _key(f"quiz:{key}", environment, shown, path.read_bytes())
    return _remember(
        memo_key, problems, resolver, lambda: parse_quiz(path, key, shown, resolver, problems)
    )


def render_intro_cached(
    path: Path, shown: str, resolver: LinkResolver, problems: ProblemLog, environment: str
) -> str:
    """The course introduction (`pengantar.md`, plain Markdown) as HTML, remembered likewise."""
    memo_key = _key("intro", environment, shown, path.read_bytes())

    def render() -> str:
        text = read_text(path, shown, problems)
        if text is None:
            return ""
        if not text.strip():
            problems.warning(
                shown, 1, _("pengantar.md masih kosong. Isi dengan pengantar kursus, atau hapus.")
            )
            return ""
        return render_block(text, 1, RenderContext(shown, problems, resolver))

    return _remember(memo_key, problems, resolver, render)


def _key(kind: str, environment: str, shown: str, *data: bytes) -> str:
    text = "\0".join((kind, specs.ENGINE_VERSION, get_locale(), environment, shown))
    return sha256_of(text.encode("utf-8"), *data)


def _remember(key: str, problems: ProblemLog, resolver: LinkResolver, render: Callable[[], T]) -> T:
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
    if entry is None:
        mark = problems.count()
        # Record the assets this page uses on its own: another page may have used them already.
        outer = resolver.used_assets
        resolver.used_assets = set()
        try:
            value = render()
        finally:
            used, resolver.used_assets = resolver.used_assets, outer
        entry = _Entry(value, tuple(problems.items[mark:]), frozenset(used))
        with _lock:
            _entries[key] = entry
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    else:
        problems.extend(list(entry.problems))
    resolver.used_assets |= entry.used_assets
    return cast(T, entry.value)
