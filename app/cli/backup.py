"""`lentera backup FILE` and `lentera restore FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import display_url, fail, transaction
from app.config import get_settings
from app.ops_backup import BackupError, Contents
from app.ops_backup import backup as run_backup
from app.ops_backup import inspect as inspect_backup
from app.ops_backup import restore as run_restore


def _print_counts(contents: Contents) -> None:
    width = max((len(name) for name in contents.counts), default=0)
    for name, count in contents.counts.items():
        typer.echo(f"  {name:<{width}}  {count:>9,}")
    typer.echo(f"  {'jumlah':<{width}}  {contents.total_rows:>9,} baris")


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return f"{size:,.1f} GB"  # pragma: no cover


def backup(
    file: Annotated[Path, typer.Argument(help="Backup file to write (.db or .dump).")],
) -> None:
    """Back up the whole database (online; content versions included) and verify the copy."""
    settings = get_settings()
    try:
        contents = run_backup(settings.database_url, file)
    except BackupError as exc:
        raise fail(f"Pencadangan gagal: {exc}") from exc
    kind = "SQLite" if contents.backend == "sqlite" else "PostgreSQL (pg_dump --format=custom)"
    typer.echo(
        f"Cadangan {kind} ditulis ke {file} ({_size(file)}), skema revisi "
        f"{', '.join(sorted(contents.revisions)) or '-'}; diperiksa dan utuh. Isinya:"
    )
    _print_counts(contents)
    from app.audit import service as audit

    # A backup copies everyone's personal data: recorded like every other export.
    with transaction(settings) as session:
        audit.record(
            session, "database.backed_up", file=file.name, backend=contents.backend,
            rows=contents.total_rows,
        )  # fmt: skip


def restore(
    file: Annotated[Path, typer.Argument(help="A backup file made by `lentera backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the whole database with a backup (stop every Lentera process first)."""
    settings = get_settings()
    try:
        contents, status = inspect_backup(settings.database_url, file)
    except BackupError as exc:
        raise fail(f"Tidak dipulihkan: {exc}") from exc
    revisions = ", ".join(sorted(contents.revisions))
    typer.echo(f"Cadangan {file}: utuh, skema revisi {revisions}.")
    if status == "older":
        typer.echo(
            "Skemanya lebih lama dari versi Lentera ini; sesudahnya perlu `lentera migrate`."
        )
    if not yes:
        typer.confirm(
            f"Seluruh isi database {display_url(settings.database_url)} akan DIGANTI dengan "
            "isi cadangan ini; perubahan sejak cadangan dibuat hilang. Lanjutkan?",
            abort=True,
        )
    try:
        result = run_restore(settings.database_url, file)
    except BackupError as exc:
        raise fail(f"Tidak dipulihkan: {exc}") from exc
    typer.echo("Database dipulihkan. Isinya sekarang:")
    _print_counts(result.contents)
    if result.status == "current":
        from app.audit import service as audit

        # Recorded in the restored database, so its trail shows where history was rewound.
        with transaction(settings) as session:
            audit.record(session, "database.restored", file=file.name, revision=revisions)
    else:
        typer.secho(
            "Cadangan ini berskema lebih lama dari versi Lentera ini: jalankan `lentera migrate` "
            "sebelum menjalankan server.",
            fg=typer.colors.YELLOW,
        )
    typer.echo("Jalankan ulang semua proses Lentera agar tidak ada yang memakai data lama.")
