"""Reminders in the person's language (a real SMTP server): English for someone who chose
English, Bahasa Indonesia for everyone else, dates and times written the reader's way; the
WhatsApp text HR sends follows the same rule, whatever language HR reads the page in."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from babel.dates import format_date
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.accounts.models import Role, User
from app.classes import service
from app.config import Settings
from app.content import store
from app.reminders import sending
from app.reminders.models import ReminderDelivery
from tests.factories import login, make_user
from tests.reminders.conftest import SmtpServer
from tests.reminders.helpers import assign, course_title


def _person(session: Session, locale: str | None = None, **fields: Any) -> User:
    """Someone who chose `locale` on the language switcher (None: never chose)."""
    user = make_user(session, **fields)
    user.locale = locale
    session.commit()
    return user


def _messages(smtp_server: SmtpServer) -> dict[str, tuple[str, str]]:
    """Recipient -> (subject, body) of every message the server took."""
    return {
        str(m["To"]): (str(m["Subject"]), m.get_content().replace("\r\n", "\n"))
        for m in smtp_server.inbox.messages
    }


def test_each_person_gets_the_overdue_reminder_in_the_language_they_chose(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    english = _person(session, "en", full_name="Andi Fadli", email="andi@palukota.go.id")
    indonesian = _person(session, full_name="Nur Aisyah", email="aisyah@palukota.go.id")
    assert indonesian.locale is None  # never chose: Bahasa Indonesia
    chose_id = _person(session, "id", full_name="Rahmat", email="rahmat@palukota.go.id")
    due = assign(session, english, clock.today() - timedelta(days=40)).due_on
    for person in (indonesian, chose_id):
        assign(session, person, clock.today() - timedelta(days=40))
    title = course_title(session)

    report = sending.run_pass(session_factory, mail_settings)

    assert report.sent == 3
    messages = _messages(smtp_server)
    subject, body = messages["andi@palukota.go.id"]
    assert subject == f"The training “{title}” is overdue"
    assert body.startswith("Dear Andi Fadli,\n\nThe mandatory training “")
    assert f"passed its due date of {format_date(due, 'd MMMM y', locale='en')} " in body
    assert "Thank you." in body and "Terima kasih" not in body
    assert "To stop receiving email reminders, open My profile:" in body
    for address, name in (
        ("aisyah@palukota.go.id", "Nur Aisyah"),
        ("rahmat@palukota.go.id", "Rahmat"),
    ):
        subject, body = messages[address]
        assert subject == f"Pelatihan “{title}” telah melewati tenggat"
        assert body.startswith(f"Yth. Bapak/Ibu {name},\n\nPelatihan wajib “")
        assert f"tenggat pada {format_date(due, 'd MMMM y', locale='id')} dan" in body
        assert "berhenti menerima pengingat lewat email" in body
    # HR's log keeps the subject as it was sent.
    logged = {row.recipient: row.subject for row in session.scalars(select(ReminderDelivery))}
    assert logged["andi@palukota.go.id"] == f"The training “{title}” is overdue"


def test_a_class_tomorrow_is_written_with_the_english_readers_date_and_time(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    tomorrow = clock.today() + timedelta(days=1)
    starts = datetime.combine(tomorrow, time(13, 30), clock.zone())
    trainer = make_user(session, roles={Role.TRAINER})
    values = service.SessionValues(
        title="Workshop SRIKANDI", description="", course_id=None, jp=3, category="teknis",
        starts_at=starts, ends_at=starts + timedelta(hours=2), place="Aula BKPSDM Kota Palu",
        online_url="", capacity=5, registration="open", late_after_minutes=None,
    )  # fmt: skip
    row = service.schedule(session, values, actor_id=trainer.id)
    english = _person(session, "en", full_name="Andi Fadli", email="andi@palukota.go.id")
    indonesian = _person(session, full_name="Nur Aisyah", email="aisyah@palukota.go.id")
    for person in (english, indonesian):
        service.register(session, row, person.id, actor_id=person.id)
    session.commit()

    assert sending.run_pass(session_factory, mail_settings).sent == 2

    messages = _messages(smtp_server)
    day_en = format_date(tomorrow, "d MMMM y", locale="en")
    subject, body = messages["andi@palukota.go.id"]
    assert subject == f"Reminder: the class “Workshop SRIKANDI” is tomorrow, {day_en}"
    # Babel's English short time: "1:30 PM" (with a narrow no-break space before PM).
    assert f"tomorrow, {day_en}, 1:30\u202fPM–3:30\u202fPM {clock.abbreviation()}" in body
    day_id = format_date(tomorrow, "d MMMM y", locale="id")
    subject, body = messages["aisyah@palukota.go.id"]
    assert subject == f"Pengingat: kelas “Workshop SRIKANDI” besok, {day_id}"
    assert f"besok, {day_id}, pukul 13.30–15.30 {clock.abbreviation()}" in body


def test_the_whatsapp_text_follows_the_persons_language_not_hrs(
    app: FastAPI, session: Session, demo_content: store.ImportReport
) -> None:
    english = _person(session, "en", full_name="Andi Fadli")
    indonesian = _person(session, full_name="Nur Aisyah")
    english.phone, indonesian.phone = "6281234567890", "6281234567891"
    session.commit()
    mine = {
        assign(session, english, clock.today() - timedelta(days=4)).id: "en",
        assign(session, indonesian, clock.today() - timedelta(days=4)).id: "id",
    }
    hr = _person(session, "en", roles={Role.HR})
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        login(client, hr)  # HR reads the pages in English (their cookie)
        listed = client.get("/pegawai/penugasan/daftar", params={"terlambat": "1"})
        person = client.get(f"/pegawai/{indonesian.nip}")
    assert listed.status_code == 200 and person.status_code == 200
    assert '<html lang="en">' in listed.text  # the page itself is in English
    texts = {
        mine[assignment_id]: parse_qs(urlsplit(link).query)["text"][0]
        for assignment_id, link in listed.context["whatsapp"].items()
    }
    assert texts["en"].startswith("Dear Andi Fadli,\n\nThe mandatory training “")
    assert texts["id"].startswith("Yth. Bapak/Ibu Nur Aisyah,\n\nPelatihan wajib “")
    [link] = person.context["whatsapp"].values()
    assert parse_qs(urlsplit(link).query)["text"][0].startswith("Yth. Bapak/Ibu Nur Aisyah,")
