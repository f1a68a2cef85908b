"""a class session has a responsible trainer, and may require the course's post-test

Any trainer could manage any class; now a trainer manages only the sessions they are
responsible for (HR and admins manage all). Existing sessions scheduled by a trainer keep
that trainer as the responsible one; those scheduled by HR have none until HR names one.

A session delivering a course with a final test may require it as a post-test: finalising
then credits only attendees who passed it, and marks the others as awaiting it
(`class_registrations.awaits_post_test`) until they pass (app.classes.post_test).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 00:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trainer_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_class_sessions_trainer_id"), ["trainer_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_class_sessions_trainer_id_users"),
            "users",
            ["trainer_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.add_column(
            sa.Column(
                "post_test_required", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("class_registrations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaits_post_test", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE class_sessions SET trainer_id = created_by_id WHERE created_by_id IN "
        "(SELECT user_id FROM user_roles WHERE role = 'trainer')"
    )


def downgrade() -> None:
    with op.batch_alter_table("class_registrations", schema=None) as batch_op:
        batch_op.drop_column("awaits_post_test")
    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.drop_column("post_test_required")
        batch_op.drop_constraint(
            batch_op.f("fk_class_sessions_trainer_id_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_class_sessions_trainer_id"))
        batch_op.drop_column("trainer_id")
