"""The sent log: one row per (reminder, channel), claimed before sending so none goes twice."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class DeliveryStatus(enum.StrEnum):
    SENDING = "sending"  # claimed by a pass; the message is being handed to the SMTP server
    SENT = "sent"
    FAILED = "failed"


class ReminderDelivery(Base):
    """One reminder on one channel: the unique (dedupe_key, channel) is the "never twice" rule.

    A pass inserts the row (status `sending`) and commits it before it talks to the SMTP
    server, so another process or instance that computes the same reminder finds the row and
    leaves it alone. A failure is retried by the pass that wins the conditional update of the
    row (`failed` -> `sending`), with a growing delay, up to a limit of attempts. A claim left
    `sending` by a process that died is released as failed after a while and retried
    (app/reminders/interrupted.py).
    """

    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        UniqueConstraint("dedupe_key", "channel", name="uq_reminder_deliveries_key_channel"),
        CheckConstraint("channel IN ('email')", name="channel"),
        CheckConstraint("status IN ('sending', 'sent', 'failed')", name="status"),
        Index("ix_reminder_deliveries_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the current attempt was claimed, when it went out, when a failure may be retried
    # (None after the last attempt: given up).
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    retry_at: Mapped[datetime | None] = mapped_column(default=None)
