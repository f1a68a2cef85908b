"""Accounts from the command line: create one, reset a password, import HR's roster, demo
accounts."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from app.accounts import auth, roster
from app.accounts import service as accounts_service
from app.accounts.golongan import InvalidGolongan
from app.accounts.models import Role
from app.accounts.nip import InvalidNIP
from app.accounts.passwords import WeakPassword
from app.cli.common import fail, transaction
from app.config import get_settings
from app.learning import paths


def create_user(
    nip: Annotated[str, typer.Argument(help="18-digit NIP or NI PPPK.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[list[Role], typer.Option(help="Role; repeat for several.")] = [  # noqa: B006
        Role.LEARNER
    ],
    employee_type: Annotated[
        str | None, typer.Option(help="PNS or PPPK (default: from NIP).")
    ] = None,
    email: Annotated[str | None, typer.Option()] = None,
    unit: Annotated[str | None, typer.Option(help="Unit kerja.")] = None,
    jabatan: Annotated[str | None, typer.Option()] = None,
    golongan: Annotated[str | None, typer.Option(help="e.g. III/a (PNS) or IX (PPPK).")] = None,
    password: Annotated[
        bool, typer.Option(help="Prompt for a password (otherwise print a one-time link).")
    ] = False,
) -> None:
    """Create an account with any role; prints a one-time link to set the password."""
    settings = get_settings()
    try:
        data = accounts_service.build_user_data(
            nip=nip,
            full_name=name,
            employee_type=employee_type,
            email=email,
            unit_name=unit,
            jabatan=jabatan,
            golongan=golongan,
            roles=set(role),
        )
    except (InvalidNIP, InvalidGolongan, ValueError) as exc:
        raise fail(f"Tidak dibuat: {exc}") from exc
    secret = getpass.getpass("Kata sandi: ") if password else None
    try:
        with transaction(settings) as session:
            user = accounts_service.create_user(session, data, password=secret)
            # A new person joins their learning paths at once, as on a roster import.
            paths.person_changed(session, user, None)
            link = (
                None
                if secret
                else auth.reset_link(settings, auth.create_reset_token(session, settings, user))
            )
    except (WeakPassword, ValueError) as exc:
        raise fail(f"Tidak dibuat: {exc}") from exc
    typer.echo(f"Dibuat: {data.full_name} ({data.nip}), peran: {', '.join(sorted(role))}")
    if link:
        typer.echo(
            f"Tautan untuk mengatur kata sandi (sekali pakai, "
            f"{settings.reset_link_hours} jam): {link}"
        )


def reset_password(nip: Annotated[str, typer.Argument(help="NIP of the account.")]) -> None:
    """Print a one-time link to set a new password (no email server needed)."""
    settings = get_settings()
    with transaction(settings) as session:
        user = accounts_service.get_by_nip(session, nip)
        if user is None:
            raise fail(f"Tidak ada akun dengan NIP {nip}.")
        link = auth.reset_link(settings, auth.create_reset_token(session, settings, user))
        from app.audit import service as audit

        audit.record(session, "user.reset_link_issued", target_type="user", target_id=user.id)
    typer.echo(
        f"Tautan atur ulang kata sandi untuk {user.full_name} "
        f"(sekali pakai, berlaku {settings.reset_link_hours} jam):\n{link}"
    )


def import_users(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="Roster .csv or .xlsx."),
    ],
    skip_invalid: Annotated[
        bool, typer.Option(help="Import the valid rows even if some rows are invalid.")
    ] = False,
) -> None:
    """Import HR's roster (.csv or .xlsx): NIP, Nama, Email, Unit Kerja, Jabatan, Golongan."""
    settings = get_settings()
    # Learning paths follow the roster (accounts imports no other domain: see roster.py).
    roster.after_import(paths.sync_after_roster_import)
    with (
        file.open("rb") as data,
        typer.progressbar(length=1, label="Mengimpor", show_pos=True) as bar,
    ):

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            with transaction(settings) as session:
                report = roster.import_roster(
                    session, file.name, data, skip_invalid=skip_invalid, progress=progress
                )
        except roster.RosterFileError as exc:
            raise fail(str(exc), code=2) from exc
    _print_report(report)
    if not report.imported:
        raise fail(
            f"Tidak ada yang diimpor: {len(report.errors)} baris bermasalah. Perbaiki barisnya, "
            "atau jalankan lagi dengan --skip-invalid untuk mengimpor baris yang valid saja.",
            code=1,
        )


def _print_report(report: roster.RosterReport) -> None:
    for error in report.errors:
        typer.echo(f"Baris {error.row}: {'; '.join(error.messages)}", err=True)
    typer.echo(
        f"{report.total_rows} baris dibaca, {report.valid_rows} valid, "
        f"{len(report.errors)} bermasalah; {report.created} akun baru, "
        f"{report.updated} diperbarui."
    )


DEMO_ACCOUNTS = [
    # (NIP, name, roles, unit, jabatan, golongan, password)
    (
        "199203142019032007",
        "Nur Aisyah Lamarauna",
        {Role.LEARNER},
        "Kelurahan Besusu Barat",
        "Pengelola Layanan Kependudukan",
        "III/a",
        "demo-pelajar",
    ),
    (
        "199507212022211003",
        "Moh. Rizal Tandjung",
        {Role.LEARNER},
        "Dinas Kependudukan dan Pencatatan Sipil",
        "Pengadministrasi Perkantoran",
        "VII",
        "demo-pppk",
    ),
    (
        "198006102006042002",
        "Dra. Hj. Salmawati Lasaka",
        {Role.TRAINER, Role.LEARNER},
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "Widyaiswara Ahli Madya",
        "IV/b",
        "demo-pengajar",
    ),
    (
        "198511232010011012",
        "Andi Fadli Mappaware",
        {Role.HR, Role.LEARNER},
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "Analis SDM Aparatur",
        "III/c",
        "demo-bkpsdm",
    ),
    (
        "197808172003121005",
        "Ir. Yusuf Tombolotutu",
        {Role.ADMIN},
        "Dinas Komunikasi, Informatika, Persandian dan Statistik",
        "Pranata Komputer Ahli Muda",
        "III/d",
        "demo-admin",
    ),
]


def seed_demo_accounts(session: Session) -> list[tuple[str, str, str, str]]:
    """Create (or reset) the demo accounts; returns (roles, NIP, name, password) rows."""
    printed = []
    for nip, name, roles, unit, jabatan, gol, password in DEMO_ACCOUNTS:
        data = accounts_service.build_user_data(
            nip=nip, full_name=name, unit_name=unit, jabatan=jabatan, golongan=gol, roles=roles
        )
        user = accounts_service.get_by_nip(session, nip)
        if user is None:
            accounts_service.create_user(session, data, password=password, is_demo=True)
        elif user.is_demo:
            from app.accounts.passwords import hash_password

            user.password_hash = hash_password(password)
            user.is_active = True
        printed.append((", ".join(sorted(r.value for r in roles)), nip, name, password))
    # The demo trainer manages the demo courses, so their reports and publishing can be tried.
    from sqlalchemy import select as sa_select

    from app.content import store
    from app.content.models import Course

    session.flush()
    trainers = [accounts_service.get_by_nip(session, nip) for nip, *_r in DEMO_ACCOUNTS]
    for course in session.scalars(sa_select(Course)):
        for trainer in trainers:
            if trainer is not None and trainer.has_role(Role.TRAINER):
                store.add_trainer(session, course, trainer.id)
    return printed


def demo() -> None:
    """Create demo accounts for every role (only with LENTERA_DEMO=1) and print them."""
    settings = get_settings()
    if not settings.demo:
        raise fail("Akun demo hanya dibuat dalam mode demo (LENTERA_DEMO=1).")
    with transaction(settings) as session:
        rows = seed_demo_accounts(session)
        # The demo people join their learning paths as a roster import's people would.
        paths.sync_after_roster_import(session, None)
    typer.echo("\nAkun demo (hanya berlaku selama LENTERA_DEMO=1):")
    for roles, nip, name, password in rows:
        typer.echo(f"  {roles:<16} NIP {nip}  sandi {password:<14} {name}")
    typer.echo(f"\nBuka {settings.base_url}/masuk\n")
