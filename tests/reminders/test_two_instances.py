"""Two instances sending at once: the claimed sent log lets each reminder out exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.config import Settings
from app.content.models import Course
from app.db import make_engine, make_sessionmaker
from app.learning.models import Assignment
from app.reminders import sending
from app.reminders.models import ReminderDelivery
from tests.factories import make_user
from tests.reminders.conftest import SmtpServer

PEOPLE = 12


def test_two_passes_at_once_on_two_engines_send_each_reminder_exactly_once(
    fresh_database_url: str, smtp_server: SmtpServer
) -> None:
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        course = Course(code="KOM-101", folder="komunikasi")
        session.add(course)
        session.flush()
        for n in range(PEOPLE):
            person = make_user(session, email=f"orang{n}@palukota.go.id")
            session.add(
                Assignment(user_id=person.id, course_id=course.id,
                           due_on=clock.today() - timedelta(days=1))
            )  # fmt: skip
        session.commit()
    settings = Settings(
        database_url=fresh_database_url, smtp_host="127.0.0.1", smtp_port=smtp_server.port,
        smtp_tls="none", mail_from="lentera@palukota.go.id", _env_file=None,
    )  # fmt: skip
    reports: list[sending.PassReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def instance() -> None:
        own = make_engine(fresh_database_url)  # a separate pool, as another instance has
        try:
            start.wait()
            reports.append(sending.run_pass(make_sessionmaker(own), settings))
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(r.sent for r in reports) == PEOPLE
    recipients = sorted(to for envelope in smtp_server.inbox.envelopes_to for to in envelope)
    assert recipients == sorted(f"orang{n}@palukota.go.id" for n in range(PEOPLE))
    with Session(engine) as session:
        statuses = session.scalars(select(ReminderDelivery.status)).all()
    engine.dispose()
    assert sorted(statuses) == ["sent"] * PEOPLE
