"""siasn export batches

Each SIASN export HR downloads is recorded (who, when, filters, row count), so the next one
can list only the completions credited, and certificates re-issued, since the last batch
(app/reports/siasn_batches.py). A new table: no existing rows to carry.

Course versions get `jenis_diklat_siasn`, the SIASN kind of training a course's `kursus.yaml`
may name; existing versions keep NULL, meaning the settings decide, as before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:14:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course_versions") as batch:
        batch.add_column(sa.Column("jenis_diklat_siasn", sa.Integer(), nullable=True))
    op.create_table(
        "siasn_export_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_siasn_export_batches_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_siasn_export_batches")),
    )
    op.create_index(
        op.f("ix_siasn_export_batches_created_at"),
        "siasn_export_batches",
        ["created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_siasn_export_batches_created_at"), table_name="siasn_export_batches")
    op.drop_table("siasn_export_batches")
    with op.batch_alter_table("course_versions") as batch:
        batch.drop_column("jenis_diklat_siasn")
