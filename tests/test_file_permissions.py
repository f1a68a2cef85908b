"""Files holding personal data are created readable by their owner only (issue 19 item 9)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from tests.factories import make_user
from tests.reports.test_export import _complete
from tests.reports.test_export_cli import cli_session

__all__ = ["cli_session"]  # the fixture, shared with the export CLI tests


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The common default umask (022), under which files are created world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_sqlite_database_and_its_wal_and_shm_files_are_created_0600(
    tmp_path: Path, permissive_umask: None
) -> None:
    database = tmp_path / "data" / "lentera.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x TEXT)"))
            conn.execute(text("INSERT INTO t VALUES ('19850315 201001 2 003')"))
        with engine.connect() as conn:  # WAL and SHM exist while a connection is open
            conn.execute(text("SELECT * FROM t")).all()
            files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        engine.dispose()
    assert _mode(database.parent) == 0o700


def test_a_world_readable_database_left_by_an_older_version_is_tightened_on_open(
    tmp_path: Path, permissive_umask: None
) -> None:
    database = tmp_path / "lentera.db"
    for path in (database, Path(f"{database}-wal")):
        path.touch()
        path.chmod(0o644)
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).all()
    finally:
        engine.dispose()
    assert _mode(database) == 0o600
    assert not Path(f"{database}-wal").exists() or _mode(Path(f"{database}-wal")) == 0o600


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_cli_completion_export_is_created_0600_even_over_an_older_readable_file(
    cli_session: Session, tmp_path: Path, permissive_umask: None, fmt: str
) -> None:
    learner = make_user(cli_session)
    _complete(cli_session, learner, "PPP-101")
    fresh = tmp_path / f"baru.{fmt}"
    old = tmp_path / f"lama.{fmt}"
    old.write_bytes(b"")
    old.chmod(0o644)
    for out in (fresh, old):
        result = CliRunner().invoke(cli, ["export", "completions", "-o", str(out), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
        assert _mode(out) == 0o600
