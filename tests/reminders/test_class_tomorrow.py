"""A class tomorrow is reminded once by email to everyone holding a seat (a real SMTP server)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.accounts.models import Role
from app.classes import service
from app.classes.models import ClassSession
from app.config import Settings
from app.reminders import sending
from tests.factories import make_user
from tests.reminders.conftest import SmtpServer


def _class_on(session: Session, day_offset: int, *, title: str, capacity: int = 1) -> ClassSession:
    day = clock.today() + timedelta(days=day_offset)
    starts = datetime.combine(day, time(9, 0), clock.zone())
    trainer = make_user(session, roles={Role.TRAINER})
    values = service.SessionValues(
        title=title, description="", course_id=None, jp=3, category="teknis",
        starts_at=starts, ends_at=starts + timedelta(hours=3), place="Aula BKPSDM Kota Palu",
        online_url="", capacity=capacity, registration="open", late_after_minutes=None,
    )  # fmt: skip
    return service.schedule(session, values, actor_id=trainer.id)


def test_a_class_tomorrow_reminds_each_seat_once_and_not_the_waiting_list(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    tomorrow = _class_on(session, 1, title="Workshop SRIKANDI")
    seated = make_user(session, full_name="Nur Aisyah Lamarauna", email="aisyah@palukota.go.id")
    waiting = make_user(session, email="tunggu@palukota.go.id")
    service.register(session, tomorrow, seated.id, actor_id=seated.id)
    service.register(session, tomorrow, waiting.id, actor_id=waiting.id)  # full: waiting list
    # Neither a class the day after tomorrow nor a cancelled class tomorrow is reminded.
    later = _class_on(session, 2, title="Kelas lusa", capacity=5)
    service.register(session, later, seated.id, actor_id=seated.id)
    cancelled = _class_on(session, 1, title="Kelas batal", capacity=5)
    service.register(session, cancelled, seated.id, actor_id=seated.id)
    service.cancel_session(session, cancelled, actor_id=seated.id, reason="Ruangan dipakai")
    session.commit()

    first = sending.run_pass(session_factory, mail_settings)
    second = sending.run_pass(session_factory, mail_settings)

    assert (first.sent, second.sent) == (1, 0)
    assert smtp_server.inbox.envelopes_to == [["aisyah@palukota.go.id"]]
    message = smtp_server.inbox.messages[0]
    assert message["Subject"].startswith("Pengingat: kelas “Workshop SRIKANDI” besok, ")
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Yth. Bapak/Ibu Nur Aisyah Lamarauna,\n")
    assert f"pukul 09.00–12.00 {clock.abbreviation()}, di Aula BKPSDM Kota Palu" in body
    assert f"https://lentera.palukota.go.id/kelas/{tomorrow.id}" in body
