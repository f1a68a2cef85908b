"""Migration 0007 carries existing certificates forward: a "migrated" snapshot, none revoked,
and a completion may then hold a re-issued certificate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from app.db import UTCDateTime, make_engine
from app.ops import alembic_config

WHEN = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 1 December 01.30 WITA
STARTED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _type(value: object) -> sa.types.TypeEngine[object] | None:
    if isinstance(value, datetime):
        return UTCDateTime()  # type: ignore[return-value]
    if isinstance(value, list | dict):
        return sa.JSON()
    return None


def _insert(conn: sa.Connection, table: str, **values: object) -> int:
    columns = [sa.column(name, _type(value)) for name, value in values.items()]
    result: sa.CursorResult[Any] = conn.execute(
        sa.insert(sa.table(table, *columns)).values(**values).returning(sa.column("id"))
    )
    return int(result.scalar_one())


def _old_certificate(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            user = _insert(
                conn, "users", nip="198503152010012003", employee_type="PNS",
                full_name="Andi Ridwan", is_active=True, is_demo=False,
                created_at=WHEN, updated_at=WHEN,
            )  # fmt: skip
            course = _insert(
                conn, "courses", code="PPP-101", folder="ppp", status="active", created_at=WHEN
            )
            version = _insert(
                conn, "course_versions", course_id=course, number=1, content_hash="0" * 64,
                engine_version="1", source="disk", title="Pelayanan Publik Prima", summary="",
                category="teknis", jp=6, level="dasar", authors=[], version_label="1.0",
                passing_score=70, score_policy="best", prerequisites=[], total_minutes=95,
                warnings=[], created_at=WHEN,
            )  # fmt: skip
            for position, (title, minutes) in enumerate((("Konsep", 40), ("Standar", 55))):
                _insert(
                    conn, "module_versions", course_version_id=version, slug=f"m{position}",
                    position=position, title=title, minutes=minutes, kind="bacaan", html="",
                    toc=[], word_count=1, content_hash="0" * 64,
                )  # fmt: skip
            done = _insert(
                conn, "completions", user_id=user, course_id=course, course_version_id=version,
                started_at=STARTED, completed_at=WHEN, final_score=88, jp=6,
            )  # fmt: skip
            _insert(
                conn, "certificates", number="LTR-2026-PPP101-00001-ABCD", completion_id=done,
                issued_at=WHEN, full_name="Andi Ridwan", nip="198503152010012003",
                employee_type="PNS", golongan="III/d", jabatan="Analis", unit_name="BKPSDM",
                course_code="PPP-101", course_title="Pelayanan Publik Prima", category="teknis",
                jp=6, completed_on=datetime(2026, 12, 1).date(), final_score=88,
            )  # fmt: skip
            return done
    finally:
        engine.dispose()


def test_migration_builds_a_migrated_snapshot_for_existing_certificates_and_revokes_none(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LENTERA_SIGNATORY_NAME", "Dra. Siti Rahmawati, M.Si.")
    monkeypatch.setenv("LENTERA_BASE_URL", "https://lentera.palukota.go.id")
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0006")
    done = _old_certificate(empty_database_url)
    command.upgrade(config, "0007")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT snapshot, snapshot_source, revoked_at, pdf_sha256 FROM certificates"
                )
            ).one()
            snapshot = row.snapshot if isinstance(row.snapshot, dict) else json.loads(row.snapshot)
            assert (row.snapshot_source, row.revoked_at, row.pdf_sha256) == (
                "migrated", None, None,
            )  # fmt: skip
            assert snapshot["full_name"] == "Andi Ridwan"
            assert snapshot["pangkat_golongan"] == "Penata Tingkat I (III/d)"
            assert snapshot["signatory_name"] == "Dra. Siti Rahmawati, M.Si."
            assert snapshot["verify_url"] == (
                "https://lentera.palukota.go.id/verifikasi/LTR-2026-PPP101-00001-ABCD"
            )
            assert (snapshot["started_on"], snapshot["completed_on"]) == (
                "2026-11-20", "2026-12-01",
            )  # fmt: skip
            assert snapshot["issued_on"] == "2026-12-01"  # the issue time in WITA
            assert snapshot["modules"] == [
                {"title": "Konsep", "minutes": 40}, {"title": "Standar", "minutes": 55},
            ]  # fmt: skip
            # One completion may now hold a replaced (revoked) certificate and its successor,
            # but never two unrevoked ones.
            conn.execute(sa.text("UPDATE certificates SET revoked_at = :t"), {"t": WHEN})
            values = dict(
                completion_id=done, issued_at=WHEN, full_name="Andi Ridwan",
                nip="198503152010012003", employee_type="PNS", course_code="PPP-101",
                course_title="Pelayanan Publik Prima", category="teknis", jp=6,
                completed_on=datetime(2026, 12, 1).date(), final_score=88,
            )  # fmt: skip
            _insert(conn, "certificates", number="LTR-NEW-1", **values)
            with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
                _insert(conn, "certificates", number="LTR-NEW-2", **values)
    finally:
        engine.dispose()
    with pytest.raises(RuntimeError, match="Cannot downgrade below 0007"):
        command.downgrade(config, "0006")  # the old schema holds one certificate per completion
