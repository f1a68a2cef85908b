"""`lentera audit verify` on a real database whose rows are altered behind Lentera's back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.accounts.models import Role
from app.audit import service as audit
from app.audit.models import AuditChainHead, AuditEvent
from app.cli import cli
from app.config import get_settings
from app.db import make_engine, make_sessionmaker, session_scope
from tests.factories import make_user

runner = CliRunner()


@pytest.fixture
def audit_db(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A database of its own for the CLI, holding six committed audit events."""
    monkeypatch.setenv("LENTERA_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LENTERA_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    engine = make_engine(fresh_database_url)
    with session_scope(make_sessionmaker(engine)) as session:
        admin = make_user(session, roles={Role.ADMIN})  # user.created
        for number in range(5):
            audit.record(
                session, "export.completions", actor_id=admin.id, format="csv", page=number
            )
            session.commit()
    yield engine
    engine.dispose()
    get_settings.cache_clear()


def _events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def _alter(engine: Engine, statement: Any) -> None:
    with engine.begin() as connection:
        connection.execute(statement)


def test_an_intact_chain_exits_0_with_the_count_and_the_head_hash(audit_db: Engine) -> None:
    events = _events(audit_db)

    result = runner.invoke(cli, ["audit", "verify"])

    assert result.exit_code == 0, result.output
    assert f"UTUH: {len(events)} entri" in result.output
    assert f"nomor {len(events)}, hash {events[-1].entry_hash}" in result.output


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda e: {"details": {"format": "xlsx", "page": 2}}, "hash-nya sendiri"),
        (lambda e: {"actor_id": None}, "hash-nya sendiri"),
        (lambda e: {"at": e.at - timedelta(days=1)}, "hash-nya sendiri"),
        (lambda e: {"action": "export.nothing"}, "hash-nya sendiri"),
        (lambda e: {"target_id": "42"}, "hash-nya sendiri"),
        (lambda e: {"prev_hash": "f" * 64}, "tautan ke entri sebelumnya"),
    ],
    ids=["details", "actor", "time", "action", "target", "link"],
)
def test_a_row_altered_in_the_database_is_reported_with_its_id_and_time(
    audit_db: Engine, change: Any, expected: str
) -> None:
    victim = _events(audit_db)[3]
    _alter(audit_db, update(AuditEvent).where(AuditEvent.id == victim.id).values(change(victim)))

    result = runner.invoke(cli, ["audit", "verify"])

    assert result.exit_code == 1
    assert f"RUSAK pada entri id {victim.id} (nomor 4)" in result.output
    assert expected in result.output
    assert "3 entri sebelumnya utuh" in result.output


def test_a_middle_row_deleted_in_the_database_is_reported_at_the_next_entry(
    audit_db: Engine,
) -> None:
    events = _events(audit_db)
    _alter(audit_db, delete(AuditEvent).where(AuditEvent.id == events[2].id))

    result = runner.invoke(cli, ["audit", "verify"])

    assert result.exit_code == 1
    assert f"RUSAK pada entri id {events[3].id} (nomor 4)" in result.output
    assert "entri nomor 3 sebelum entri ini tidak ada (dihapus)" in result.output


def test_deleting_the_newest_row_is_detected_through_the_chain_head(audit_db: Engine) -> None:
    events = _events(audit_db)
    _alter(audit_db, delete(AuditEvent).where(AuditEvent.id == events[-1].id))

    result = runner.invoke(cli, ["audit", "verify"])

    assert result.exit_code == 1
    assert "RUSAK pada kepala rantai" in result.output
    assert "entri terbaru dihapus" in result.output


def test_rolling_the_head_back_over_a_deleted_tail_is_caught_only_by_the_kept_head_hash(
    audit_db: Engine,
) -> None:
    """The documented limit: whoever deletes the newest rows and rewinds the head goes unseen
    by verify itself; the head hash printed earlier (kept outside Lentera) no longer appears."""
    before = runner.invoke(cli, ["audit", "verify"]).output
    events = _events(audit_db)
    _alter(audit_db, delete(AuditEvent).where(AuditEvent.id == events[-1].id))
    _alter(
        audit_db,
        update(AuditChainHead).values(seq=events[-2].seq, head_hash=events[-2].entry_hash),
    )

    after = runner.invoke(cli, ["audit", "verify"])

    assert after.exit_code == 0
    last = events[-1].entry_hash
    assert last is not None and last in before and last not in after.output


def test_concurrent_writers_never_chain_to_the_same_predecessor(audit_db: Engine) -> None:
    """Eight writers, each on an engine of its own (as separate processes would be)."""
    url = audit_db.url.render_as_string(hide_password=False)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        engine = make_engine(url)
        try:
            start.wait()
            for round_ in range(10):
                with session_scope(make_sessionmaker(engine)) as session:
                    audit.record(session, "load.test", writer=number, round=round_)
                    audit.record(session, "load.test.second", writer=number, round=round_)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with Session(audit_db) as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent))
        links = session.scalar(select(func.count(func.distinct(AuditEvent.prev_hash))))
    assert total == 6 + 160 and links == total
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"UTUH: {total} entri" in result.output
