"""class sessions

Blended classes (kelas tatap muka, workshop, webinar): a scheduled session and each person's
registration (with waiting list and attendance). A completion may now come from a class:
`completions.class_session_id` (unique per learner), and `course_id` is NULL for a stand-alone
pelatihan klasikal; a completion has a course or a class.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 00:19:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "class_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("jp", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("starts_at", UTC, nullable=False),
        sa.Column("ends_at", UTC, nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("registration", sa.String(length=10), nullable=False),
        sa.Column("late_after_minutes", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("cancel_reason", sa.String(length=300), nullable=True),
        sa.Column("finalised_at", UTC, nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "registration IN ('open', 'assigned')", name=op.f("ck_class_sessions_registration")
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'cancelled', 'finalised')",
            name=op.f("ck_class_sessions_status"),
        ),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_class_sessions_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_class_sessions_ends_after_start")),
        sa.CheckConstraint("jp > 0", name=op.f("ck_class_sessions_jp_positive")),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_class_sessions_course_id_courses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_class_sessions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_sessions")),
    )
    op.create_index(op.f("ix_class_sessions_course_id"), "class_sessions", ["course_id"])
    op.create_index(op.f("ix_class_sessions_starts_at"), "class_sessions", ["starts_at"])

    op.create_table(
        "class_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("registered_at", UTC, nullable=False),
        sa.Column("attendance", sa.String(length=10), nullable=True),
        sa.Column("arrived_at", UTC, nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("minutes_attended", sa.Integer(), nullable=True),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "attendance IS NULL OR attendance IN ('present', 'partial', 'absent')",
            name=op.f("ck_class_registrations_attendance"),
        ),
        sa.CheckConstraint(
            "status IN ('registered', 'waiting', 'cancelled')",
            name=op.f("ck_class_registrations_status"),
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["users.id"],
            name=op.f("fk_class_registrations_marked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["class_sessions.id"],
            name=op.f("fk_class_registrations_session_id_class_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_class_registrations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_registrations")),
        sa.UniqueConstraint(
            "session_id", "user_id", name=op.f("uq_class_registrations_session_id")
        ),
    )
    op.create_index(
        op.f("ix_class_registrations_session_id"), "class_registrations", ["session_id"]
    )
    op.create_index(op.f("ix_class_registrations_user_id"), "class_registrations", ["user_id"])

    with op.batch_alter_table("completions") as batch:
        batch.add_column(sa.Column("class_session_id", sa.Integer(), nullable=True))
        batch.alter_column("course_id", existing_type=sa.Integer(), nullable=True)
        batch.create_unique_constraint(
            "uq_completions_user_id_class_session_id", ["user_id", "class_session_id"]
        )
        batch.create_index(batch.f("ix_completions_class_session_id"), ["class_session_id"])
        batch.create_foreign_key(
            batch.f("fk_completions_class_session_id_class_sessions"),
            "class_sessions",
            ["class_session_id"],
            ["id"],
        )
        batch.create_check_constraint(
            "course_or_class", "course_id IS NOT NULL OR class_session_id IS NOT NULL"
        )


def downgrade() -> None:
    # Stand-alone class completions have no course: they cannot survive the older schema.
    op.execute("DELETE FROM completions WHERE course_id IS NULL")
    with op.batch_alter_table("completions") as batch:
        batch.drop_constraint("course_or_class", type_="check")
        batch.drop_constraint(
            batch.f("fk_completions_class_session_id_class_sessions"), type_="foreignkey"
        )
        batch.drop_index(batch.f("ix_completions_class_session_id"))
        batch.drop_constraint("uq_completions_user_id_class_session_id", type_="unique")
        batch.alter_column("course_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("class_session_id")
    op.drop_index(op.f("ix_class_registrations_user_id"), table_name="class_registrations")
    op.drop_index(op.f("ix_class_registrations_session_id"), table_name="class_registrations")
    op.drop_table("class_registrations")
    op.drop_index(op.f("ix_class_sessions_starts_at"), table_name="class_sessions")
    op.drop_index(op.f("ix_class_sessions_course_id"), table_name="class_sessions")
    op.drop_table("class_sessions")
