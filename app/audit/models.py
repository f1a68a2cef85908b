"""The audit trail table and the head of its hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.audit import chain
from app.db import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # NULL actor: the CLI or the system itself (the CLI has no logged-in user).
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32), default=None)
    target_id: Mapped[str | None] = mapped_column(String(64), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The hash chain (app/audit/chain.py). seq, prev_hash and entry_hash are NULL only between
    # audit.record() and the commit, which seals the transaction's events under the chain
    # head's lock: a committed row without them is a broken link.
    seq: Mapped[int | None] = mapped_column(Integer, unique=True, default=None)
    salt: Mapped[str] = mapped_column(String(32), default=chain.new_salt)
    prev_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    entry_hash: Mapped[str | None] = mapped_column(String(64), default=None)


class AuditChainHead(Base):
    """One row: the last sealed entry's number and hash.

    Every transaction that adds audit events updates this row before sealing them, so the row
    lock (PostgreSQL) or the write lock (SQLite) lines up concurrent writers: two transactions
    can never chain to the same predecessor, across processes and instances.
    """

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
