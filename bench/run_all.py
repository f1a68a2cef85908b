"""Run every benchmark and write docs/benchmarks.md: one command, bounded in time.

    python bench/run_all.py [--scale default|small] [--postgres-url URL]

default (~25-30 minutes on 2 cores): 10,000 ASN generated on SQLite and PostgreSQL; load on
SQLite with 1 and 2 workers and PostgreSQL with 2, profiled; the export on a dataset of its
own with >= 1,000,000 enrolments on both; content import and reload with 521 modules; query
plans of the key queries at default scale. `small` (a few minutes) runs the same steps at
2,000 ASN with shorter load runs and writes its report under the work directory instead.

Results are also kept as JSON next to the report (`--report-only FILE` re-renders it). The
scratch databases live under --workdir (SQLite) or are created and dropped on the PostgreSQL
server (`lentera_bench`, `lentera_bench_export`).
"""

# ruff: noqa: S108 - default scratch directory
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import content, export, load, plans, report
from bench.common import ROOT, log, machine_info, scratch_database, write_json
from bench.generate import generate

DEFAULT_REPORT = ROOT / "docs" / "benchmarks.md"
SETTINGS = {
    # scale: (dataset, export dataset, wrk seconds per run, py-spy seconds, export repeats)
    "default": ("default", "export", 10.0, 10.0, 2),
    "small": ("small", "small", 4.0, 4.0, 1),
}


def _step(results: dict[str, Any], key: str, action: Callable[[], Any]) -> Any:
    """Run one step; a failure is recorded in the report instead of losing the whole run."""
    try:
        return action()
    except Exception as exc:
        log(f"{key} failed: {exc}")
        results.setdefault("errors", {})[key] = "".join(traceback.format_exception(exc))[-3000:]
        return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    from app.db import make_engine, make_sessionmaker

    dataset, export_dataset, seconds, profile_seconds, repeats = SETTINGS[args.scale]
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    results: dict[str, Any] = {
        "command": "python bench/run_all.py --scale "
        + args.scale
        + (" --postgres-url URL" if args.postgres_url else ""),
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "scale": args.scale,
        "machine": machine_info(args.postgres_url),
        "generate": {},
        "load": [],
        "export": {},
        "plans": {},
    }
    backends = ["sqlite"] + (["postgresql"] if args.postgres_url else [])
    # py-spy profiles: one configuration per database (the profile is the same with more workers).
    profiled = {("sqlite", 1), ("postgresql", 2)}

    for backend in backends:
        name = "lentera_bench" if backend == "postgresql" else "bench-default"
        with scratch_database(backend, workdir, name, args.postgres_url) as url:
            engine = make_engine(url)
            log(f"generating {dataset} scale on {backend}")
            generated = generate(engine, dataset, log=log)
            log(generated.summary())
            results["generate"][backend] = asdict(generated)
            fixture = load.prepare(engine, workdir / f"load-{backend}")
            checks = _step(
                results,
                f"plans-{backend}",
                lambda e=engine: plans.run_checks(e, make_sessionmaker(e)),
            )
            if checks is not None:
                results["plans"][backend] = {
                    "rows": plans.table_rows(engine),
                    "checks": [asdict(c) | {"ok": c.ok} for c in checks],
                }
            engine.dispose()
            for workers in [1, 2] if backend == "sqlite" else [2]:
                config = _step(
                    results,
                    f"load-{backend}-{workers}",
                    lambda w=workers, u=url, b=backend, f=fixture: load.run_config(
                        b, u, w, f, workdir / f"load-{b}", seconds=seconds,
                        profile_seconds=profile_seconds if (b, w) in profiled else 0,
                    ),
                )  # fmt: skip
                if config is not None:
                    results["load"].append(config.as_dict())
            write_json(workdir / "results.json", results)

    for backend in backends:
        name = "lentera_bench_export" if backend == "postgresql" else "bench-export"
        with scratch_database(backend, workdir, name, args.postgres_url) as url:
            engine = make_engine(url)
            log(f"generating the export dataset ({export_dataset}) on {backend}")
            generated = generate(engine, export_dataset, log=log)
            results["generate"][f"{backend} (export dataset)"] = asdict(generated)
            engine.dispose()
            outcome = _step(
                results,
                f"export-{backend}",
                lambda u=url, b=backend: export.run(
                    u, workdir / f"export-{b}", repeats=repeats, profile=True
                ),
            )
            results["export"][backend] = outcome or {"error": "see errors"}
        write_json(workdir / "results.json", results)

    log("content benchmark")
    with scratch_database("sqlite", workdir, "bench-content", None) as url:
        outcome = _step(results, "content", lambda: content.run(url, workdir / "content-bench"))
        if outcome is not None:
            results["content"] = outcome
    results["minutes"] = (time.time() - started) / 60
    results["load_average_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    write_json(workdir / "results.json", results)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SETTINGS), default="default")
    parser.add_argument("--postgres-url", help="e.g. postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/lentera-bench-run"))
    parser.add_argument(
        "--output",
        type=Path,
        help="the report (default: docs/benchmarks.md "
        "for the default scale, WORKDIR/benchmarks-small.md otherwise)",
    )
    parser.add_argument("--report-only", type=Path, help="re-render a results.json")
    args = parser.parse_args(argv)
    results = json.loads(args.report_only.read_text()) if args.report_only else run(args)
    output = args.output or (
        DEFAULT_REPORT
        if results["scale"] == "default"
        else args.workdir / f"benchmarks-{results['scale']}.md"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report.render(results), encoding="utf-8")
    log(f"report written to {output}")
    if results.get("errors"):
        log(f"steps that failed: {', '.join(results['errors'])}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
