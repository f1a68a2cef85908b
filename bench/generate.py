"""Realistic synthetic data for benchmarks and query-plan tests, on SQLite and PostgreSQL.

`generate(engine, scale)` fills a freshly migrated database: ~60 units kerja with Palu names,
ASN with structurally valid NIPs (PNS and PPPK), the 3 demo courses plus generated ones
published through the real importer (`store.import_library`), then enrolments, module
progress, progress events, quiz attempts (drawn and graded by the real grading code),
completions with certificates, assignments (overdue and not), evaluations and external
learning.

Bulk inserts: SQLAlchemy Core `insert()` with lists of dicts, 10,000 rows a statement, on
SQLite; `COPY ... FROM STDIN` through psycopg on PostgreSQL. Rows carry explicit ids so child
rows can reference parents without round trips; PostgreSQL sequences are moved past them at
the end. One password is hashed once and shared by every generated account.

CLI: python bench/generate.py --database-url URL [--scale default|small|export] [--migrate]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `app` and `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, func, select

from app.accounts.models import Unit, User
from app.content.models import Course, CourseVersion
from app.db import make_engine
from bench.history import Generator, fill_certificate_units
from bench.people import PASSWORD
from bench.published import load_courses, publish_courses
from bench.scales import SCALES, Scale

__all__ = ["PASSWORD", "SCALES", "GenerateReport", "Scale", "generate"]


@dataclass
class GenerateReport:
    scale: str
    backend: str
    seconds: float = 0.0
    content_seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        counts = ", ".join(f"{table} {count:,}" for table, count in self.rows.items())
        return (
            f"{self.scale} scale on {self.backend}: {self.seconds:.1f} s "
            f"(content import {self.content_seconds:.1f} s); {counts}"
        )


def generate(
    engine: Engine,
    scale: Scale | str = "small",
    *,
    seed: int = 7,
    log: Callable[[str], None] | None = None,
) -> GenerateReport:
    """Fill a freshly migrated, empty database with `scale`'s synthetic data."""
    scale = SCALES[scale] if isinstance(scale, str) else scale
    say = log or (lambda _message: None)
    report = GenerateReport(scale=scale.name, backend=engine.dialect.name)
    started = time.perf_counter()
    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(User.__table__)):
            raise RuntimeError("generate() needs an empty, migrated database (users exist)")
    generator = Generator(engine, scale, seed)
    say(f"people: {scale.users:,} ASN in {scale.units} units")
    users = generator.people()
    with tempfile.TemporaryDirectory(prefix="lentera-bench-content-") as folder:
        say(f"content: 3 demo + {scale.generated_courses} generated courses")
        t0 = time.perf_counter()
        publish_courses(engine, scale.generated_courses, Path(folder))
        report.content_seconds = time.perf_counter() - t0
    infos = load_courses(engine, generator.rng)
    say(f"learning: ~{scale.enrolments:,} enrolments, ~{scale.completions:,} completions")
    generator.learning(users, infos)
    fill_certificate_units(engine)
    say("finishing (sequences, statistics)")
    generator.writer.finish(
        [m.__table__ for m in (Unit, User, *Generator.ORDER)]  # type: ignore[misc]
    )
    report.seconds = time.perf_counter() - started
    report.rows = dict(generator.writer.counts)
    with engine.connect() as conn:
        report.rows["courses"] = (
            conn.scalar(select(func.count()).select_from(Course.__table__)) or 0
        )
        report.rows["course_versions"] = (
            conn.scalar(select(func.count()).select_from(CourseVersion.__table__)) or 0
        )
    return report


def _migrate(url: str) -> None:
    from alembic import command

    from app.ops import alembic_config

    command.upgrade(alembic_config(url), "head")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--migrate", action="store_true", help="run the Alembic migrations first (new database)"
    )
    args = parser.parse_args(argv)
    if args.migrate:
        _migrate(args.database_url)
    engine = make_engine(args.database_url)
    try:
        report = generate(
            engine, args.scale, seed=args.seed, log=lambda m: print(m, file=sys.stderr, flush=True)
        )
    finally:
        engine.dispose()
    print(report.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
