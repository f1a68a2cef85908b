"""What a reminder is, what a source of reminders is, and the texts they share.

A source is a function `(session, context) -> Iterable[Reminder]` that yields the reminders
due today; app/reminders/registry.py lists the sources. A reminder's `dedupe_key` names the
event it reminds of (e.g. `assignment-overdue:12:2027-01-31`): the sent log keeps one row per
key and channel, so the same key is never sent twice, and a new event (a new due date) gets a
new key.

A source writes its texts with `_()` and `long_date` in the current language and knows nothing
of who reads which: the pass (`registry.in_their_languages`) asks the sources again in every
other language its recipients chose, and each person gets the version in theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.evaluation.service import long_date
from app.i18n import gettext as _


@dataclass(frozen=True)
class Context:
    """What every source gets: today's local date, and where Lentera and its people are."""

    today: date
    base_url: str
    issuer_name: str

    def url(self, path: str) -> str:
        """An absolute link into Lentera."""
        return self.base_url.rstrip("/") + path


@dataclass(frozen=True)
class Reminder:
    """One reminder for one person: its subject and text (written in the language current when
    the source ran: the sending pass runs each source in its recipients' languages), and its
    dedupe key."""

    user_id: int
    kind: str
    dedupe_key: str
    subject: str
    text: str  # the message itself: greeting, what is due, a link, thanks and the sender


Source = Callable[[Session, Context], Iterable[Reminder]]


@dataclass(frozen=True)
class RegisteredSource:
    """A source in the registry: its kind, its label for HR's pages, its function."""

    kind: str
    label: Callable[[], str]  # called when shown, so it follows the reader's language
    reminders: Source


def letter(name: str, body: str, url: str, issuer: str) -> str:
    """A polite message: greeting by name, the body, the link, thanks, and who sends it."""
    return _("Yth. Bapak/Ibu {name},\n\n{body}\n\n{url}\n\nTerima kasih.\n\n{issuer}").format(
        name=name, body=body, url=url, issuer=issuer
    )


# --- the texts of the built-in kinds (also used for the WhatsApp links on HR's pages) ----------


def assignment_due_text(name: str, course: str, due_on: date, url: str, issuer: str) -> str:
    """An assignment due soon: finish it by its date."""
    body = _(
        "Pelatihan wajib “{course}” yang ditugaskan kepada Bapak/Ibu di Lentera perlu "
        "diselesaikan paling lambat {due}. Silakan lanjutkan belajar melalui tautan berikut:"
    ).format(course=course, due=long_date(due_on))
    return letter(name, body, url, issuer)


def assignment_overdue_text(name: str, course: str, due_on: date, url: str, issuer: str) -> str:
    """An assignment past its due date: please finish it soon."""
    body = _(
        "Pelatihan wajib “{course}” yang ditugaskan kepada Bapak/Ibu di Lentera telah melewati "
        "tenggat pada {due} dan belum selesai. Mohon kesediaan Bapak/Ibu untuk "
        "menyelesaikannya segera melalui tautan berikut:"
    ).format(course=course, due=long_date(due_on))
    return letter(name, body, url, issuer)


def follow_up_text(name: str, course: str, since: date, url: str, issuer: str) -> str:
    """A follow-up due: report how the action plan was applied."""
    body = _(
        "Sudah saatnya Bapak/Ibu melaporkan penerapan rencana aksi dari pelatihan “{course}” "
        "(dibuka sejak {since}). Isi laporan singkatnya melalui tautan berikut:"
    ).format(course=course, since=long_date(since))
    return letter(name, body, url, issuer)
