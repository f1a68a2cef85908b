"""Migration 0010 chains the audit events that existed before it, in id order."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.audit.models import AuditEvent
from app.audit.verify import verify
from app.db import make_engine
from app.ops import alembic_config

OLD_EVENTS = [
    # recorded out of time order on purpose: the chain follows ids, not times
    (datetime(2026, 12, 1, 8, 0, 0, 123456, tzinfo=UTC), "certificate.revoked", {"reason": "x"}),
    (datetime(2026, 11, 30, 23, 59, tzinfo=UTC), "export.completions", {"filters": {"u": 1}}),
    (datetime(2026, 12, 2, 1, 2, 3, tzinfo=UTC), "roster.imported", {"rows": 120, "name": "é"}),
]


def test_existing_events_are_chained_in_id_order_and_new_ones_follow(
    empty_database_url: str,
) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0006")
    engine = make_engine(empty_database_url)
    try:
        table = sa.table(
            "audit_events",
            sa.column("at", sa.DateTime(timezone=True)),
            sa.column("action", sa.String()),
            sa.column("details", sa.JSON()),
        )
        with engine.begin() as connection:
            for at, action, details in OLD_EVENTS:
                connection.execute(table.insert().values(at=at, action=action, details=details))

        command.upgrade(config, "head")

        with Session(engine) as session:
            rows = list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
            assert [(r.seq, r.action) for r in rows] == [
                (1, "certificate.revoked"), (2, "export.completions"), (3, "roster.imported"),
            ]  # fmt: skip
            assert verify(session).intact
            audit.record(session, "user.unlocked", target_type="user", target_id=1)
            session.commit()
            report = verify(session)
            assert (report.intact, report.entries, report.head_seq) == (True, 4, 4)
    finally:
        engine.dispose()
