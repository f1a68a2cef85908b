"""HR's view of the sent log: latest first, a page at a time, filtered by status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.reminders import interrupted, registry
from app.reminders.models import DeliveryStatus, ReminderDelivery

PAGE_SIZE = 50
STATUSES = tuple(s.value for s in DeliveryStatus)


@dataclass(frozen=True)
class LogRow:
    created_at: datetime
    full_name: str
    nip: str
    kind_label: str
    subject: str
    recipient: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    retry_at: datetime | None

    @property
    def interrupted(self) -> bool:
        """An attempt died between claim and result (app/reminders/interrupted.py): whether
        that message went out is unknown, so a sent row may have reached the person twice."""
        return self.last_error == interrupted.NOTE


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    total: int
    page: int
    pages: int


def sent_log(
    session: Session, *, status: str | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> LogPage:
    """One page of the sent log, latest first; `status` (sending/sent/failed) narrows it."""
    where = [ReminderDelivery.status == status] if status in STATUSES else []
    total = session.scalar(select(func.count()).select_from(ReminderDelivery).where(*where)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    found = session.execute(
        select(ReminderDelivery, User.full_name, User.nip)
        .join(User, User.id == ReminderDelivery.user_id)
        .where(*where)
        .order_by(ReminderDelivery.created_at.desc(), ReminderDelivery.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    rows = [
        LogRow(
            created_at=d.created_at, full_name=name, nip=nip,
            kind_label=registry.kind_label(d.kind), subject=d.subject, recipient=d.recipient,
            status=d.status, attempts=d.attempts, last_error=d.last_error, sent_at=d.sent_at,
            retry_at=d.retry_at,
        )
        for d, name, nip in found
    ]  # fmt: skip
    return LogPage(rows=rows, total=total, page=page, pages=pages)
