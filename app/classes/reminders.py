"""The reminder source for blended classes: a class tomorrow, for everyone holding a seat.

Registered in app/reminders/registry.py; the sending pass, the sent log (never twice), the
opt-out and retries are the reminders domain's. Only seated people are reminded (the waiting
list is not: they have no seat yet), and only for a class still scheduled.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from babel.dates import format_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import User
from app.classes.models import ClassRegistration, ClassSession
from app.classes.service import REGISTERED
from app.evaluation.service import long_date
from app.i18n import get_locale
from app.i18n import gettext as _
from app.reminders.reminder import Context, Reminder, letter


def class_tomorrow_text(name: str, title: str, row: ClassSession, url: str, issuer: str) -> str:
    """A class tomorrow: when and where, and the link to its page (code entry, calendar)."""
    starts, ends = clock.local(row.starts_at), clock.local(row.ends_at)
    place = row.place or row.online_url or "-"
    body = _(
        "Bapak/Ibu terdaftar di kelas “{title}” besok, {day}, pukul {start}–{end} {zone}, "
        "di {place}. Presensi diisi dengan kode dari pelatih saat kelas berlangsung. "
        "Rincian kelas:"
    ).format(
        title=title,
        day=long_date(starts.date()),
        # The reader's way of writing a time: 09.00 in Indonesian, 9:00 AM in English.
        start=format_time(starts, "short", locale=get_locale()),
        end=format_time(ends, "short", locale=get_locale()),
        zone=clock.abbreviation(),
        place=place,
    )
    return letter(name, body, url, issuer)


def sessions_tomorrow(session: Session, context: Context) -> Iterator[Reminder]:
    """Scheduled classes starting tomorrow (local date): one reminder per seat and start day."""
    tomorrow = context.today + timedelta(days=1)
    rows = session.execute(
        select(ClassSession, ClassRegistration.user_id, User.full_name)
        .join(ClassRegistration, ClassRegistration.session_id == ClassSession.id)
        .join(User, User.id == ClassRegistration.user_id)
        .where(
            ClassSession.status == "scheduled",
            ClassSession.starts_at >= clock.day_start(tomorrow),
            ClassSession.starts_at < clock.day_start(tomorrow + timedelta(days=1)),
            ClassRegistration.status == REGISTERED,
            User.is_active.is_(True),
        )
        .order_by(ClassSession.starts_at, ClassSession.id, ClassRegistration.id)
    )
    for row, user_id, full_name in rows:
        yield Reminder(
            user_id=user_id,
            kind="class_tomorrow",
            # The start day is in the key: a class moved to another day is reminded again.
            dedupe_key=f"class-tomorrow:{row.id}:{user_id}:{tomorrow.isoformat()}",
            subject=_("Pengingat: kelas “{title}” besok, {day}").format(
                title=row.title, day=long_date(tomorrow)
            ),
            text=class_tomorrow_text(
                full_name, row.title, row, context.url(f"/kelas/{row.id}"), context.issuer_name
            ),
        )
