"""A reminder left `sending` by a process that died between claim and result: after
LENTERA_REMINDERS_STALE_MINUTES it is marked failed ("status unknown after an interrupted send")
and retried under the attempt limit, and HR's log says so (a real SMTP server)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.accounts.models import Role, User
from app.config import Settings
from app.content import store
from app.db import utcnow
from app.learning.models import Assignment
from app.reminders import interrupted, sending
from app.reminders.models import ReminderDelivery
from tests.factories import login, make_user
from tests.reminders.conftest import SmtpServer
from tests.reminders.helpers import assign


def _overdue(session: Session, email: str) -> tuple[User, Assignment]:
    user = make_user(session, email=email)
    return user, assign(session, user, clock.today() - timedelta(days=3))


def _left_sending(
    session: Session, user: User, assignment: Assignment, claimed_at: datetime, attempts: int = 1
) -> None:
    """The row a pass claimed before its process died (the result was never recorded)."""
    session.add(
        ReminderDelivery(
            dedupe_key=f"assignment-overdue:{assignment.id}:{assignment.due_on.isoformat()}",
            channel="email", kind="assignment_overdue", user_id=user.id,
            recipient=user.email or "", subject="Pelatihan terlambat", status="sending",
            attempts=attempts, created_at=claimed_at, claimed_at=claimed_at,
        )
    )  # fmt: skip
    session.commit()


def _row(session: Session, user: User) -> ReminderDelivery:
    session.expire_all()
    return session.scalars(
        select(ReminderDelivery).where(ReminderDelivery.user_id == user.id)
    ).one()


def _log_page(app: FastAPI, session: Session) -> str:
    hr = make_user(session, roles={Role.HR})
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        login(client, hr)
        page = client.get("/pengingat")
    assert page.status_code == 200
    return str(page.text)


def test_a_send_interrupted_long_ago_is_retried_and_a_fresh_claim_is_left_alone(
    app: FastAPI,
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    assert mail_settings.reminders_stale_minutes == 30
    now = utcnow()
    stale_user, stale = _overdue(session, "lama@palukota.go.id")
    _left_sending(session, stale_user, stale, now - timedelta(minutes=31))
    busy_user, busy = _overdue(session, "sibuk@palukota.go.id")
    # Claimed 29 minutes ago: another process may still be talking to the SMTP server.
    _left_sending(session, busy_user, busy, now - timedelta(minutes=29))

    report = sending.run_pass(session_factory, mail_settings, now=now)

    assert (report.interrupted, report.sent) == (1, 1)
    assert smtp_server.inbox.envelopes_to == [["lama@palukota.go.id"]]
    retried = _row(session, stale_user)
    assert (retried.status, retried.attempts, retried.last_error) == ("sent", 2, interrupted.NOTE)
    assert _row(session, busy_user).status == "sending"
    text = _log_page(app, session)
    assert "percobaan sebelumnya terputus: email ini mungkin diterima dua kali" in text

    # Five minutes later the other claim is 34 minutes old: its turn. The first is not resent.
    again = sending.run_pass(session_factory, mail_settings, now=now + timedelta(minutes=5))
    assert (again.interrupted, again.sent) == (1, 1)
    assert smtp_server.inbox.envelopes_to == [["lama@palukota.go.id"], ["sibuk@palukota.go.id"]]


def test_an_interrupted_send_on_its_last_attempt_is_given_up_and_shown_as_interrupted(
    app: FastAPI,
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    now = utcnow()
    user, assignment = _overdue(session, "habis@palukota.go.id")
    _left_sending(session, user, assignment, now - timedelta(hours=2), sending.MAX_ATTEMPTS)

    report = sending.run_pass(session_factory, mail_settings, now=now)

    assert (report.interrupted, report.sent) == (1, 0) and smtp_server.inbox.messages == []
    row = _row(session, user)
    assert (row.status, row.retry_at, row.last_error) == ("failed", None, interrupted.NOTE)
    text = _log_page(app, session)
    assert "Terputus" in text and "tidak dicoba lagi" in text
    assert "status tidak diketahui: pengiriman terputus sebelum hasilnya tercatat" in text


def test_an_interrupted_reminder_no_longer_due_is_released_but_not_sent(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    now = utcnow()
    user, assignment = _overdue(session, "batal@palukota.go.id")
    _left_sending(session, user, assignment, now - timedelta(hours=1))
    session.delete(assignment)  # HR cancelled the assignment meanwhile
    session.commit()

    report = sending.run_pass(session_factory, mail_settings, now=now)

    assert (report.interrupted, report.sent) == (1, 0) and smtp_server.inbox.messages == []
    assert _row(session, user).status == "failed"


def test_a_claim_is_dated_when_it_is_made_not_when_its_pass_began(
    session: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp_server: SmtpServer,
    demo_content: store.ImportReport,
) -> None:
    # A pass that began an hour ago (a long one) claims its last reminder now: that claim must
    # not look interrupted to another instance's pass.
    user, _assignment = _overdue(session, "akhir@palukota.go.id")
    began = utcnow() - timedelta(hours=1)

    sending.run_pass(session_factory, mail_settings, now=began)

    assert _row(session, user).claimed_at >= began + timedelta(minutes=59)


def test_the_stale_setting_is_at_least_a_few_smtp_timeouts() -> None:
    assert Settings(_env_file=None).reminders_stale_minutes == 30
    with pytest.raises(ValidationError, match="reminders_stale_minutes"):
        Settings(reminders_stale_minutes=1, _env_file=None)
