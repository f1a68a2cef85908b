"""`lentera privacy ...`: the subject access export and anonymisation, for operators."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from app.accounts import service as accounts_service
from app.cli.common import fail, transaction
from app.config import get_settings
from app.privacy import service

privacy_cli = typer.Typer(
    help="Data pribadi (UU PDP): ekspor semua data seorang pegawai, anonimkan pegawai yang keluar.",
    no_args_is_help=True,
    add_completion=False,
)


@privacy_cli.command("export")
def export(
    nip: Annotated[str, typer.Argument(help="NIP or NI PPPK of the person.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .zip file to write.")],
) -> None:
    """Export everything Lentera holds about one person: data.json and their files, in a .zip."""
    settings = get_settings()
    temporary = output.with_name(f".{output.name}.tmp")
    try:
        with transaction(settings) as session:
            person = accounts_service.get_by_nip(session, nip)
            if person is None:
                raise fail(f"Tidak ada pegawai dengan NIP {nip}.")
            data = service.export_archive(session, person, actor_id=None, via="cli")
            # The file holds personal data: readable by its owner only. It is written before
            # the audit event commits and put in place after, so no export goes unrecorded.
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(output)
    typer.echo(f"Data pribadi {person.full_name} ditulis ke {output} ({len(data):,} bita).")


@privacy_cli.command("anonymise")
def anonymise(
    nip: Annotated[str, typer.Argument(help="NIP or NI PPPK of the person who has left.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask for confirmation (for scripts).")
    ] = False,
) -> None:
    """Anonymise a person who has left; statistics and certificate verification are kept."""
    settings = get_settings()
    with transaction(settings) as session:
        person = accounts_service.get_by_nip(session, nip)
        if person is None:
            raise fail(f"Tidak ada pegawai dengan NIP {nip}.")
        if service.is_anonymised(person):
            typer.echo(f"Akun {person.nip} sudah dianonimkan; tidak ada yang diubah.")
            return
        if not yes:
            typer.echo(
                f"Nama, NIP, email, jabatan, golongan, kata sandi, komentar dan berkas unggahan "
                f"{person.full_name} akan dihapus. Ini tidak dapat dibatalkan."
            )
            typed = typer.prompt("Ketik ulang NIP untuk konfirmasi", default="", show_default=False)
            if not service.confirmation_matches(person, typed):
                raise fail("NIP tidak sama. Tidak ada yang diubah.")
        report = service.anonymise(session, person, actor_id=None, via="cli")
    typer.echo(
        f"Dianonimkan: akun {report.user_id} sekarang {report.nip}. "
        f"Sertifikat tetap dapat diverifikasi tanpa nama; statistik tidak berubah."
    )
    for key, count in report.counts.items():
        typer.echo(f"  {key}: {count}")
