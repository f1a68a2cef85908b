"""WhatsApp click-to-chat links (wa.me) that HR sends by hand: no SMTP, no API, no account.

`https://wa.me/<number>?text=<message>` opens a chat with the number and the message typed in,
on a phone or WhatsApp Web; HR reads it and presses send. The number is the person's, stored
as 62... (app/accounts/phones.py); the message is the same polite text as the email reminder,
URL-encoded whole (line breaks included), and like the email it is in the person's language:
Bahasa Indonesia unless they chose English, whatever language HR reads the page in.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from app.config import Settings
from app.i18n import use_locale
from app.reminders.reminder import assignment_due_text, assignment_overdue_text


def chat_url(phone: str, text: str) -> str:
    """The wa.me link opening a chat with `phone` (62...) with `text` typed in."""
    return f"https://wa.me/{phone}?text={quote(text, safe='')}"


def assignment_chat_url(
    settings: Settings,
    *,
    phone: str,
    name: str,
    course_title: str,
    course_code: str,
    due_on: date,
    today: date,
    locale: str | None,
) -> str:
    """A wa.me link reminding of an assignment, overdue or due, in `locale` (the person's
    choice; None, never chosen: Bahasa Indonesia)."""
    url = settings.base_url.rstrip("/") + f"/kursus/{course_code}"
    texts = assignment_overdue_text if due_on < today else assignment_due_text
    with use_locale(locale):
        text = texts(name, course_title, due_on, url, settings.issuer_name)
    return chat_url(phone, text)
