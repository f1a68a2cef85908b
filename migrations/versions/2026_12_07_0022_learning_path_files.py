"""learning paths from files

A learning path may come from a file `content/jalur/<slug>.yaml`: `source_file` holds the slug
(unique), and such a path is owned by its file (read-only on the web). NULL: made on the web.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 00:22:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learning_paths") as batch:
        batch.add_column(sa.Column("source_file", sa.String(length=100), nullable=True))
        batch.create_unique_constraint(batch.f("uq_learning_paths_source_file"), ["source_file"])


def downgrade() -> None:
    with op.batch_alter_table("learning_paths") as batch:
        batch.drop_constraint(batch.f("uq_learning_paths_source_file"), type_="unique")
        batch.drop_column("source_file")
