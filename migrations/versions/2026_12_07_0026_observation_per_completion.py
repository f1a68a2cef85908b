"""observation per completion

Observations and follow-up interviews are keyed on the completion instead of the course, so a
class attended can be observed like a course completed (a stand-alone class has no course):
`completion_id` is filled from the learner's completion of the course, the course column goes
(one observation per observer and completion). A stand-alone class gets its own observable
behaviours (`class_sessions.observed_behaviours`, NULL: no checklist).

Downgrading deletes observations and interviews of stand-alone classes: the older schema
cannot hold them without a course.

SQLite rebuilds `observations` (batch mode) with foreign keys enforced, and dropping the old
table would cascade to `observation_ratings`: the ratings are copied aside and put back
(`_keep_ratings`). PostgreSQL alters in place; the copy is then a no-op.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 00:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("observations", "follow_up_interviews")
BACKUP = "_observation_ratings_0026"


def _save_ratings() -> None:
    op.execute(f"CREATE TABLE {BACKUP} AS SELECT * FROM observation_ratings")  # noqa: S608


def _restore_ratings() -> None:
    # Only the ratings whose observation is still there (a downgrade drops some).
    op.execute(
        f"INSERT INTO observation_ratings (observation_id, position, behaviour, level) "  # noqa: S608
        f"SELECT b.observation_id, b.position, b.behaviour, b.level FROM {BACKUP} b "
        "WHERE EXISTS (SELECT 1 FROM observations o WHERE o.id = b.observation_id) "
        "AND NOT EXISTS (SELECT 1 FROM observation_ratings r "
        "WHERE r.observation_id = b.observation_id AND r.position = b.position)"
    )
    op.execute(f"DROP TABLE {BACKUP}")


def upgrade() -> None:
    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("observed_behaviours", sa.JSON(), nullable=True))
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("completion_id", sa.Integer(), nullable=True))
        # Every observation was of a credited completion of the course: there is one.
        op.execute(
            f"UPDATE {table} SET completion_id = (SELECT completions.id FROM completions "  # noqa: S608 - constant names
            f"WHERE completions.user_id = {table}.user_id "
            f"AND completions.course_id = {table}.course_id)"
        )
    _save_ratings()
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.alter_column("completion_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_observations_user_id", type_="unique")
        batch_op.drop_index(batch_op.f("ix_observations_course_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_observations_course_id_courses"), type_="foreignkey"
        )
        batch_op.drop_column("course_id")
        batch_op.create_foreign_key(
            batch_op.f("fk_observations_completion_id_completions"),
            "completions",
            ["completion_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_observations_completion_id"), ["completion_id", "observer_id"]
        )
    _restore_ratings()
    with op.batch_alter_table("follow_up_interviews", schema=None) as batch_op:
        batch_op.alter_column("completion_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_follow_up_interviews_course_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_follow_up_interviews_course_id_courses"), type_="foreignkey"
        )
        batch_op.drop_column("course_id")
        batch_op.create_foreign_key(
            batch_op.f("fk_follow_up_interviews_completion_id_completions"),
            "completions",
            ["completion_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_interviews_completion_id"), ["completion_id"], unique=False
        )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("course_id", sa.Integer(), nullable=True))
        op.execute(
            f"UPDATE {table} SET course_id = (SELECT completions.course_id FROM completions "  # noqa: S608 - constant names
            f"WHERE completions.id = {table}.completion_id)"
        )
        op.execute(f"DELETE FROM {table} WHERE course_id IS NULL")  # noqa: S608
    with op.batch_alter_table("follow_up_interviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_interviews_completion_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_follow_up_interviews_completion_id_completions"), type_="foreignkey"
        )
        batch_op.drop_column("completion_id")
        batch_op.alter_column("course_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_follow_up_interviews_course_id_courses"),
            "courses",
            ["course_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_interviews_course_id"), ["course_id"], unique=False
        )
    _save_ratings()
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_observations_completion_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_observations_completion_id_completions"), type_="foreignkey"
        )
        batch_op.drop_column("completion_id")
        batch_op.alter_column("course_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_observations_course_id_courses"),
            "courses",
            ["course_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(
            "uq_observations_user_id", ["user_id", "course_id", "observer_id"]
        )
        batch_op.create_index(batch_op.f("ix_observations_course_id"), ["course_id"], unique=False)
    _restore_ratings()
    # In place on both databases (SQLite 3.35+): rebuilding class_sessions would cascade to
    # its registrations and trip the completions' foreign key.
    op.execute("ALTER TABLE class_sessions DROP COLUMN observed_behaviours")
