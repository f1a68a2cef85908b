"""Migration 0009 carries existing supervisor confirmations forward onto the 4-level scale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text

from app.db import make_engine
from app.ops import alembic_config

NOW = datetime.now(UTC).replace(tzinfo=None)
# (follow-up status, old verdict, answered, link hash)
OLD_ROWS = [
    ("applied", "confirmed", True, "a" * 64),
    ("not_applied", "not_seen", True, "b" * 64),
    ("partly", None, False, "c" * 64),  # a link sent, never answered
    (None, None, False, None),
]


def _seed(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO courses (id, code, folder, status, created_at) "
                "VALUES (1, 'PPP-101', 'ppp-101', 'active', :now)"
            ),
            {"now": NOW},
        )
        for index, (status, verdict, answered, token) in enumerate(OLD_ROWS, start=1):
            conn.execute(
                text(
                    "INSERT INTO users (id, nip, employee_type, full_name, is_active, is_demo, "
                    "created_at, updated_at) VALUES (:id, :nip, 'PNS', :name, :t, :f, :now, :now)"
                ),
                {
                    "id": index,
                    "nip": f"19900101201503100{index}",
                    "name": f"Pegawai {index}",
                    "t": True,
                    "f": False,
                    "now": NOW,
                },
            )
            conn.execute(
                text(
                    "INSERT INTO action_plans (id, user_id, course_id, plan, supervisor_name, "
                    "created_at, follow_up_on, follow_up_status, supervisor_token_hash, "
                    "supervisor_link_expires_at, supervisor_verdict, supervisor_confirmed_at) "
                    "VALUES (:id, :id, 1, 'Rencana', 'Ibu Rahma', :now, :on, :status, :token, "
                    ":expires, :verdict, :answered)"
                ),
                {
                    "id": index,
                    "now": NOW,
                    "on": NOW.date(),
                    "status": status,
                    "token": token,
                    "expires": NOW + timedelta(days=5) if token else None,
                    "verdict": verdict,
                    "answered": NOW if answered else None,
                },
            )
    engine.dispose()


def _plans(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT supervisor_verdict, supervisor_legacy, supervisor_token_hash, "
                "supervisor_link_expires_at IS NULL, supervisor_nip, supervisor_nip_failures, "
                "supervisor_name FROM action_plans ORDER BY id"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_old_yes_no_answers_become_legacy_scale_answers_and_unbound_links_are_voided(
    empty_database_url: str,
) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0006")
    _seed(empty_database_url)
    command.upgrade(config, "0009")
    assert _plans(empty_database_url) == [
        # Answers keep their link hash (a used link still says "already used") and are legacy.
        ("fully", True, "a" * 64, False, None, 0, "Ibu Rahma"),
        ("none", True, "b" * 64, False, None, 0, "Ibu Rahma"),
        # An unanswered link is bound to nobody: voided, so the learner names the supervisor.
        (None, False, None, True, None, 0, "Ibu Rahma"),
        (None, False, None, True, None, 0, "Ibu Rahma"),
    ]
    command.downgrade(config, "0006")
    engine = make_engine(empty_database_url)
    with engine.connect() as conn:
        verdicts = conn.execute(
            text("SELECT supervisor_verdict FROM action_plans ORDER BY id")
        ).scalars()
        assert list(verdicts) == ["confirmed", "not_seen", None, None]
    engine.dispose()
