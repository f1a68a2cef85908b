"""`lentera export ...`: exports for HR reporting."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from app.cli.common import fail, transaction
from app.config import Settings, get_settings


def _create_private(path: Path) -> None:
    """Create (or empty) an export file readable by its owner only: it holds personal data."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)  # a file that existed keeps its old mode through O_CREAT


export_cli = typer.Typer(help="Exports for HR reporting.", no_args_is_help=True)


@export_cli.command("completions")
def export_completions(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "csv",
    layout: Annotated[
        str, typer.Option(help="lentera (full) or siasn (BKN course history).")
    ] = "lentera",
    date_from: Annotated[str, typer.Option("--from", help="From date, YYYY-MM-DD.")] = "",
    date_to: Annotated[str, typer.Option("--to", help="To date, YYYY-MM-DD.")] = "",
    unit: Annotated[str, typer.Option(help="Unit kerja name.")] = "",
    course: Annotated[str, typer.Option(help="Course code.")] = "",
    status: Annotated[str, typer.Option(help="selesai, berjalan or lewat_tenggat.")] = "",
    nip: Annotated[str, typer.Option(help="One person's NIP or NI PPPK.")] = "",
    employee_type: Annotated[str, typer.Option(help="PNS or PPPK.")] = "",
    delimiter: Annotated[str, typer.Option(help="CSV separator: ';' or ','.")] = ";",
    bom: Annotated[bool, typer.Option(help="Start the CSV with a UTF-8 BOM (for Excel).")] = True,
    since_last: Annotated[
        bool, typer.Option("--since-last", help="SIASN: only changes since the last SIASN export.")
    ] = False,
    with_certificates: Annotated[
        bool,
        typer.Option("--zip", help="SIASN: a ZIP of the file and each listed certificate's PDF."),
    ] = False,
) -> None:
    """Export completion records (streamed; flat memory however many rows)."""
    from sqlalchemy import select as sa_select

    from app.accounts.models import Unit
    from app.audit import service as audit
    from app.reports import completions, filters, siasn, siasn_batches

    settings = get_settings()
    if (
        fmt not in ("csv", "xlsx")
        or layout not in ("lentera", "siasn")
        or delimiter
        not in (
            ";",
            ",",
        )
    ):
        raise fail("--format harus csv/xlsx, --layout lentera/siasn, --delimiter ';' atau ','.")
    if (since_last or with_certificates) and layout != "siasn":
        raise fail("--since-last dan --zip hanya untuk --layout siasn.")
    with transaction(settings) as session:
        unit_id = ""
        if unit:
            found = session.scalar(sa_select(Unit.id).where(Unit.name == " ".join(unit.split())))
            if found is None:
                raise fail(f"Unit kerja '{unit}' tidak ditemukan.")
            unit_id = str(found)
        try:
            parsed = filters.parse(
                filters.RawFilters(
                    date_from, date_to, unit_id, course, status, nip=nip, jenis=employee_type
                )
            )
        except filters.FilterError as exc:
            raise fail(str(exc)) from exc
        options = siasn.Options.from_settings(settings) if layout == "siasn" else None
        if since_last:
            parsed = dataclasses.replace(parsed, since=siasn_batches.last_export_at(session))
        # SIASN lists completed courses only: count those, or the total overstates the file.
        counted_as = completions.siasn_filters(parsed) if layout == "siasn" else parsed
        total = completions.count_records(session, counted_as)
        _create_private(output)
        issuer = options if options is not None else settings.issuer_name
        if with_certificates and options is not None:
            _write_siasn_zip(session, settings, output, parsed, options, fmt, delimiter, bom)
        else:
            _write_export(session, output, layout, fmt, parsed, issuer, delimiter, bom, total)
        if options is not None:
            siasn_batches.record_batch(
                session, actor_id=None, via="cli", fmt=f"zip-{fmt}" if with_certificates else fmt,
                filters=parsed.describe(), row_count=total,
            )  # fmt: skip
        audit.record(
            session, "export.completions", layout=layout, format=fmt, via="cli",
            filters=parsed.describe(),
        )  # fmt: skip
    typer.echo(f"{total} baris ditulis ke {output}")


def _write_export(
    session: Session,
    output: Path,
    layout: str,
    fmt: str,
    parsed: Any,
    issuer: Any,
    delimiter: str,
    bom: bool,
    total: int,
) -> None:
    """Write the export file with a progress bar."""
    from app.reports import completions_csv, exports

    with typer.progressbar(length=total, label="Mengekspor") as bar:
        if fmt == "xlsx":
            header, rows = exports.rows_for(session, layout, parsed, issuer)  # type: ignore[arg-type]

            def counted() -> Iterator[Sequence[object]]:
                for row in rows:
                    bar.update(1)
                    yield row

            exports.write_xlsx(header, counted(), str(output))
        else:
            chunks = completions_csv.export_chunks(
                session, layout, parsed, issuer, delimiter=delimiter, bom=bom,
                progress=bar.update,
            )  # fmt: skip
            with output.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)


def _write_siasn_zip(
    session: Session,
    settings: Settings,
    output: Path,
    parsed: Any,
    options: Any,
    fmt: str,
    delimiter: str,
    bom: bool,
) -> None:
    """Write the SIASN ZIP: the records file and each listed certificate's signed PDF."""
    from app import clock
    from app.learning import certificate_issue
    from app.reports import exports, siasn_zip

    certificate_issue.configure(settings)
    data_name = exports.file_name("siasn", fmt, clock.today())  # type: ignore[arg-type]
    path, _count = siasn_zip.build(
        session, parsed, options, fmt=fmt, data_name=data_name,  # type: ignore[arg-type]
        delimiter=delimiter, bom=bom,
    )  # fmt: skip
    with output.open("wb") as out:
        for chunk in siasn_zip.file_chunks(path):
            out.write(chunk)
