"""reminders

The reminders' sent log (one row per reminder and channel, unique, claimed before sending), and
on each person a WhatsApp number and whether they turned email reminders off.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 00:21:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=16), nullable=True))
        batch.add_column(
            sa.Column(
                "email_reminders_off",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    op.create_table(
        "reminder_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retry_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("channel IN ('email')", name=op.f("ck_reminder_deliveries_channel")),
        sa.CheckConstraint(
            "status IN ('sending', 'sent', 'failed')", name=op.f("ck_reminder_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reminder_deliveries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_deliveries")),
        sa.UniqueConstraint(
            "dedupe_key", "channel", name=op.f("uq_reminder_deliveries_key_channel")
        ),
    )
    op.create_index(
        "ix_reminder_deliveries_status_created_at",
        "reminder_deliveries",
        ["status", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_reminder_deliveries_user_id"), "reminder_deliveries", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reminder_deliveries_user_id"), table_name="reminder_deliveries")
    op.drop_index("ix_reminder_deliveries_status_created_at", table_name="reminder_deliveries")
    op.drop_table("reminder_deliveries")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_reminders_off")
        batch.drop_column("phone")
