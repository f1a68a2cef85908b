"""course sources and introduction

Course versions get what `kursus.yaml` may now say about where the content comes from
(`sumber`, the regulations with their dates and links; `berlaku_per`, the date the content was
last checked against them) and the rendered course introduction (`pengantar.md`). Existing
versions keep NULL: no sources, no introduction, as before.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-07 00:17:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course_versions") as batch:
        batch.add_column(sa.Column("sources", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("valid_as_of", sa.Date(), nullable=True))
        batch.add_column(sa.Column("intro_html", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("course_versions") as batch:
        batch.drop_column("intro_html")
        batch.drop_column("valid_as_of")
        batch.drop_column("sources")
