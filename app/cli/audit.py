"""`lentera audit ...`: check the audit trail's hash chain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from app.audit import chain
from app.audit.verify import ChainReport, verify
from app.config import get_settings
from app.db import make_engine, utcnow

audit_cli = typer.Typer(
    help="Jejak audit: periksa rantai hash (apakah ada entri yang diubah atau dihapus).",
    no_args_is_help=True,
    add_completion=False,
)


@contextmanager
def _snapshot(url: str) -> Iterator[Session]:
    """A read-only session on one snapshot, so entries committed meanwhile cannot confuse it."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            else:
                # pysqlite opens no transaction for reads; WAL keeps one snapshot from BEGIN's
                # first read until the end.
                connection.exec_driver_sql("BEGIN")
            with Session(bind=connection) as session:
                yield session
            connection.rollback()
    finally:
        engine.dispose()


def describe(report: ChainReport) -> str:
    """The report as printed; the head hash is meant to be kept outside Lentera."""
    checked = f"diperiksa {chain.utc_iso(utcnow())}"
    if report.broken is None:
        return (
            f"Rantai audit UTUH: {report.entries} entri ({report.redacted} ditulis ulang oleh "
            f"anonimisasi, sesuai catatannya), {checked}.\n"
            f"Kepala rantai: nomor {report.head_seq}, hash {report.head_hash}"
        )
    broken = report.broken
    where = (
        f"entri id {broken.entry_id}"
        + (f" (nomor {broken.seq})" if broken.seq is not None else "")
        + (f", dicatat {chain.utc_iso(broken.at)}" if broken.at is not None else "")
        if broken.entry_id is not None
        else "kepala rantai"
    )
    return (
        f"Rantai audit RUSAK pada {where}: {broken.problem}.\n"
        f"{report.entries} entri sebelumnya utuh; {checked}. "
        f"Kepala rantai tercatat: nomor {report.head_seq}, hash {report.head_hash}"
    )


@audit_cli.command("verify")
def verify_command() -> None:
    """Walk the audit hash chain; exit 1 and name the first broken link if any."""
    settings = get_settings()
    with _snapshot(settings.database_url) as session:
        report = verify(session)
    if report.intact:
        typer.echo(describe(report))
        return
    typer.secho(describe(report), fg=typer.colors.RED)
    raise typer.Exit(1)
