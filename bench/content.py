"""Content benchmark: import, start-up and reload with ~500 modules, and what one edit costs.

Writes 63 generated courses of 8 modules next to the 3 demo courses (521 modules), then
measures on a fresh database:

1. the first import (`store.import_library`): every course rendered and published;
2. a reload with nothing changed (what every server start and `lentera content reload` do);
3. a reload after ONE module of ONE course changed (in this process, whose render memo holds
   the other modules), and again for another course with the memo emptied, as in a fresh
   `lentera content reload` process;
4. the server's start-up with content loading on, against off (the difference is the import).

Renders are counted by wrapping the Markdown renderer here in the bench (the app is not
changed): every `render_block` / `render_inline` call is attributed to the course folder of
the file it renders, so the report says how many modules and courses were rendered again.

    python bench/content.py [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import courses
from bench.common import PYTHON, ROOT, free_port, log, server_env
from bench.published import DEMO_CONTENT

GENERATED_COURSES = 63


@contextmanager
def counting_renders() -> Iterator[Counter[str]]:
    """Count Markdown renders per course folder, by wrapping the renderer wherever it is used."""
    from app.content.format import markdown

    counts: Counter[str] = Counter()
    originals: dict[str, Callable[..., Any]] = {
        "render_block": markdown.render_block,
        "render_inline": markdown.render_inline,
    }

    def wrap(name: str) -> Callable[..., Any]:
        original = originals[name]

        def counted(text: str, line: int, ctx: Any) -> Any:
            path = str(getattr(ctx, "path", ""))
            counts[f"{name}:{path.split('/', 1)[0]}"] += 1
            if name == "render_block":
                counts[f"file:{path}"] += 1
            return original(text, line, ctx)

        return counted

    patched: list[tuple[Any, str, Any]] = []
    for module in list(sys.modules.values()):
        if module is None or not getattr(module, "__name__", "").startswith("app."):
            continue
        for name, original in originals.items():
            if getattr(module, name, None) is original:
                patched.append((module, name, original))
                setattr(module, name, wrap(name))
    try:
        yield counts
    finally:
        for module, name, original in patched:
            setattr(module, name, original)


def _summary(counts: Counter[str]) -> dict[str, Any]:
    folders = {k.split(":", 1)[1] for k in counts if k.startswith("render_block:")}
    files = [k.split(":", 1)[1] for k in counts if k.startswith("file:")]
    module_files = [
        f for f in files if not f.endswith(("tes-awal.md", "tes-akhir.md")) and ".kuis." not in f
    ]
    return {
        "render_calls": sum(v for k, v in counts.items() if k.startswith("render_")),
        "courses_rendered": len(folders),
        "module_files_rendered": len(module_files),
    }


def _import(url: str, root: Path) -> dict[str, Any]:
    from app.content import store
    from app.db import make_engine, make_sessionmaker, session_scope

    engine = make_engine(url)
    try:
        with counting_renders() as counts:
            started = time.perf_counter()
            with session_scope(make_sessionmaker(engine)) as session:
                report = store.import_library(session, root)
            seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    return {
        "seconds": round(seconds, 2),
        "published": sorted(report.published),
        "unchanged": len(report.unchanged),
        "broken": sorted(report.broken),
        **_summary(counts),
    }


def _startup(url: str, root: Path, workdir: Path, load_content: bool) -> float:
    """Seconds from spawning `lentera serve` (1 worker) to its first /healthz answer."""
    env = server_env(url, workdir)
    env["LENTERA_CONTENT_DIR"] = str(root)
    env["LENTERA_LOAD_CONTENT_ON_START"] = "true" if load_content else "false"
    port = free_port()
    command = [PYTHON, "-m", "bench.serve", "app.main:create_app", "--factory", "--port", str(port)]
    started = time.perf_counter()
    with (workdir / "startup.log").open("ab") as log_file:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file, start_new_session=True
        )
    try:
        while time.perf_counter() - started < 300:
            if process.poll() is not None:
                raise RuntimeError(f"server exited; see {workdir / 'startup.log'}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def run(url: str, workdir: Path) -> dict[str, Any]:
    """The four measurements on a freshly migrated database at `url`."""
    root = workdir / "content"
    courses.write_library(root, GENERATED_COURSES, demo_content=DEMO_CONTENT)
    module_count = sum(
        1
        for course in root.iterdir()
        for f in course.glob("[0-9][0-9]-*.md")
        if not f.name.endswith(".kuis.md")
    )
    result: dict[str, Any] = {"courses": len(list(root.iterdir())), "modules": module_count}
    log(f"content: first import of {result['courses']} courses, {module_count} modules")
    result["first_import"] = _import(url, root)
    log("content: reload, nothing changed")
    result["reload_unchanged"] = _import(url, root)
    changed = root / courses.course_folder(7) / f"{courses.module_slugs(7)[2]}.md"
    changed.write_text(courses.module_markdown(7, 3, revision=1), encoding="utf-8")
    log(f"content: reload after one module changed ({changed.relative_to(root)})")
    result["changed_file"] = str(changed.relative_to(root))
    result["reload_one_module"] = _import(url, root)
    # `lentera content reload` runs in a fresh process: without the in-process render memo the
    # changed course's modules all render again (unchanged courses still are not loaded).
    from app.content.format import render_cache

    render_cache.clear()
    other = root / courses.course_folder(8) / f"{courses.module_slugs(8)[2]}.md"
    other.write_text(courses.module_markdown(8, 3, revision=1), encoding="utf-8")
    log(f"content: reload after one module changed, empty render memo ({other.relative_to(root)})")
    result["reload_one_module_fresh_process"] = _import(url, root)
    log("content: server start-up with and without loading content")
    result["startup_without_content"] = round(_startup(url, root, workdir, False), 2)
    result["startup_with_content"] = round(_startup(url, root, workdir, True), 2)
    one = result["reload_one_module"]
    result["only_changed_course_rendered"] = one["courses_rendered"] == 1
    result["only_changed_module_rendered"] = one["module_files_rendered"] == 1
    return result


def main(argv: Sequence[str] | None = None) -> int:
    from bench.common import scratch_database

    parser = argparse.ArgumentParser(description="Content import and reload benchmark.")
    parser.add_argument("--postgres-url", help="run on PostgreSQL instead of SQLite")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    backend = "postgresql" if args.postgres_url else "sqlite"
    with tempfile.TemporaryDirectory(prefix="lentera-content-") as folder:
        workdir = Path(folder)
        with scratch_database(backend, workdir, "lentera_bench_content", args.postgres_url) as url:
            result = run(url, workdir)
    text = json.dumps(result, indent=2)
    if args.output:
        args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
