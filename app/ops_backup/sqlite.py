"""SQLite: an online, consistent copy with SQLite's backup API; restore by atomic rename.

The backup copies every page inside one read transaction. In WAL mode (how Lentera opens
SQLite) readers never block writers, so the server keeps serving and writing while the copy
is made, and the copy is the database exactly as it was when the copy began.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from app.ops_backup.common import BackupError, Contents, private_file, replace_atomically

SQLITE_MAGIC = b"SQLite format 3\x00"


@contextlib.contextmanager
def _connect(path: Path, *, timeout: float = 30.0) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _temporary_beside(target: Path, label: str, mode: int = 0o600) -> Path:
    # Same directory as the target, so the final rename never crosses file systems.
    return private_file(target.with_name(f".{target.name}.{label}-{secrets.token_hex(4)}"), mode)


def is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def check(connection: sqlite3.Connection) -> Contents:
    """Integrity and foreign keys checked, then the schema revision and rows per table."""
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupError("Pemeriksaan integritas gagal: " + "; ".join(problems[:5]))
    orphans = connection.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        raise BackupError(f"Pemeriksaan kunci asing gagal: {len(orphans)} baris tanpa induk.")
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    contents = Contents(backend="sqlite", revisions=set())
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        query = f"SELECT count(*) FROM {quoted}"  # noqa: S608 - a name from sqlite_master
        contents.counts[name] = connection.execute(query).fetchone()[0]
    if "alembic_version" in names:
        contents.revisions = {
            row[0] for row in connection.execute("SELECT version_num FROM alembic_version")
        }
    return contents


def inspect(path: Path) -> Contents:
    """Open a backup file and check it; raises BackupError when it is not a sound database."""
    if not path.is_file():
        raise BackupError(f"Berkas {path} tidak ditemukan.")
    if not is_sqlite_file(path):
        raise BackupError(f"{path} bukan berkas database SQLite.")
    try:
        with _connect(path) as connection:
            return check(connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} tidak dapat dibaca sebagai database SQLite: {exc}") from exc


def _copy(source: Path, target: Path) -> Contents:
    """Copy `source` into a new file `target` with the backup API, then check the copy."""
    with _connect(source) as src, _connect(target) as dst:
        # pages=-1: every page in one step, one read transaction, so the copy is a single
        # consistent snapshot even while other connections write.
        src.backup(dst, pages=-1)
        # One self-contained file: no -wal beside it to lose when the file is copied away.
        dst.execute("PRAGMA journal_mode=DELETE")
        return check(dst)


def backup(database: Path, target: Path) -> Contents:
    """Write a consistent copy of the live database to `target` (replacing it atomically)."""
    if not database.is_file():
        raise BackupError(f"Database {database} tidak ditemukan.")
    if target.resolve() == database.resolve():
        raise BackupError("Berkas cadangan tidak boleh sama dengan database-nya.")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_beside(target, "backup")
    try:
        contents = _copy(database, temporary)
        replace_atomically(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return contents


def _refuse_if_in_use(database: Path) -> None:
    """Refuse while another process has the database open (a running server)."""
    if not database.exists():
        return
    try:
        with _connect(database, timeout=0) as probe:
            # Exclusive locking mode in WAL needs every other connection closed; a server keeps
            # pooled connections open, so a running server makes this fail at once.
            probe.execute("PRAGMA locking_mode=EXCLUSIVE")
            probe.execute("BEGIN EXCLUSIVE")
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
            probe.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupError(
                f"Database {database} sedang dipakai (server Lentera masih berjalan?). "
                "Hentikan semua proses Lentera, lalu ulangi pemulihan."
            ) from exc
    except sqlite3.DatabaseError:
        pass  # a damaged file is about to be replaced anyway


def restore(database: Path, source: Path) -> Contents:
    """Replace the database with the backup `source`: copied, checked, fsynced, renamed."""
    if source.resolve() == database.resolve():
        raise BackupError("Berkas cadangan tidak boleh sama dengan database-nya.")
    inspect(source)
    database.parent.mkdir(parents=True, exist_ok=True)
    # The restored file keeps the permissions the database had.
    mode = database.stat().st_mode & 0o777 if database.exists() else 0o600
    temporary = _temporary_beside(database, "restore", mode)
    try:
        contents = _copy(source, temporary)
        _refuse_if_in_use(database)
        # A -wal left beside the new file would be replayed into it: remove both first (the
        # check above closed the last connection, which checkpointed anything in them).
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        replace_atomically(temporary, database)
    finally:
        temporary.unlink(missing_ok=True)
    return contents
