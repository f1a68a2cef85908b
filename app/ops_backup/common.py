"""What backup and restore share: the error type, a backup's contents, schema revision checks."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from app.ops import alembic_config

RevisionStatus = Literal["current", "older"]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message tells the operator why."""


@dataclass
class Contents:
    """What a backup holds: its schema revision and the rows of every table."""

    backend: Literal["sqlite", "postgresql"]
    revisions: set[str]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


def revision_status(revisions: set[str]) -> RevisionStatus:
    """'current' at this code's head, 'older' when `lentera migrate` must follow; else refuse.

    A revision this code does not know was written by a newer Lentera: restoring it would
    leave a schema the running code does not understand, so it is refused.
    """
    if not revisions:
        raise BackupError(
            "Berkas ini tidak memiliki tabel alembic_version: bukan cadangan database Lentera."
        )
    script = ScriptDirectory.from_config(alembic_config())
    if revisions == set(script.get_heads()):
        return "current"
    for revision in revisions:
        try:
            found = script.get_revision(revision)
        except CommandError:
            found = None
        if found is None:
            raise BackupError(
                f"Cadangan ini berskema revisi {revision}, yang tidak dikenal versi Lentera ini "
                "(dibuat oleh versi yang lebih baru?). Pulihkan dengan versi Lentera yang sama "
                "atau lebih baru."
            )
    return "older"


def private_file(path: Path, mode: int = 0o600) -> Path:
    """Create an empty file only its owner can read: a backup holds everyone's personal data.

    The tools that fill it (SQLite, pg_dump) keep the mode of a file that already exists.
    """
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    os.chmod(path, mode)  # exactly `mode`, whatever the umask
    return path


def fsync_path(path: Path) -> None:
    """Flush a file's bytes, or a directory's entries (a rename), to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def replace_atomically(temporary: Path, target: Path) -> None:
    """Rename a fully written file over `target`: readers see the old file or the new one."""
    fsync_path(temporary)
    os.replace(temporary, target)
    fsync_path(target.parent)
