"""One reminder pass: what is due, to whom, claimed in the sent log, sent, recorded.

The rules:
- Nothing happens without SMTP (`LENTERA_SMTP_HOST` empty): no row is written, nothing queued.
- A reminder goes to an active person with an email address who has not turned email
  reminders off; the others are counted as skipped (and can be reached on WhatsApp by HR).
- It is written in the person's language (`User.locale`: English when they chose English,
  Bahasa Indonesia otherwise), subject, body, dates and footer alike, from the same gettext
  catalogue as the pages (`registry.in_their_languages`).
- Never twice: the sent log has one row per (dedupe key, channel). A pass claims a reminder by
  inserting its row (or, for a failed one whose retry time has come, by a conditional update
  `failed -> sending`) and commits the claim BEFORE talking to the SMTP server; a second
  process or instance computing the same reminder finds the row and leaves it. Each claim,
  send and result is its own short transaction, so a crash loses at most one message.
- A failure is recorded with its error and retried by a later pass after RETRY_MINUTES,
  doubling each time, until MAX_ATTEMPTS; then it stays `failed` for HR to see. A retry is
  only sent while the reminder is still due (an assignment finished meanwhile is not).
- A row left `sending` by a process that died between the claim and the result is, after
  `LENTERA_REMINDERS_STALE_MINUTES`, marked failed ("status unknown after an interrupted send")
  and retried like any failure: a lost reminder is worse than a possible second copy (the
  reasoning is in app/reminders/interrupted.py). HR's log shows such rows distinctly.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.accounts.models import User
from app.config import Settings
from app.db import insert_or_ignore, session_scope, utcnow
from app.i18n import SOURCE_LOCALE, supported, use_locale
from app.i18n import gettext as _
from app.reminders import interrupted, registry
from app.reminders.mailer import Mailer, build_message
from app.reminders.models import DeliveryStatus, ReminderDelivery
from app.reminders.reminder import Context, Reminder

CHANNEL = "email"
MAX_ATTEMPTS = 5
RETRY_MINUTES = 10  # then 20, 40, 80
_CHUNK = 500  # keys per IN (...) query


@dataclass
class PassReport:
    """What one pass did; `enabled` is False when SMTP is not configured."""

    enabled: bool = True
    due: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # no email address, opted out, or inactive
    interrupted: int = 0  # claims left `sending` by a dead process, released for a retry


@dataclass(frozen=True)
class _Recipient:
    email: str | None
    opted_out: bool
    locale: str  # the language the person chose (Indonesian when they never did)


def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed attempt a reminder is tried again."""
    return timedelta(minutes=RETRY_MINUTES * 2 ** (attempts - 1))


def email_body(settings: Settings, reminder: Reminder) -> str:
    """The reminder's text with a footer saying why it came and how to stop it."""
    footer = _(
        "Email ini dikirim otomatis oleh Lentera. Untuk berhenti menerima pengingat lewat "
        "email, buka Profil saya: {url}"
    ).format(url=settings.base_url.rstrip("/") + "/profil#pengingat")
    return f"{reminder.text}\n\n--\n{footer}\n"


def _recipients(session: Session, user_ids: set[int]) -> dict[int, _Recipient]:
    found: dict[int, _Recipient] = {}
    ids = sorted(user_ids)
    for start in range(0, len(ids), _CHUNK):
        for user_id, email, off, locale in session.execute(
            select(User.id, User.email, User.email_reminders_off, User.locale).where(
                User.id.in_(ids[start : start + _CHUNK]), User.is_active.is_(True)
            )
        ):
            found[user_id] = _Recipient(email, off, supported(locale))
    return found


def _logged(session: Session, keys: list[str]) -> dict[str, ReminderDelivery]:
    found: dict[str, ReminderDelivery] = {}
    for start in range(0, len(keys), _CHUNK):
        for row in session.scalars(
            select(ReminderDelivery).where(
                ReminderDelivery.channel == CHANNEL,
                ReminderDelivery.dedupe_key.in_(keys[start : start + _CHUNK]),
            )
        ):
            found[row.dedupe_key] = row
    return found


def claim_new(session: Session, reminder: Reminder, to: str, now: datetime) -> int | None:
    """Claim a reminder never tried: its row, or None when another pass has it already."""
    inserted = insert_or_ignore(
        session,
        ReminderDelivery,
        {
            "dedupe_key": reminder.dedupe_key,
            "channel": CHANNEL,
            "kind": reminder.kind,
            "user_id": reminder.user_id,
            "recipient": to,
            "subject": reminder.subject[:300],
            "status": DeliveryStatus.SENDING.value,
            "attempts": 1,
            "created_at": now,
            "claimed_at": now,
        },
    )
    if not inserted:
        return None
    return session.scalar(
        select(ReminderDelivery.id).where(
            ReminderDelivery.dedupe_key == reminder.dedupe_key,
            ReminderDelivery.channel == CHANNEL,
        )
    )


def claim_retry(session: Session, row_id: int, to: str, now: datetime) -> bool:
    """Claim a failed reminder whose retry time has come; False when another pass took it."""
    result = cast(
        CursorResult[tuple[()]],
        session.execute(
            update(ReminderDelivery)
            .where(
                ReminderDelivery.id == row_id,
                ReminderDelivery.status == DeliveryStatus.FAILED.value,
                ReminderDelivery.retry_at.is_not(None),
                ReminderDelivery.retry_at <= now,
            )
            .values(
                status=DeliveryStatus.SENDING.value,
                attempts=ReminderDelivery.attempts + 1,
                claimed_at=now,
                recipient=to,
            )
        ),
    )
    return result.rowcount == 1


def record_result(session: Session, row_id: int, error: str | None, now: datetime) -> None:
    """Mark a claimed reminder sent, or failed with its error (and when to retry, if ever)."""
    row = session.get(ReminderDelivery, row_id)
    assert row is not None
    if error is None:
        row.status, row.sent_at, row.retry_at = DeliveryStatus.SENT.value, now, None
        # Sent after an interrupted attempt: the note stays, for HR (it may have come twice).
        row.last_error = interrupted.NOTE if row.last_error == interrupted.NOTE else None
    else:
        row.status, row.last_error = DeliveryStatus.FAILED.value, error[:500]
        row.retry_at = now + retry_delay(row.attempts) if row.attempts < MAX_ATTEMPTS else None


def run_pass(
    factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> PassReport:
    """Send every reminder due now that was not sent yet (see the module docstring)."""
    if not settings.mail_enabled:
        return PassReport(enabled=False)
    now = now or utcnow()
    report = PassReport()
    with session_scope(factory) as session:
        report.interrupted = interrupted.release_stale(
            session,
            now=now,
            stale_after=timedelta(minutes=settings.reminders_stale_minutes),
            max_attempts=MAX_ATTEMPTS,
        )
    # Reminders are written in the recipient's language (Bahasa Indonesia unless they chose
    # another), whoever runs the pass and whatever its process's locale.
    with use_locale(SOURCE_LOCALE):
        context = Context(clock.local_date(now), settings.base_url, settings.issuer_name)
        with session_scope(factory) as session:
            reminders = registry.due_reminders(session, context)
            people = _recipients(session, {r.user_id for r in reminders})
            languages = {user_id: person.locale for user_id, person in people.items()}
            reminders = registry.in_their_languages(session, context, reminders, languages)
            logged = _logged(session, [r.dedupe_key for r in reminders])
            # Plain values: the rows are not used after this transaction.
            states = {k: (row.id, row.status, row.retry_at) for k, row in logged.items()}
        report.due = len(reminders)
        mailer = Mailer(settings)
        try:
            for reminder in reminders:
                person = people.get(reminder.user_id)
                if person is None or not person.email or person.opted_out:
                    report.skipped += 1
                    continue
                # Dated when made, not when the pass began: a long pass's last claims are fresh,
                # so another instance never takes them for interrupted ones.
                row_id = _claim(factory, reminder, person.email, states, max(now, utcnow()))
                if row_id is None:
                    continue
                error = _send(mailer, settings, reminder, person)
                with session_scope(factory) as session:
                    record_result(session, row_id, error, utcnow())
                if error is None:
                    report.sent += 1
                else:
                    report.failed += 1
        finally:
            mailer.close()
    return report


def _claim(
    factory: sessionmaker[Session],
    reminder: Reminder,
    to: str,
    states: dict[str, tuple[int, str, datetime | None]],
    now: datetime,
) -> int | None:
    state = states.get(reminder.dedupe_key)
    with session_scope(factory) as session:
        if state is None:
            return claim_new(session, reminder, to, now)
        row_id, status, retry_at = state
        if status != DeliveryStatus.FAILED.value or retry_at is None or retry_at > now:
            return None
        return row_id if claim_retry(session, row_id, to, now) else None


def _send(mailer: Mailer, settings: Settings, reminder: Reminder, to: _Recipient) -> str | None:
    """Send one reminder (its footer in the person's language); the error as text, else None."""
    assert to.email is not None
    with use_locale(to.locale):
        body = email_body(settings, reminder)
    try:
        mailer.send(build_message(settings, to.email, reminder.subject, body))
    except (OSError, smtplib.SMTPException) as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None
