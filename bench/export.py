"""Export benchmark: the completion-records CSV beside the database's own CSV tool.

On a dataset with >= 1,000,000 enrolments (the export's rows; `--scale export` of the
generator), in the same run and alternating, twice each:

- Lentera: `app.reports.exports.stream_export` (Lentera layout, `;`, BOM: what HR downloads),
  in a subprocess of its own under /usr/bin/time -v for wall time and peak RSS;
- the database: `sqlite3 -csv` / `psql -c "\\copy (...) TO ... CSV"` running the very SQL of
  `records_query` (compiled with its parameters inlined) into a file.

Targets: Lentera within 2x of the tool, peak RSS under 200 MB.

    python bench/export.py --database-url URL [--profile]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.common import PYTHON, ROOT, libpq_url, log, timed_subprocess

TIME_LIMIT_RATIO = 2.0
RSS_LIMIT_MB = 200


def export_sql(database_url: str) -> str:
    """The export's SELECT as the database's own tool would run it (parameters inlined)."""
    from app.db import make_engine
    from app.reports.completions import ExportFilters, records_query

    engine = make_engine(database_url)
    try:
        compiled = records_query(ExportFilters()).compile(
            dialect=engine.dialect, compile_kwargs={"literal_binds": True}
        )
        return " ".join(str(compiled).split())
    finally:
        engine.dispose()


def cell_text_sql(database_url: str) -> str:
    """The SQL of Lentera's CSV fast path, parameters inlined: the same work in the database.

    `app.reports.completions_csv` has the database compute every cell's text (WITA dates,
    labels, status, the formula quote): one line of cells per row on SQLite, the cells for
    COPY's CSV on PostgreSQL. The tool running this very query shows what is left to Python.
    """
    from app.db import make_engine
    from app.reports import completions_csv
    from app.reports.completions import ExportFilters
    from app.reports.csv_sql import cell_line

    query, cells = completions_csv.lentera_cells(ExportFilters())
    engine = make_engine(database_url)
    try:
        if engine.dialect.name == "sqlite":
            query = query.with_only_columns(cell_line(*cells))
        else:
            query = query.with_only_columns(*cells)
        compiled = query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
        return " ".join(str(compiled).split())
    finally:
        engine.dispose()


def worker(database_url: str, output: Path) -> dict[str, Any]:
    """Run inside the measured subprocess: stream the export to `output`."""
    from app.db import make_engine, make_sessionmaker
    from app.reports import exports
    from app.reports.completions import ExportFilters

    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)

    @contextmanager
    def open_session() -> Iterator[Session]:
        with factory() as session:
            yield session

    started = time.perf_counter()
    size = 0
    with output.open("wb") as out:
        for chunk in exports.stream_export(
            open_session,
            layout="lentera",
            fmt="csv",
            filters=ExportFilters(),
            issuer="BKPSDM Kota Palu",
            delimiter=";",
            bom=True,
        ):
            out.write(chunk)
            size += len(chunk)
    engine.dispose()
    return {"seconds": time.perf_counter() - started, "bytes": size}


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def run_tool(database_url: str, sql: str, output: Path) -> tuple[float, int]:
    """The database's CSV tool, writing the same rows (with a header) to `output`."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        command = ["sqlite3", "-csv", "-header", str(url.database), sql]
        started = time.perf_counter()
        with output.open("wb") as out:
            subprocess.run(command, stdout=out, check=True)  # noqa: S603
        return time.perf_counter() - started, _count_lines(output)
    copy = f"\\copy ({sql}) TO '{output}' WITH (FORMAT csv, HEADER)"
    started = time.perf_counter()
    subprocess.run(["psql", "-X", "-q", libpq_url(database_url), "-c", copy], check=True)  # noqa: S603, S607
    return time.perf_counter() - started, _count_lines(output)


def run_lentera(database_url: str, output: Path) -> tuple[float, int, int]:
    """stream_export in a fresh process: (wall seconds, peak RSS in KB, lines written)."""
    command = [PYTHON, "-m", "bench.export", "--worker", "--database-url", database_url,
               "--output", str(output)]  # fmt: skip
    seconds, rss_kb, _stderr = timed_subprocess(command, cwd=ROOT)
    return seconds, rss_kb, _count_lines(output)


def profile_lentera(database_url: str, workdir: Path) -> dict[str, Any]:
    """Where the export's time goes (py-spy, CPU samples of the worker process)."""
    from bench import profiles

    spy = profiles.py_spy()
    if spy is None:
        return {}
    out = workdir / "profile-export.txt"
    command = [spy, "record", "--rate", "50", "--format", "raw", "--output", str(out), "--",
               PYTHON, "-m", "bench.export", "--worker", "--database-url", database_url,
               "--output", str(workdir / "profiled.csv")]  # fmt: skip
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True)  # noqa: S603
    return profiles.summarise(out.read_text(), path=str(out), top=15)


def run(
    database_url: str, workdir: Path, *, repeats: int = 2, profile: bool = False
) -> dict[str, Any]:
    """Alternate the tool and Lentera `repeats` times; compare the best of each."""
    from app.db import make_engine, make_sessionmaker
    from app.reports.completions import ExportFilters, count_records

    workdir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        rows = count_records(session, ExportFilters())
    backend = engine.dialect.name
    engine.dispose()
    sql = export_sql(database_url)
    formatted = cell_text_sql(database_url)
    tool_runs: list[float] = []
    formatted_runs: list[float] = []
    app_runs: list[dict[str, Any]] = []
    for n in range(repeats):
        log(f"export {backend}: database tool, run {n + 1}")
        seconds, tool_lines = run_tool(database_url, sql, workdir / "tool.csv")
        tool_runs.append(seconds)
        seconds, _lines = run_tool(database_url, formatted, workdir / "tool-formatted.csv")
        formatted_runs.append(seconds)
        log(f"export {backend}: stream_export, run {n + 1}")
        seconds, rss_kb, app_lines = run_lentera(database_url, workdir / "lentera.csv")
        app_runs.append({"seconds": seconds, "rss_mb": rss_kb / 1024, "lines": app_lines})
    best_tool = min(tool_runs)
    best_app = min(r["seconds"] for r in app_runs)
    peak_rss = max(r["rss_mb"] for r in app_runs)
    result: dict[str, Any] = {
        "backend": backend,
        "rows": rows,
        "tool": "sqlite3 -csv" if backend == "sqlite" else "psql \\copy",
        "tool_seconds": tool_runs,
        "tool_lines": tool_lines,
        "lentera_runs": app_runs,
        "lentera_bytes": (workdir / "lentera.csv").stat().st_size,
        "tool_bytes": (workdir / "tool.csv").stat().st_size,
        "ratio": best_app / best_tool if best_tool else float("inf"),
        # The same job for the tool: Lentera's cell text computed in SQL (cell_text_sql).
        "tool_formatted_seconds": formatted_runs,
        "ratio_formatted": best_app / min(formatted_runs) if formatted_runs else float("inf"),
        "peak_rss_mb": peak_rss,
        "rows_per_s": rows / best_app if best_app else 0.0,
        "time_ok": best_app <= TIME_LIMIT_RATIO * best_tool,
        "memory_ok": peak_rss < RSS_LIMIT_MB,
        "same_rows": tool_lines == app_runs[-1]["lines"] == rows + 1,
        "sql": sql,
    }
    if profile:
        log(f"export {backend}: profiling stream_export with py-spy")
        result["profile"] = profile_lentera(database_url, workdir)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export benchmark.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.database_url, args.output)))
        return 0
    with tempfile.TemporaryDirectory(prefix="lentera-export-") as folder:
        result = run(args.database_url, Path(folder), repeats=args.repeats, profile=args.profile)
    text = json.dumps(result, indent=2, default=str)
    if args.output:
        args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
