"""Reminders by email against a real SMTP server (aiosmtpd on the loopback): once, never twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.config import Settings
from app.content import store
from app.db import utcnow
from app.evaluation.models import ActionPlan
from app.learning.models import Completion
from app.reminders import sending
from app.reminders.models import ReminderDelivery
from tests.factories import make_user
from tests.reminders.conftest import SmtpServer
from tests.reminders.helpers import assign, course_id, course_title


def _log(session: Session) -> list[ReminderDelivery]:
    session.expire_all()
    return list(session.scalars(select(ReminderDelivery).order_by(ReminderDelivery.id)))


def test_an_overdue_assignment_sends_exactly_one_email_and_a_second_pass_sends_nothing(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    learner = make_user(session, full_name="Nur Aisyah Lamarauna", email="aisyah@palukota.go.id")
    due = clock.today() - timedelta(days=5)
    assignment = assign(session, learner, due)

    report = sending.run_pass(session_factory, mail_settings)

    assert (report.sent, report.failed) == (1, 0)
    assert smtp_server.inbox.envelopes_to == [["aisyah@palukota.go.id"]]
    message = smtp_server.inbox.messages[0]
    title = course_title(session)
    assert message["To"] == "aisyah@palukota.go.id"
    assert message["From"] == "Lentera BKPSDM <lentera@palukota.go.id>"
    assert message["Subject"] == f"Pelatihan “{title}” telah melewati tenggat"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Yth. Bapak/Ibu Nur Aisyah Lamarauna,\n")
    assert "telah melewati tenggat pada" in body and "dan belum selesai" in body
    assert "https://lentera.palukota.go.id/kursus/PPP-101" in body
    assert "berhenti menerima pengingat lewat email" in body
    assert "https://lentera.palukota.go.id/profil" in body
    [row] = _log(session)
    assert row.dedupe_key == f"assignment-overdue:{assignment.id}:{due.isoformat()}"
    assert (row.status, row.attempts, row.recipient, row.kind) == (
        "sent", 1, "aisyah@palukota.go.id", "assignment_overdue",
    )  # fmt: skip
    assert row.sent_at is not None and row.last_error is None

    again = sending.run_pass(session_factory, mail_settings)

    assert again.sent == 0 and again.due == 1
    assert len(smtp_server.inbox.messages) == 1
    assert len(_log(session)) == 1


def test_an_assignment_due_in_three_days_is_reminded_once_and_a_done_one_not_at_all(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    soon = make_user(session, email="soon@palukota.go.id")
    later = make_user(session, email="later@palukota.go.id")
    done = make_user(session, email="done@palukota.go.id")
    assign(session, soon, clock.today() + timedelta(days=3))
    assign(session, later, clock.today() + timedelta(days=4))
    assign(session, done, clock.today() - timedelta(days=1))
    session.add(
        Completion(user_id=done.id, course_id=course_id(session), jp=2, final_score=0.9,
                   completed_at=utcnow())
    )  # fmt: skip
    session.commit()

    sending.run_pass(session_factory, mail_settings)
    sending.run_pass(session_factory, mail_settings)

    assert smtp_server.inbox.envelopes_to == [["soon@palukota.go.id"]]
    body = smtp_server.inbox.messages[0].get_content().replace("\r\n", "\n")
    assert "perlu diselesaikan paling lambat" in body
    assert smtp_server.inbox.messages[0]["Subject"].startswith("Pengingat: selesaikan “")


def test_a_follow_up_due_is_reminded_with_its_link(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    learner = make_user(session, email="tindak@palukota.go.id")
    session.add(
        ActionPlan(user_id=learner.id, course_id=course_id(session), plan="Menerapkan SOP",
                   follow_up_on=clock.today())
    )  # fmt: skip
    session.commit()

    report = sending.run_pass(session_factory, mail_settings)

    assert report.sent == 1
    body = smtp_server.inbox.messages[0].get_content().replace("\r\n", "\n")
    assert "melaporkan penerapan rencana aksi" in body
    assert "https://lentera.palukota.go.id/kursus/PPP-101/tindak-lanjut" in body


def test_an_opted_out_learner_or_one_without_email_gets_nothing(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    out = make_user(session, email="out@palukota.go.id")
    out.email_reminders_off = True
    no_email = make_user(session)
    session.commit()
    assign(session, out, clock.today() - timedelta(days=1))
    assign(session, no_email, clock.today() - timedelta(days=1))

    report = sending.run_pass(session_factory, mail_settings)

    assert (report.due, report.sent, report.skipped) == (2, 0, 2)
    assert smtp_server.inbox.messages == []
    assert _log(session) == []


def test_smtp_down_records_a_failure_that_a_later_pass_retries_and_sends(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    learner = make_user(session, email="retry@palukota.go.id")
    assign(session, learner, clock.today() - timedelta(days=2))
    smtp_server.stop()

    down = sending.run_pass(session_factory, mail_settings)

    assert (down.sent, down.failed) == (0, 1)
    [row] = _log(session)
    assert row.status == "failed" and row.attempts == 1
    assert row.last_error and "ConnectionRefusedError" in row.last_error
    assert row.retry_at is not None

    smtp_server.start()
    too_soon = sending.run_pass(session_factory, mail_settings)
    assert too_soon.sent == 0 and smtp_server.inbox.messages == []

    later = sending.run_pass(session_factory, mail_settings, now=row.retry_at)

    assert later.sent == 1
    assert smtp_server.inbox.envelopes_to == [["retry@palukota.go.id"]]
    [row] = _log(session)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_a_reminder_failing_every_time_is_given_up_after_the_last_attempt(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    learner = make_user(session, email="never@palukota.go.id")
    assign(session, learner, clock.today() - timedelta(days=2))
    smtp_server.stop()
    now = utcnow()
    for _attempt in range(sending.MAX_ATTEMPTS + 2):
        sending.run_pass(session_factory, mail_settings, now=now)
        now += timedelta(days=1)

    [row] = _log(session)
    assert (row.status, row.attempts, row.retry_at) == ("failed", sending.MAX_ATTEMPTS, None)


def test_without_smtp_nothing_is_sent_or_queued(
    session: Session,
    session_factory: sessionmaker[Session],
    settings: Settings,
    demo_content: store.ImportReport,
) -> None:
    learner = make_user(session, email="nosmtp@palukota.go.id")
    assign(session, learner, clock.today() - timedelta(days=2))

    report = sending.run_pass(session_factory, settings)

    assert not report.enabled and report.due == 0
    assert _log(session) == []


def test_a_reminder_claimed_by_another_process_is_not_sent_again(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    learner = make_user(session, email="claimed@palukota.go.id")
    assignment = assign(session, learner, clock.today() - timedelta(days=2))
    # Another instance computed the same reminder and claimed it first (its row is `sending`).
    session.add(
        ReminderDelivery(
            dedupe_key=f"assignment-overdue:{assignment.id}:{assignment.due_on.isoformat()}",
            channel="email", kind="assignment_overdue", user_id=learner.id,
            recipient="claimed@palukota.go.id", subject="x", status="sending", attempts=1,
        )
    )  # fmt: skip
    session.commit()

    report = sending.run_pass(session_factory, mail_settings)

    assert report.sent == 0 and smtp_server.inbox.messages == []
