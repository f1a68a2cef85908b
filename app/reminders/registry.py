"""The registry of reminder sources: every kind of reminder Lentera sends, in one list.

To add a kind (as app/classes/reminders.py did for classes tomorrow), write a source -- a function
`(session, context) -> Iterable[Reminder]` in the module that owns the data (see
app/reminders/reminder.py and the built-in ones in app/reminders/sources.py) -- and add ONE
line to SOURCES below:

    RegisteredSource("session_tomorrow", lambda: _("Kelas besok"), sessions.reminders_tomorrow),

The sending pass, the sent log (never twice), the opt-out, retries and HR's log then apply to
it with nothing else to change. The dedupe key must name the event (the row's id and the date
it is about), so that it is stable across passes and a new date gives a new reminder.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.classes import reminders as class_reminders
from app.i18n import SOURCE_LOCALE, use_locale
from app.i18n import gettext as _
from app.reminders import sources
from app.reminders.reminder import Context, RegisteredSource, Reminder

SOURCES: tuple[RegisteredSource, ...] = (
    RegisteredSource(
        "assignment_due", lambda: _("Tenggat pelatihan"), sources.assignments_due_soon
    ),
    RegisteredSource(
        "assignment_overdue", lambda: _("Pelatihan terlambat"), sources.assignments_overdue
    ),
    RegisteredSource("follow_up_due", lambda: _("Tindak lanjut"), sources.follow_ups_due),
    RegisteredSource("class_tomorrow", lambda: _("Kelas besok"), class_reminders.sessions_tomorrow),
)


def kind_label(kind: str) -> str:
    """The label HR reads for a kind (the kind itself when no source claims it any more)."""
    for source in SOURCES:
        if source.kind == kind:
            return source.label()
    return kind


def in_their_languages(
    session: Session,
    context: Context,
    reminders: list[Reminder],
    languages: Mapping[int, str],
) -> list[Reminder]:
    """`reminders` (written in the source language), each in its person's language instead.

    `languages` maps a user id to a supported locale. The sources are asked again once per other
    language in use (not once per person), so a source needs no language parameter and a new
    one is translated with nothing to add; a reminder a source no longer yields by then (the
    data changed between the two reads) keeps its Indonesian text.
    """
    wanted = {languages.get(r.user_id, SOURCE_LOCALE) for r in reminders} - {SOURCE_LOCALE}
    if not wanted:
        return reminders
    written: dict[tuple[str, str], Reminder] = {}
    for locale in sorted(wanted):
        with use_locale(locale):
            for reminder in due_reminders(session, context):
                written[(locale, reminder.dedupe_key)] = reminder
    return [
        written.get((languages.get(r.user_id, SOURCE_LOCALE), r.dedupe_key), r) for r in reminders
    ]


def due_reminders(session: Session, context: Context) -> list[Reminder]:
    """Every reminder due today from every source, each dedupe key once (first source wins)."""
    seen: set[str] = set()
    found: list[Reminder] = []
    for source in SOURCES:
        for reminder in source.reminders(session, context):
            if reminder.dedupe_key not in seen:
                seen.add(reminder.dedupe_key)
                found.append(reminder)
    return found
