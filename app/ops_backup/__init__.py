"""`lentera backup` and `lentera restore`: the whole database in one file, and back.

SQLite is copied online with SQLite's backup API (the server may keep running and writing);
PostgreSQL is dumped with `pg_dump --format=custom` from one snapshot. Course content versions
and their files live in the database, so the one file holds everything. A restore checks the
file first (integrity, and that its schema revision is one this code knows) and then replaces
the database in one step: an atomic rename for SQLite, one transaction for PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from app.ops_backup import postgres, sqlite
from app.ops_backup.common import BackupError, Contents, RevisionStatus, revision_status

__all__ = ["BackupError", "Contents", "RestoreResult", "backup", "inspect", "restore"]


def _sqlite_path(database_url: str) -> Path | None:
    """The database file for a SQLite URL, None for PostgreSQL; refuses anything else."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        if not url.database or url.database == ":memory:":
            raise BackupError("Database SQLite di memori tidak dapat dicadangkan.")
        return Path(url.database)
    if url.drivername.split("+")[0] in ("postgresql", "postgres"):
        return None
    raise BackupError(f"Jenis database {url.drivername} tidak didukung.")


def backup(database_url: str, target: Path) -> Contents:
    """Back the database up into `target` and check the result; returns what it holds."""
    database = _sqlite_path(database_url)
    if database is not None:
        return sqlite.backup(database, target)
    return postgres.backup(database_url, target)


def inspect(database_url: str, source: Path) -> tuple[Contents, RevisionStatus]:
    """Check a backup file for this database: readable, sound, a schema this code knows."""
    database = _sqlite_path(database_url)
    if database is not None:
        if source.is_file() and postgres.is_dump_file(source):
            raise BackupError("Ini cadangan PostgreSQL, sedangkan database yang dipakai SQLite.")
        contents = sqlite.inspect(source)
    else:
        if source.is_file() and sqlite.is_sqlite_file(source):
            raise BackupError("Ini cadangan SQLite, sedangkan database yang dipakai PostgreSQL.")
        contents = postgres.inspect_dump(source)
    return contents, revision_status(contents.revisions)


@dataclass(frozen=True)
class RestoreResult:
    contents: Contents  # the database after the restore
    status: RevisionStatus  # "older": run `lentera migrate` next


def restore(database_url: str, source: Path) -> RestoreResult:
    """Check `source`, then replace the whole database with it."""
    _contents, status = inspect(database_url, source)
    database = _sqlite_path(database_url)
    if database is not None:
        return RestoreResult(sqlite.restore(database, source), status)
    return RestoreResult(postgres.restore(database_url, source), status)
