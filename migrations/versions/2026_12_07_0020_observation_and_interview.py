"""observation and interview

Kirkpatrick level 3 seen by others than the learner: course versions get the observable
behaviours their `kursus.yaml` lists (`perilaku_diamati`; NULL before, no checklist); an
observation (one per observer, learner and course) rates each behaviour 1-4 in
`observation_ratings`; follow-up interviews are notes, several per completion.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db


revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_up_interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=True),
        sa.Column("interviewer_role", sa.String(length=12), nullable=False),
        sa.Column("interviewed_on", sa.Date(), nullable=False),
        sa.Column("interviewee", sa.String(length=12), nullable=False),
        sa.Column("skills_applied", sa.Text(), nullable=False),
        sa.Column("obstacles", sa.Text(), nullable=True),
        sa.Column("support_needed", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "interviewee IN ('learner', 'supervisor', 'colleague', 'other')",
            name=op.f("ck_follow_up_interviews_interviewee"),
        ),
        sa.CheckConstraint(
            "interviewer_role IN ('trainer', 'hr', 'admin', 'supervisor')",
            name=op.f("ck_follow_up_interviews_interviewer_role"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_follow_up_interviews_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"],
            ["users.id"],
            name=op.f("fk_follow_up_interviews_interviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_follow_up_interviews_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_interviews")),
    )
    with op.batch_alter_table("follow_up_interviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_interviews_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_interviews_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_interviews_interviewer_id"), ["interviewer_id"], unique=False
        )

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("observer_id", sa.Integer(), nullable=True),
        sa.Column("observer_role", sa.String(length=12), nullable=False),
        sa.Column("course_version_id", sa.Integer(), nullable=True),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "observer_role IN ('trainer', 'hr', 'admin', 'supervisor')",
            name=op.f("ck_observations_observer_role"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_observations_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_version_id"],
            ["course_versions.id"],
            name=op.f("fk_observations_course_version_id_course_versions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["observer_id"],
            ["users.id"],
            name=op.f("fk_observations_observer_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_observations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
        sa.UniqueConstraint(
            "user_id", "course_id", "observer_id", name=op.f("uq_observations_user_id")
        ),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observations_course_id"), ["course_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_observations_observer_id"), ["observer_id"], unique=False
        )

    op.create_table(
        "observation_ratings",
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("behaviour", sa.String(length=200), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name=op.f("ck_observation_ratings_level")),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_observation_ratings_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("observation_id", "position", name=op.f("pk_observation_ratings")),
    )
    with op.batch_alter_table("course_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("observed_behaviours", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("course_versions", schema=None) as batch_op:
        batch_op.drop_column("observed_behaviours")

    op.drop_table("observation_ratings")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observations_observer_id"))
        batch_op.drop_index(batch_op.f("ix_observations_course_id"))

    op.drop_table("observations")
    with op.batch_alter_table("follow_up_interviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_interviews_interviewer_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_interviews_created_at"))
        batch_op.drop_index(batch_op.f("ix_follow_up_interviews_course_id"))

    op.drop_table("follow_up_interviews")
