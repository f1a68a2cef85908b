"""quiz answer reveal

Quiz versions get `answer_reveal`, the `tampilkan_jawaban` a quiz file may state: when a result
page shows the correct answers and explanations. Existing versions keep NULL, meaning the
default for their key (app/learning/score_policy.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quiz_versions") as batch:
        batch.add_column(sa.Column("answer_reveal", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quiz_versions") as batch:
        batch.drop_column("answer_reveal")
