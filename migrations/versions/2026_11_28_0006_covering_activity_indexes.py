"""covering indexes for weekly activity; drop the duplicate attempts index

The HR dashboard counts distinct learners per week from three time columns. With
single-column indexes every matching row was read from the table for its user_id
(1.84 s on SQLite at default scale); with (time, user_id) the index alone answers
(0.72 s). ix_quiz_attempts_learner repeated the leading columns of the unique
constraint on (user_id, course_id, quiz_key, number), which both planners use.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVERING = (
    ("module_progress", "ix_module_progress_first_opened_at", "first_opened_at"),
    ("module_progress", "ix_module_progress_completed_at", "completed_at"),
    ("quiz_attempts", "ix_quiz_attempts_submitted_at", "submitted_at"),
)


def upgrade() -> None:
    for table, name, column in COVERING:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column, "user_id"])
    op.drop_index("ix_quiz_attempts_learner", table_name="quiz_attempts")


def downgrade() -> None:
    op.create_index(
        "ix_quiz_attempts_learner", "quiz_attempts", ["user_id", "course_id", "quiz_key"]
    )
    for table, name, column in COVERING:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column])
