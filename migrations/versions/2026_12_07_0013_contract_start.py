"""users.contract_start_on: a PPPK's contract start, for JP per contract year

Existing rows get NULL (unknown): their JP keeps being counted per calendar year until a
roster with a "TMT PPPK" column fills it in.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-07 00:13:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("contract_start_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("contract_start_on")
