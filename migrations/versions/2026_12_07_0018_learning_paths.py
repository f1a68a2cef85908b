"""learning paths

A learning path (jalur belajar) is an ordered list of course codes with a target group (employee
type, unit kerja, jabatan pattern, golongan range) and a due period; its sync assigns the courses to everyone in
the group. Assignments get the path that made them (NULL: assigned by HR by hand, as before).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 00:18:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "learning_paths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("course_codes", sa.JSON(), nullable=False),
        sa.Column("employee_type", sa.String(length=4), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("jabatan_pattern", sa.String(length=200), nullable=True),
        sa.Column("golongan_from", sa.String(length=10), nullable=True),
        sa.Column("golongan_to", sa.String(length=10), nullable=True),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "employee_type IN ('PNS', 'PPPK')", name=op.f("ck_learning_paths_employee_type")
        ),
        sa.CheckConstraint("due_days >= 1", name=op.f("ck_learning_paths_due_days_positive")),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_learning_paths_unit_id_units"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_paths")),
    )
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("via_path_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_assignments_via_path_id"), ["via_path_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_assignments_via_path_id_learning_paths"),
            "learning_paths",
            ["via_path_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.drop_constraint(
            batch.f("fk_assignments_via_path_id_learning_paths"), type_="foreignkey"
        )
        batch.drop_index(batch.f("ix_assignments_via_path_id"))
        batch.drop_column("via_path_id")
    op.drop_table("learning_paths")
