"""auth generation

One row, `auth_generation.value`, bumped in the transaction of every change that ends or alters
a login session (logout, password, roles, deactivation, profile and unit edits). Each server
process caches resolved sessions and drops its cache when the value moves
(app/accounts/session_cache.py), so sessions still end on every instance within a second.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 00:23:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "auth_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "value": 0}])


def downgrade() -> None:
    op.drop_table("auth_generation")
