"""PostgreSQL: pg_dump's custom format from one exported snapshot; pg_restore in one transaction.

Published course versions and their files are rows in the database, so one dump holds
everything Lentera has. The row counts printed with a backup are read inside the same snapshot
pg_dump uses, so they are exactly what the file holds, however busy the server is.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Connection, func, inspect, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.db import make_engine
from app.ops_backup.common import BackupError, Contents, private_file, replace_atomically

DUMP_MAGIC = b"PGDMP"
_TABLE_DATA = re.compile(r"^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) ")
# "3456; 2606 16789 FK CONSTRAINT public certificates fk_certificates_... owner"
_FK_CONSTRAINT = re.compile(r"^\d+; \d+ \d+ FK CONSTRAINT \S+ (\S+) (\S+) ")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} tidak ditemukan di PATH. Pasang klien PostgreSQL (paket postgresql-client) "
            "dengan versi yang sama atau lebih baru dari server."
        )
    return found


def libpq_target(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL as pg_dump/pg_restore take it, and an environment carrying the password.

    The password goes in PGPASSWORD, not on the command line, where `ps` would show it.
    """
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _run(arguments: list[str], env: dict[str, str]) -> str:
    # A fixed tool and a list of arguments: nothing goes through a shell.
    result = subprocess.run(  # noqa: S603
        arguments, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tool = Path(arguments[0]).name
        raise BackupError(f"{tool} gagal: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _counts(connection: Connection) -> Contents:
    contents = Contents(backend="postgresql", revisions=set())
    names = sorted(inspect(connection).get_table_names())
    for name in names:
        contents.counts[name] = connection.execute(
            select(func.count()).select_from(table(name))
        ).scalar_one()
    if "alembic_version" in names:
        contents.revisions = set(
            connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        )
    return contents


def is_dump_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(DUMP_MAGIC)) == DUMP_MAGIC


def dump_tables(path: Path) -> set[str]:
    """The tables whose data a custom-format dump holds; reading the list checks the file."""
    if not path.is_file():
        raise BackupError(f"Berkas {path} tidak ditemukan.")
    if not is_dump_file(path):
        raise BackupError(f"{path} bukan berkas pg_dump berformat custom.")
    listing = _run([_tool("pg_restore"), "--list", str(path)], dict(os.environ))
    return {m.group(2) for line in listing.splitlines() if (m := _TABLE_DATA.match(line))}


def dump_foreign_keys(path: Path) -> set[tuple[str, str]]:
    """The (table, constraint) foreign keys a custom-format dump defines."""
    listing = _run([_tool("pg_restore"), "--list", str(path)], dict(os.environ))
    return {
        (m.group(1), m.group(2))
        for line in listing.splitlines()
        if (m := _FK_CONSTRAINT.match(line))
    }


def dump_revisions(path: Path) -> set[str]:
    """The Alembic revision recorded in a dump (its alembic_version rows)."""
    script = _run(
        [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)],
        dict(os.environ),
    )
    revisions: set[str] = set()
    copying = False
    for line in script.splitlines():
        if line.startswith("COPY ") and "alembic_version" in line:
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying and line:
            revisions.add(line.strip())
    return revisions


def inspect_dump(path: Path) -> Contents:
    """Check that a dump can be read and return its revision (row counts are not in it)."""
    tables = dump_tables(path)
    revisions = dump_revisions(path) if "alembic_version" in tables else set()
    return Contents(backend="postgresql", revisions=revisions, counts=dict.fromkeys(tables, -1))


def backup(database_url: str, target: Path) -> Contents:
    """pg_dump the database into `target` from one snapshot, then check the file."""
    pg_dump = _tool("pg_dump")
    dsn, env = libpq_target(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url, poolclass=NullPool)
    temporary = private_file(target.with_name(f".{target.name}.backup-{secrets.token_hex(4)}"))
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # pg_dump reads the snapshot this transaction exported; it stays valid while
                # the transaction is open, and the counts below see the very same rows.
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                contents = _counts(connection)
                _run(
                    [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password",
                     f"--file={temporary}", f"--dbname={dsn}"],
                    env,
                )  # fmt: skip
        missing = set(contents.counts) - dump_tables(temporary)
        if missing:
            raise BackupError(
                f"Cadangan tidak lengkap: tabel {', '.join(sorted(missing))} tidak ada."
            )
        replace_atomically(temporary, target)
    finally:
        engine.dispose()
        temporary.unlink(missing_ok=True)
    return contents


def restore(database_url: str, source: Path) -> Contents:
    """Replace the database's tables with the dump's, in one transaction; returns live counts."""
    pg_restore = _tool("pg_restore")
    tables = dump_tables(source)
    dsn, env = libpq_target(database_url)
    engine = make_engine(database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            # Tables the dump does not have (from a newer schema) would keep --clean from
            # dropping the tables they reference; they would be stale anyway.
            extra = sorted(set(inspect(connection).get_table_names()) - tables)
            for name in extra:
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.execute(text(f"DROP TABLE IF EXISTS {quoted} CASCADE"))
            # Likewise foreign keys a newer schema added to tables the dump has: --clean
            # cannot drop a primary key they depend on.
            known = dump_foreign_keys(source)
            quote = connection.dialect.identifier_preparer.quote
            for table, name in connection.execute(
                text(
                    "SELECT rel.relname, con.conname FROM pg_constraint con "
                    "JOIN pg_class rel ON rel.oid = con.conrelid "
                    "WHERE con.contype = 'f' AND rel.relnamespace = 'public'::regnamespace"
                )
            ).all():
                if (table, name) not in known:
                    connection.execute(
                        text(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                    )
        _run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", "--no-password", f"--dbname={dsn}",
             str(source)],
            env,
        )  # fmt: skip
        with engine.connect() as connection:
            return _counts(connection)
    finally:
        engine.dispose()
