"""hash-chain the audit trail

Every audit event gets its place in a hash chain (seq, salt, prev_hash, entry_hash; the format
is app/audit/chain.py) and a one-row table keeps the chain's head, which every transaction
that adds events locks while sealing them. The events that exist when this runs are chained
in id order (their recording order), each with a new random salt, and the head is set to the
last of them; from then on `lentera audit verify` checks them like any other entry.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db
from app.audit import chain

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000

events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("at", app.db.UTCDateTime(timezone=True)),
    sa.column("actor_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("target_type", sa.String()),
    sa.column("target_id", sa.String()),
    sa.column("details", sa.JSON()),
    sa.column("seq", sa.Integer()),
    sa.column("salt", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("entry_hash", sa.String()),
)


def _chain_existing(connection: sa.Connection) -> tuple[int, str]:
    """Seal the existing events in id order; (last number, last hash)."""
    seq, prev, after = 0, chain.GENESIS, 0
    while True:
        rows = connection.execute(
            sa.select(
                events.c.id,
                events.c.at,
                events.c.actor_id,
                events.c.action,
                events.c.target_type,
                events.c.target_id,
                events.c.details,
            )
            .where(events.c.id > after)
            .order_by(events.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return seq, prev
        updates = []
        for row in rows:
            seq += 1
            salt = chain.new_salt()
            digest = chain.entry_hash(
                seq=seq,
                at=row.at,
                actor_id=row.actor_id,
                action=row.action,
                target_type=row.target_type,
                target_id=row.target_id,
                details=row.details or {},
                salt=salt,
                prev=prev,
            )
            updates.append(
                {
                    "row_id": row.id,
                    "seq": seq,
                    "salt": salt,
                    "prev_hash": prev,
                    "entry_hash": digest,
                }
            )
            prev = digest
        connection.execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(
                seq=sa.bindparam("seq"),
                salt=sa.bindparam("salt"),
                prev_hash=sa.bindparam("prev_hash"),
                entry_hash=sa.bindparam("entry_hash"),
            ),
            updates,
        )
        after = rows[-1].id


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("salt", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    seq, head_hash = _chain_existing(connection)
    connection.execute(
        sa.table(
            "audit_chain_head",
            sa.column("id", sa.Integer()),
            sa.column("seq", sa.Integer()),
            sa.column("head_hash", sa.String()),
        ).insert(),
        {"id": 1, "seq": seq, "head_hash": head_hash},
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("salt", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_seq"), ["seq"])


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_events_seq"), type_="unique")
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("salt")
        batch_op.drop_column("seq")
    op.drop_table("audit_chain_head")
