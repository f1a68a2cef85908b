"""Machine instructions per request of the learner's busiest requests, counted by callgrind.

`/healthz` (the floor: test client, framework, edge middleware, a constant answer), the
learner home, catalogue, course page, module page, progress mark, and the final test's
start (answered with the open attempt) and attempt page.

CPU time on a shared 2-core machine varies by ±50% from run to run (docs/benchmarks.md, round
five), too much to see a change worth 5-10%. Instructions are repeatable: the same code, data
and inputs give the same count within a fraction of a percent, whatever else runs. This runs
the app in-process (the test client, as bench/page_statements.py: no server, no network) under
`valgrind --tool=callgrind`, dumps the counters before each request kind and again after
`--requests` requests of it. The attempt page moves by ~3% between runs: each run's
attempt draws its own questions; the other counts repeat within 1%.

    python bench/instructions.py [--requests 60]            # prints a Markdown table
    python bench/instructions.py BEFORE_CHECKOUT AFTER_CHECKOUT  # side by side

Slow on purpose (callgrind runs Python ~20× slower): about three minutes per checkout. The
absolute counts include the test client's own work (the same in every checkout), so compare
counts of the same run or the same machine kind, not with the CPU figures of bench/load.py.
The content recheck, which runs on a clock, is set a minute apart (its most): callgrind's
slowness would otherwise make it ~20 times as frequent per request as in a server.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODULE = "/kursus/KOM-101/modul/01-dasar-komunikasi-pelayanan"
# /healthz first: the floor every other count includes (the test client, the ASGI app, the
# edge middleware, a sync route that answers a constant).
GETS = {
    "healthz (floor)": "/healthz",
    "home": "/",
    "catalogue": "/kursus",
    "course": "/kursus/KOM-101",
    "module": MODULE,
}
MARK = "progress mark"
FINAL = "/kursus/KOM-101/tes/tes-akhir"
START = "quiz start (open attempt)"
ATTEMPT = "quiz attempt page"
_TOTAL = re.compile(r"^summary:\s*(\d+)", re.MULTILINE)


_CLIENT = r"""
#include <valgrind/callgrind.h>
void lentera_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""


def _callgrind(build_dir: Path) -> Any:
    """Callgrind's client request "dump the counters under a name", compiled
    into a small library: they are machine-code sequences a C macro emits, and callgrind
    reads them in the process it runs (callgrind_control needs vgdb, not always usable)."""
    source = build_dir / "client.c"
    library = build_dir / "client.so"
    source.write_text(_CLIENT)
    compiler = shutil.which("cc") or shutil.which("gcc") or "cc"
    subprocess.run(  # noqa: S603
        [compiler, "-shared", "-fPIC", "-O1", "-o", str(library), str(source)], check=True
    )
    return ctypes.CDLL(str(library))


def _inner(requests: int, code_root: Path) -> None:
    """Runs under callgrind: one dump file per request kind, named after it. The app comes
    from `code_root` (the checkout measured), the scenario from this file's checkout."""
    spec = importlib.util.spec_from_file_location(
        "lentera_bench_page_statements", Path(__file__).with_name("page_statements.py")
    )
    assert spec is not None and spec.loader is not None
    page_statements = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(page_statements)
    learner_client = page_statements.learner_client
    sys.path.insert(0, str(code_root))  # after page_statements put this checkout first

    from sqlalchemy import update

    from app.db import session_scope
    from app.learning.models import ModuleProgress
    from bench.common import scratch_database

    with (
        tempfile.TemporaryDirectory(prefix="lentera-instructions-") as workdir,
        scratch_database("sqlite", Path(workdir), "instructions", None) as url,
        # Rechecks on a clock (content, sessions) would run ~20 times as often per request
        # under callgrind as in a server: counted here is the request itself.
        learner_client(url, content_recheck_seconds=60, session_recheck_seconds=1) as (
            application,
            client,
            user_id,
        ),
    ):
        with session_scope(application.state.sessionmaker) as session:
            session.execute(
                update(ModuleProgress)
                .where(ModuleProgress.user_id == user_id)
                .values(completed_at=ModuleProgress.first_opened_at)
            )
        callgrind = _callgrind(Path(workdir))
        page = client.get(MODULE).text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        kinds = {name: ("GET", path) for name, path in GETS.items()}
        kinds[MARK] = ("POST", f"{MODULE}/selesai")
        for name, (method, path) in kinds.items():
            for _ in range(5):  # warm: caches, the first visit's writes
                _request(client, method, path, token)
            # A dump zeroes every thread's counters (ZERO_STATS only the calling thread's,
            # and the test client serves requests from a thread of its own).
            callgrind.lentera_dump(b"warm-up")
            for _ in range(requests):
                _request(client, method, path, token)
            callgrind.lentera_dump(_dump_name(name))
        # The final test, once every module is done: the start (answered with the attempt
        # already open, as every start after the first) and the attempt page it leads to.
        _complete_every_module(application, user_id)
        started = client.post(f"{FINAL}/mulai", data={"csrf_token": token})
        assert started.status_code == 303, started.status_code
        attempt = started.headers["location"]
        for name, (method, path) in {
            START: ("POST", f"{FINAL}/mulai"),
            ATTEMPT: ("GET", attempt),
        }.items():
            for _ in range(5):
                _request(client, method, path, token)
            callgrind.lentera_dump(b"warm-up")
            for _ in range(requests):
                _request(client, method, path, token)
            callgrind.lentera_dump(_dump_name(name))


def _dump_name(kind: str) -> bytes:
    return re.sub(r"[^a-z]+", "_", kind).strip("_").encode()


def _complete_every_module(application: Any, user_id: int) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from app.content.models import Course, ModuleVersion
    from app.db import session_scope
    from app.learning.models import ModuleProgress

    now = datetime.now(UTC)
    with session_scope(application.state.sessionmaker) as session:
        course = session.scalars(select(Course).where(Course.code == "KOM-101")).one()
        done = set(
            session.scalars(
                select(ModuleProgress.module_slug).where(ModuleProgress.user_id == user_id)
            )
        )
        for slug in session.scalars(
            select(ModuleVersion.slug).where(
                ModuleVersion.course_version_id == course.current_version_id
            )
        ):
            if slug not in done:
                session.add(
                    ModuleProgress(
                        user_id=user_id, course_id=course.id, module_slug=slug, completed_at=now
                    )
                )


def _request(client: object, method: str, path: str, token: str) -> None:
    import secrets

    if method == "GET":
        response = client.get(path)  # type: ignore[attr-defined]
        assert response.status_code == 200, (path, response.status_code)
        return
    form = {"csrf_token": token}
    if path.endswith("/selesai"):
        form["event_id"] = secrets.token_hex(8)
    response = client.post(path, data=form)  # type: ignore[attr-defined]
    assert response.status_code == 303, (path, response.status_code)


def count(checkout: Path, requests: int) -> dict[str, float]:
    """Instructions per request of each kind, for the code in `checkout`."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="lentera-callgrind-") as out:
        out_dir = Path(out)
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out_dir}/cg.%p",
            sys.executable,
            str(Path(__file__).resolve()),
            "--inner",
            str(checkout),
            "--requests",
            str(requests),
        ]
        env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
        subprocess.run(command, cwd=checkout, env=env, check=True, capture_output=True)  # noqa: S603
        counts: dict[str, float] = {}
        for dump in out_dir.glob("cg.*"):
            text = dump.read_text(errors="replace")
            trigger = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.MULTILINE)
            total = _TOTAL.search(text)
            if trigger is None or total is None or trigger.group(1).strip() == "warm-up":
                continue
            counts[trigger.group(1).strip()] = int(total.group(1)) / requests
        return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument(
        "checkouts", type=Path, nargs="*", help="checkouts to count (default: this one)"
    )
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        _inner(args.requests, args.inner)
        return
    checkouts = [c.resolve() for c in args.checkouts] or [ROOT]
    results = {str(c): count(c, args.requests) for c in checkouts}
    names = [*GETS, MARK, START, ATTEMPT]
    print("| Request | " + " | ".join(f"`{c}`" for c in results) + " |")
    print("| --- |" + " ---: |" * len(results))
    for name in names:
        cells = []
        for found in results.values():
            value = found.get(_dump_name(name).decode())
            cells.append("?" if value is None else f"{value / 1e6:.2f} M")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
