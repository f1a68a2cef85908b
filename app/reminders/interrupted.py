"""Reminders left `sending` by a process that died between its claim and its result.

A pass commits its claim (the row, `sending`) before it talks to the SMTP server and records
the result after. If the process dies in between (killed, restarted, the machine lost power),
the row stays `sending` and, before this module, was never retried: nobody knew whether the
message had gone out.

The choice: **after `LENTERA_REMINDERS_STALE_MINUTES` (default 30) such a row is marked
`failed` with the note "status unknown after an interrupted send" and retried by the pass, under
the same attempt limit as any failure, and only while the reminder is still due.** Why not
leave it: a reminder's whole worth is reaching the person before a due date; a lost one means
a civil servant misses a mandatory training deadline and nobody notices (HR rarely reads the
log). A second copy of a polite reminder costs one extra email. The window in which the message
may already have gone out is a few seconds per send (most interruptions there happen before
the server accepted it), so the rare duplicate is the smaller harm. "Never twice" still holds
for everything a pass knows: two passes never send the same reminder, and a known result is
never sent again.

A live send holds its claim for at most a few SMTP timeouts (30 s each: connect, STARTTLS,
login, data), and a claim is dated when it is made (not when its pass began), so a claim older
than the setting (at least 5 minutes) belongs to a process that is gone. HR's log
(`/pengingat`) shows these rows distinctly, and keeps saying so once the retry was sent (the
person may have the message twice).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from app.reminders.models import DeliveryStatus, ReminderDelivery

# Stored in `last_error` (like an SMTP error, it is not translated); the log shows a translated
# explanation instead whenever it sees this exact note.
NOTE = "status unknown after an interrupted send"


def release_stale(
    session: Session, *, now: datetime, stale_after: timedelta, max_attempts: int
) -> int:
    """Mark every claim older than `stale_after` failed with NOTE; how many were released.

    A released row may be retried at once (`retry_at = now`) unless its attempts are used up.
    Two passes doing this at once write the same values; the conditional claim that follows
    (`failed -> sending`) still lets only one of them send.
    """
    stale = update(ReminderDelivery).where(
        ReminderDelivery.status == DeliveryStatus.SENDING.value,
        ReminderDelivery.claimed_at < now - stale_after,
    )
    released = 0
    for condition, retry_at in (
        (ReminderDelivery.attempts < max_attempts, now),
        (ReminderDelivery.attempts >= max_attempts, None),
    ):
        result = cast(
            CursorResult[tuple[()]],
            session.execute(
                stale.where(condition).values(
                    status=DeliveryStatus.FAILED.value, last_error=NOTE, retry_at=retry_at
                )
            ),
        )
        released += result.rowcount
    return released
