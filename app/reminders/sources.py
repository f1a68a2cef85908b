"""The built-in reminder sources: assignments due soon and overdue, follow-ups due.

Each yields, for today, the reminders of events that are due; the sent log makes sure each
is sent once, so a source simply says what is due, every day, without remembering anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy.orm import Session

from app.evaluation import service as evaluation_service
from app.evaluation.service import long_date
from app.i18n import gettext as _
from app.learning import assignments
from app.reminders.reminder import (
    Context,
    Reminder,
    assignment_due_text,
    assignment_overdue_text,
    follow_up_text,
)

# How many days before its due date an open assignment is reminded of (once).
DUE_SOON_DAYS = 3


def assignments_due_soon(session: Session, context: Context) -> Iterator[Reminder]:
    """Open assignments due within DUE_SOON_DAYS (today included): one reminder per due date."""
    for a in assignments.open_assignments(
        session, due_from=context.today, due_to=context.today + timedelta(days=DUE_SOON_DAYS)
    ):
        yield Reminder(
            user_id=a.user_id,
            kind="assignment_due",
            dedupe_key=f"assignment-due:{a.id}:{a.due_on.isoformat()}",
            subject=_("Pengingat: selesaikan “{course}” paling lambat {due}").format(
                course=a.course_title, due=long_date(a.due_on)
            ),
            text=assignment_due_text(
                a.full_name,
                a.course_title,
                a.due_on,
                context.url(f"/kursus/{a.course_code}"),
                context.issuer_name,
            ),
        )


def assignments_overdue(session: Session, context: Context) -> Iterator[Reminder]:
    """Open assignments past their due date: one reminder per due date (a new date, a new one)."""
    for a in assignments.open_assignments(session, due_to=context.today - timedelta(days=1)):
        yield Reminder(
            user_id=a.user_id,
            kind="assignment_overdue",
            dedupe_key=f"assignment-overdue:{a.id}:{a.due_on.isoformat()}",
            subject=_("Pelatihan “{course}” telah melewati tenggat").format(course=a.course_title),
            text=assignment_overdue_text(
                a.full_name,
                a.course_title,
                a.due_on,
                context.url(f"/kursus/{a.course_code}"),
                context.issuer_name,
            ),
        )


def follow_ups_due(session: Session, context: Context) -> Iterator[Reminder]:
    """Action plans whose follow-up is open and not reported: one reminder per plan."""
    for f in evaluation_service.open_follow_ups(session, context.today):
        yield Reminder(
            user_id=f.user_id,
            kind="follow_up_due",
            dedupe_key=f"follow-up:{f.plan_id}:{f.follow_up_on.isoformat()}",
            subject=_("Saatnya melaporkan tindak lanjut “{course}”").format(course=f.course_title),
            text=follow_up_text(
                f.full_name,
                f.course_title,
                f.follow_up_on,
                context.url(f"/kursus/{f.course_code}/tindak-lanjut"),
                context.issuer_name,
            ),
        )
