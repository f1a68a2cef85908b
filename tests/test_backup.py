"""`lentera backup` / `lentera restore`: online, consistent, verified, and a faithful round trip."""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, inspect, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.cli.backup import backup as backup_command
from app.cli.backup import restore as restore_command
from app.config import Settings, get_settings
from app.content import store
from app.content.format import loader
from app.content.models import Blob, Course
from app.db import make_engine
from app.learning.models import Certificate, Enrolment
from app.ops import alembic_config
from app.ops_backup import BackupError, backup, restore
from app.ops_backup import inspect as inspect_backup
from tests.conftest import CONTENT_DIR, _new_database
from tests.privacy.conftest import build_person

runner = CliRunner()
lentera = typer.Typer()
lentera.command("backup")(backup_command)
lentera.command("restore")(restore_command)


def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (alembic_version included), in primary-key order."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            metadata = MetaData()
            rows = {}
            for name in sorted(inspect(connection).get_table_names()):
                table = Table(name, metadata, autoload_with=connection)
                order = list(table.primary_key.columns) or list(table.columns)
                rows[name] = [tuple(r) for r in connection.execute(select(table).order_by(*order))]
            return rows
    finally:
        engine.dispose()


def _populate(url: str, library: loader.Library) -> None:
    """Published content, users, progress, attempts, completions, certificates and the rest."""
    engine = make_engine(url)
    settings = Settings(database_url=url, _env_file=None)
    try:
        with Session(engine, expire_on_commit=False) as session:
            store.import_library(session, CONTENT_DIR, library=library)
            session.commit()
            build_person(session, settings)
    finally:
        engine.dispose()


def sa_table(model: Any) -> Table:
    """The model's table; mypy sees `__table__` as a FromClause, which has no insert/delete."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _execute(url: str, *statements: Any) -> None:
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(statement)
    finally:
        engine.dispose()


@pytest.fixture
def populated(fresh_database_url: str, demo_library: loader.Library) -> str:
    _populate(fresh_database_url, demo_library)
    return fresh_database_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    with _new_database("sqlite", tmp_path) as url:
        yield url


@pytest.fixture
def cli_env(populated: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("LENTERA_DATABASE_URL", populated)
    monkeypatch.setenv("LENTERA_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield populated
    get_settings.cache_clear()


def test_restore_brings_back_every_table_exactly_as_it_was_backed_up(
    populated: str, tmp_path: Path
) -> None:
    before = _snapshot(populated)
    assert all(before[name] for name in ("users", "completions", "certificates", "blobs"))
    file = tmp_path / "lentera.backup"
    contents = backup(populated, file)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # everyone's personal data is in it
    assert contents.counts["users"] == len(before["users"])
    assert contents.counts == {name: len(rows) for name, rows in before.items()}
    _execute(
        populated,
        update(User).values(full_name="Diubah"),
        sa_table(Certificate).delete(),
        sa_table(Enrolment).delete(),
        update(Course).values(current_version_id=None),
        text("INSERT INTO units (name, created_at) VALUES ('Unit Baru', CURRENT_TIMESTAMP)"),
    )
    assert _snapshot(populated) != before
    result = restore(populated, file)
    assert result.status == "current"
    assert _snapshot(populated) == before


def test_sqlite_backup_is_consistent_while_another_connection_keeps_writing(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    payload = b"x" * 1_000_000
    with engine.begin() as connection:  # enough pages that the copy takes a while
        for index in range(40):
            connection.execute(
                sa_table(Blob)
                .insert()
                .values(sha256=f"{index:064d}", size=len(payload), data=payload)
            )
    written = 0
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        # Each transaction writes a user and their audit event: a consistent copy has pairs.
        nonlocal written
        try:
            while not stop.is_set():
                with engine.begin() as connection:
                    inserted = connection.execute(
                        sa_table(User)
                        .insert()
                        .values(
                            nip=f"{written:018d}",
                            employee_type="PNS",
                            full_name=f"Penulis {written}",
                            is_active=True,
                            is_demo=False,
                        )
                    ).inserted_primary_key
                    assert inserted is not None
                    user_id = inserted[0]
                    connection.execute(
                        sa_table(AuditEvent)
                        .insert()
                        .values(
                            action="test.write",
                            target_type="user",
                            target_id=str(user_id),
                            details={},
                        )
                    )
                written += 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written < 5 and thread.is_alive():
            stop.wait(0.01)
        at_start = written
        contents = backup(sqlite_url, tmp_path / "online.db")
        during = written - at_start
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    assert errors == []
    assert during > 0, "the server's writes must go on during the backup"
    copy = make_engine(f"sqlite:///{tmp_path / 'online.db'}", poolclass=NullPool)
    try:
        with copy.connect() as connection:
            users = connection.execute(select(User.id)).scalars().all()
            events = (
                connection.execute(
                    select(AuditEvent.target_id).where(AuditEvent.action == "test.write")
                )
                .scalars()
                .all()
            )
    finally:
        copy.dispose()
    assert sorted(str(u) for u in users) == sorted(str(e) for e in events)
    assert contents.counts["users"] == len(users) >= at_start
    assert contents.counts["blobs"] == 40
    assert not (tmp_path / "online.db-wal").exists()  # one self-contained file


def test_cli_backup_prints_row_counts_and_restore_asks_before_replacing(
    cli_env: str, tmp_path: Path
) -> None:
    file = tmp_path / "cadangan.db"
    result = runner.invoke(lentera, ["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert "diperiksa dan utuh" in result.output
    assert "course_version_files" in result.output and "users" in result.output
    _execute(cli_env, update(User).values(full_name="Diubah"))
    declined = runner.invoke(lentera, ["restore", str(file)], input="n\n")
    assert declined.exit_code == 1
    assert "AKAN DIGANTI".lower() in declined.output.lower()
    restored = runner.invoke(lentera, ["restore", str(file), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "Database dipulihkan" in restored.output
    engine = make_engine(cli_env, poolclass=NullPool)
    with Session(engine) as session:
        names = set(session.scalars(select(User.full_name)))
        actions = set(session.scalars(select(AuditEvent.action)))
    engine.dispose()
    assert "Diubah" not in names
    # The backup's own audit event came after the snapshot, so the restore removed it.
    assert "database.restored" in actions and "database.backed_up" not in actions


def _previous_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config())
    current = script.get_current_head()
    assert current is not None
    head = script.get_revision(current)
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


def test_a_backup_of_an_older_schema_is_restored_and_asks_for_migrate(
    empty_database_url: str, tmp_path: Path
) -> None:
    older = _previous_revision()
    command.upgrade(alembic_config(empty_database_url), older)
    file = tmp_path / "lama.backup"
    backup(empty_database_url, file)
    command.upgrade(alembic_config(empty_database_url), "head")
    result = restore(empty_database_url, file)
    assert result.status == "older"
    assert _snapshot(empty_database_url)["alembic_version"] == [(older,)]
    command.upgrade(alembic_config(empty_database_url), "head")  # and `lentera migrate` works


def test_a_backup_from_a_newer_lentera_is_refused_and_nothing_changes(
    populated: str, tmp_path: Path
) -> None:
    _execute(populated, text("UPDATE alembic_version SET version_num = '9999_dari_masa_depan'"))
    file = tmp_path / "baru.backup"
    backup(populated, file)
    _execute(populated, text("UPDATE alembic_version SET version_num = :head").bindparams(
        head=ScriptDirectory.from_config(alembic_config()).get_current_head()))  # fmt: skip
    before = _snapshot(populated)
    with pytest.raises(BackupError, match="9999_dari_masa_depan"):
        restore(populated, file)
    assert _snapshot(populated) == before


def test_restore_refuses_a_file_that_is_not_a_backup(populated: str, tmp_path: Path) -> None:
    junk = tmp_path / "bukan.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    before = _snapshot(populated)
    for file in (junk, tmp_path / "tidak-ada.db"):
        with pytest.raises(BackupError):
            inspect_backup(populated, file)
        with pytest.raises(BackupError):
            restore(populated, file)
    assert _snapshot(populated) == before


def test_sqlite_restore_refuses_while_the_database_is_open_elsewhere(
    sqlite_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "cadangan.db"
    backup(sqlite_url, file)
    server = make_engine(sqlite_url)
    try:
        with server.connect() as connection:
            connection.execute(text("SELECT 1"))
            with pytest.raises(BackupError, match="sedang dipakai"):
                restore(sqlite_url, file)
    finally:
        server.dispose()
    assert restore(sqlite_url, file).status == "current"  # once the server has stopped


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    """A PostgreSQL database of this test's own (skipped locally without one, as conftest)."""
    with _new_database("postgresql", tmp_path) as url:
        yield url


def test_backups_of_one_database_cannot_be_restored_into_the_other_kind(
    sqlite_url: str, postgres_url: str, tmp_path: Path
) -> None:
    sqlite_file, pg_file = tmp_path / "a.db", tmp_path / "b.dump"
    backup(sqlite_url, sqlite_file)
    backup(postgres_url, pg_file)
    with pytest.raises(BackupError, match="cadangan SQLite"):
        restore(postgres_url, sqlite_file)
    with pytest.raises(BackupError, match="cadangan PostgreSQL"):
        restore(sqlite_url, pg_file)


def test_postgres_backup_without_pg_dump_says_what_to_install(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump tidak ditemukan"):
        backup(postgres_url, tmp_path / "x.dump")
    assert not (tmp_path / "x.dump").exists()
