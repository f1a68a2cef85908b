"""The `lentera` command line: serve, migrate, manage accounts, import the roster."""

from __future__ import annotations

import dataclasses
import functools
import getpass
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from app.accounts import auth, roster
from app.accounts import service as accounts_service
from app.accounts.golongan import InvalidGolongan
from app.accounts.models import Role
from app.accounts.nip import InvalidNIP
from app.accounts.passwords import WeakPassword
from app.config import ConfigError, Settings, get_settings
from app.content.cli import content_cli
from app.db import make_engine, make_sessionmaker, session_scope

cli = typer.Typer(
    help="Lentera, the e-learning platform for the civil servants (ASN) of Palu. "
    "Settings come from LENTERA_* environment variables (see the README).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Operators read the command line in English, as the README (group help is set here so the
# whole `lentera --help` reads in one language).
cli.add_typer(
    content_cli,
    name="content",
    help="Course content: check the content folder, publish it, convert Moodle question banks.",
)


def _register_operations() -> None:
    # Imported here: these modules import app.cli helpers inside their functions.
    from app.audit.cli import audit_cli
    from app.backup_cli import backup, restore
    from app.learning.certificate_cli import certificates_cli
    from app.privacy.cli import privacy_cli

    cli.add_typer(
        audit_cli,
        name="audit",
        help="Audit trail: check its hash chain (were entries altered or deleted?).",
    )
    cli.add_typer(
        privacy_cli,
        name="privacy",
        help="Personal data (UU PDP): export everything about one person, anonymise leavers.",
    )
    cli.add_typer(
        certificates_cli,
        name="certificates",
        help="Certificate signing: create a self-signed demo key (PKCS#12) for trials.",
    )
    cli.command("backup")(backup)
    cli.command("restore")(restore)


_register_operations()


@contextmanager
def _transaction(settings: Settings) -> Iterator[Session]:
    """One transaction on the configured database; the engine is closed afterwards."""
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def _require_schema(settings: Settings, *, older_is_fine: bool = False) -> None:
    """Exit with a hint (never a traceback) unless the database is migrated to this version."""
    from app.ops import schema_problem

    problem = schema_problem(settings.database_url, older_is_fine=older_is_fine)
    if problem is not None:
        raise _fail(f"Error: {problem}")


@cli.command()
def migrate() -> None:
    """Create or upgrade the database schema to the latest version (Alembic)."""
    from alembic import command

    from app.ops import alembic_config, describe_database

    settings = get_settings()
    command.upgrade(alembic_config(settings.database_url), "head")
    typer.echo(f"Database is at the latest schema: {describe_database(settings.database_url)}")


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated addresses or networks of the reverse proxies whose "
            "X-Forwarded-For/-Proto are believed (default: LENTERA_FORWARDED_ALLOW_IPS).",
        ),
    ] = None,
) -> None:
    """Serve Lentera over HTTP with Uvicorn (refuses to start on an unmigrated database)."""
    settings = get_settings()
    try:
        settings.check_production()
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    # Before anything is created on disk: a server on an unmigrated or missing database would
    # answer every page with an error (or create an empty database in the wrong directory).
    _require_schema(settings)
    settings.resolved_secret_key()  # create it once here, not racing in each worker
    settings.resolved_signing_key()  # likewise the development demo signing key
    from app import serving  # here: only `serve` needs the HTTP server

    started = serving.run(
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        ready=f"Lentera siap di {_browser_url(host, port)}",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips or settings.forwarded_allow_ips,
        access_log=False,  # Lentera writes its own structured access log
        log_level="warning",
    )
    if not started:
        raise typer.Exit(3)  # what uvicorn.run exits with when start-up fails


_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104 - not a bind


def _browser_url(host: str, port: int) -> str:
    """Where to open Lentera: a wildcard address is reached on the loopback address."""
    host = _WILDCARDS.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@cli.command("create-user")
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
        raise _fail(f"Tidak dibuat: {exc}") from exc
    secret = getpass.getpass("Kata sandi: ") if password else None
    try:
        with _transaction(settings) as session:
            user = accounts_service.create_user(session, data, password=secret)
            link = (
                None
                if secret
                else auth.reset_link(settings, auth.create_reset_token(session, settings, user))
            )
    except (WeakPassword, ValueError) as exc:
        raise _fail(f"Tidak dibuat: {exc}") from exc
    typer.echo(f"Dibuat: {data.full_name} ({data.nip}), peran: {', '.join(sorted(role))}")
    if link:
        typer.echo(
            f"Tautan untuk mengatur kata sandi (sekali pakai, "
            f"{settings.reset_link_hours} jam): {link}"
        )


@cli.command("reset-password")
def reset_password(nip: Annotated[str, typer.Argument(help="NIP of the account.")]) -> None:
    """Print a one-time link to set a new password (no email server needed)."""
    settings = get_settings()
    with _transaction(settings) as session:
        user = accounts_service.get_by_nip(session, nip)
        if user is None:
            raise _fail(f"Tidak ada akun dengan NIP {nip}.")
        link = auth.reset_link(settings, auth.create_reset_token(session, settings, user))
        from app.audit import service as audit

        audit.record(session, "user.reset_link_issued", target_type="user", target_id=user.id)
    typer.echo(
        f"Tautan atur ulang kata sandi untuk {user.full_name} "
        f"(sekali pakai, berlaku {settings.reset_link_hours} jam):\n{link}"
    )


@cli.command("import-users")
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
    with (
        file.open("rb") as data,
        typer.progressbar(length=1, label="Mengimpor", show_pos=True) as bar,
    ):

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            with _transaction(settings) as session:
                report = roster.import_roster(
                    session, file.name, data, skip_invalid=skip_invalid, progress=progress
                )
        except roster.RosterFileError as exc:
            raise _fail(str(exc), code=2) from exc
    _print_report(report)
    if not report.imported:
        raise _fail(
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


@cli.command()
def demo() -> None:
    """Create demo accounts for every role (only with LENTERA_DEMO=1) and print them."""
    settings = get_settings()
    if not settings.demo:
        raise _fail("Akun demo hanya dibuat dalam mode demo (LENTERA_DEMO=1).")
    with _transaction(settings) as session:
        rows = seed_demo_accounts(session)
    typer.echo("\nAkun demo (hanya berlaku selama LENTERA_DEMO=1):")
    for roles, nip, name, password in rows:
        typer.echo(f"  {roles:<16} NIP {nip}  sandi {password:<14} {name}")
    typer.echo(f"\nBuka {settings.base_url}/masuk\n")


def main() -> None:
    cli()


@content_cli.command("reload")
def content_reload(
    path: Annotated[
        Path | None, typer.Argument(help="Content folder (default: LENTERA_CONTENT_DIR).")
    ] = None,
) -> None:
    """Import content/ and publish every course that changed; no restart needed.

    Every worker and instance sharing the database serves the new versions on its next request.
    A course with errors is left out (its last good version stays published).
    """
    from app.content import store

    settings = get_settings()
    root = path or settings.content_dir
    if not root.is_dir():
        raise _fail(f"Folder materi {root} tidak ditemukan.")
    with _transaction(settings) as session:
        report = store.import_library(session, root)
    for code in report.published:
        typer.echo(f"Diterbitkan: {code}")
    if report.unchanged:
        typer.echo(f"Tidak berubah: {', '.join(report.unchanged)}")
    for folder, problems in report.broken.items():
        typer.secho(f"Tidak dimuat: {folder}", fg=typer.colors.RED, err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
    if report.broken:
        raise typer.Exit(1)


def _create_private(path: Path) -> None:
    """Create (or empty) an export file readable by its owner only: it holds personal data."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)  # a file that existed keeps its old mode through O_CREAT


export_cli = typer.Typer(help="Exports for HR reporting.", no_args_is_help=True)
cli.add_typer(export_cli, name="export")


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
        raise _fail("--format harus csv/xlsx, --layout lentera/siasn, --delimiter ';' atau ','.")
    if (since_last or with_certificates) and layout != "siasn":
        raise _fail("--since-last dan --zip hanya untuk --layout siasn.")
    with _transaction(settings) as session:
        unit_id = ""
        if unit:
            found = session.scalar(sa_select(Unit.id).where(Unit.name == " ".join(unit.split())))
            if found is None:
                raise _fail(f"Unit kerja '{unit}' tidak ditemukan.")
            unit_id = str(found)
        try:
            parsed = filters.parse(
                filters.RawFilters(
                    date_from, date_to, unit_id, course, status, nip=nip, jenis=employee_type
                )
            )
        except filters.FilterError as exc:
            raise _fail(str(exc)) from exc
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


# Commands that work without a migrated database; every other command checks the schema
# first, so one added later is covered without anyone remembering to.
_NO_SCHEMA_NEEDED = {
    "migrate",  # makes the schema
    "serve",  # checks it itself, before the secret key is created
    "restore",  # may restore into an empty database
    "content check",  # reads files only
    "content import-questions",  # converts files only
    "certificates make-demo-key",  # writes a key file only
}
# A backup is the first step of an upgrade, so a database one migration behind is fine.
_OLDER_SCHEMA_FINE = {"backup"}


def _needs_schema(callback: Callable[..., Any], *, older_is_fine: bool) -> Callable[..., Any]:
    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _require_schema(get_settings(), older_is_fine=older_is_fine)
        return callback(*args, **kwargs)

    return checked


def _guard_commands(app: typer.Typer, prefix: str = "") -> None:
    for info in app.registered_commands:
        assert info.callback is not None
        name = prefix + (info.name or info.callback.__name__.replace("_", "-"))
        if name not in _NO_SCHEMA_NEEDED:
            info.callback = _needs_schema(info.callback, older_is_fine=name in _OLDER_SCHEMA_FINE)
    for group in app.registered_groups:
        assert group.typer_instance is not None
        _guard_commands(group.typer_instance, f"{prefix}{group.name} ")


_guard_commands(cli)


if __name__ == "__main__":
    main()
