"""login failures remember the NIP tried

A successful login forgives the NIP's own earlier failures from that address (its owner's
typos), so an office behind one NAT address, or phones behind a carrier's CGNAT, are not paused
together by typos their owners corrected. That needs the NIP on the address's rows. Older rows
keep NULL: they are never forgiven and age out with the window.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 00:24:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nip", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_column("nip")
