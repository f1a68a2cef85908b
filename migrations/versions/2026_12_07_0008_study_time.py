"""study time and pre-test rules: per-course and per-module settings, time on modules

Course versions get the course's study rules (pre-test required before the first module,
minimum share of a module's estimated minutes before it can be marked complete) and module
versions their own override. Existing versions get the defaults a re-import of the same files
would give them. Module progress gets the study time credited so far and the start of the
open visit; progress events the reading time a device reported. Existing progress and
completions are kept as they are: the rules apply to marks made from now on.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course_versions") as batch:
        batch.add_column(
            sa.Column("pretest_required", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column("min_time_percent", sa.Integer(), nullable=False, server_default="30")
        )
    with op.batch_alter_table("module_versions") as batch:
        batch.add_column(sa.Column("min_time_percent", sa.Integer(), nullable=True))
    with op.batch_alter_table("module_progress") as batch:
        batch.add_column(
            sa.Column("study_seconds", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("visit_started_at", app.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("progress_events") as batch:
        batch.add_column(sa.Column("seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress_events") as batch:
        batch.drop_column("seconds")
    with op.batch_alter_table("module_progress") as batch:
        batch.drop_column("visit_started_at")
        batch.drop_column("study_seconds")
    with op.batch_alter_table("module_versions") as batch:
        batch.drop_column("min_time_percent")
    with op.batch_alter_table("course_versions") as batch:
        batch.drop_column("min_time_percent")
        batch.drop_column("pretest_required")
