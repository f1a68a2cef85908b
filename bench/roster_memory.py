"""Peak memory of the roster import (`lentera import-users`) by file size (issue 19 item 15).

Writes rosters of 1, 20,000 and 100,000 rows as .csv and .xlsx, then imports each into a
freshly migrated database in a process of its own (so each peak is that import's alone) and
prints the peak RSS (`ru_maxrss`), the RSS after start-up (imports done, before reading the
file) and the time. Peaks are the kernel's high-water mark of the child (VmHWM).

    python bench/roster_memory.py [--rows 1,20000,100000] [--postgres-url URL] [--workdir DIR]

Without --postgres-url the import goes to SQLite (the embedded default). The target is a
peak under 150 MB for 100,000 rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MB = 150
UNITS = [f"Kelurahan {name}" for name in ("Besusu Barat", "Talise", "Tondo", "Lere", "Duyu")]


def _rows(count: int) -> Iterator[list[str]]:
    for i in range(count):
        # Unique for 10,080 rows per sequence number; born 1960-1989, appointed in 2010.
        birth = f"19{60 + i % 30:02d}{i // 30 % 12 + 1:02d}{i // 360 % 28 + 1:02d}"
        nip = f"{birth}2010{i % 12 + 1:02d}{i % 2 + 1}{i // 10080 + 1:03d}"
        yield [
            nip,
            f"Pegawai Uji Nomor {i}",
            f"pegawai{i}@palukota.go.id",
            UNITS[i % len(UNITS)],
            "Pengelola Layanan Operasional",
            "III/a",
        ]


HEADER = ["NIP", "Nama", "Email", "Unit Kerja", "Jabatan", "Golongan"]


def write_csv(path: Path, count: int) -> None:
    """A roster as Indonesian Excel saves it: semicolons, UTF-8 with a BOM."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(";".join(HEADER) + "\r\n")
        for row in _rows(count):
            out.write(";".join(row) + "\r\n")


def write_xlsx(path: Path, count: int) -> None:
    """A roster as an .xlsx with the NIP column as text."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in _rows(count):
        sheet.append(row)
    workbook.save(path)


def _peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec(), so a
    child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _child(path: str) -> None:
    """Run the CLI import in this process and print what it cost, as JSON."""
    from app.cli import cli  # the imports every run pays, before the file is read

    started_rss = _peak_rss_mb()
    started = time.perf_counter()
    try:
        cli(["import-users", path], standalone_mode=False)
    finally:
        print(
            json.dumps(
                {
                    "seconds": round(time.perf_counter() - started, 2),
                    "startup_rss_mb": started_rss,
                    "peak_rss_mb": _peak_rss_mb(),
                }
            )
        )


def _database(workdir: Path, postgres_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app.ops import alembic_config

    if postgres_url:
        admin_url = make_url(postgres_url).set(drivername="postgresql+psycopg")
        name = f"lentera_bench_roster_{secrets.token_hex(3)}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = admin_url.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{workdir / f'roster-{secrets.token_hex(3)}.db'}"
    from alembic import command

    command.upgrade(alembic_config(url), "head")
    return url


def measure(path: Path, workdir: Path, postgres_url: str) -> dict[str, object]:
    """Import `path` into a new database in a child process; its figures."""
    url = _database(workdir, postgres_url)
    env = {**os.environ, "LENTERA_DATABASE_URL": url, "LENTERA_DATA_DIR": str(workdir / "var")}
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"import of {path} failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, object] = json.loads(lines[-1])
    from sqlalchemy import func, select

    from app.accounts.models import User
    from app.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        result["users"] = conn.scalar(select(func.count()).select_from(User))
    engine.dispose()
    if postgres_url:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(
            make_url(postgres_url).set(drivername="postgresql+psycopg"),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1,20000,100000")
    parser.add_argument("--postgres-url", default="")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "lentera-bench-roster"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    database = "PostgreSQL" if args.postgres_url else "SQLite"
    print(f"| Rows ({database}) | Format | File | Peak RSS | After start-up | Import time |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    worst = 0.0
    for count in (int(n) for n in args.rows.split(",")):
        for fmt, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
            path = args.workdir / f"pegawai-{count}.{fmt}"
            writer(path, count)
            result = measure(path, args.workdir, args.postgres_url)
            if result["users"] != count:
                raise SystemExit(f"{path}: {result['users']} of {count} rows imported")
            worst = max(worst, float(result["peak_rss_mb"]))  # type: ignore[arg-type]
            print(
                f"| {count:,} | {fmt} | {path.stat().st_size / 1e6:.1f} MB "
                f"| {result['peak_rss_mb']} MB | {result['startup_rss_mb']} MB "
                f"| {result['seconds']} s |",
                flush=True,
            )
    print(f"\nWorst peak {worst} MB; target under {TARGET_MB} MB.")


if __name__ == "__main__":
    main()
