"""`lentera reminders send`: one cron-friendly pass against a real SMTP server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import clock
from app.cli import cli
from app.config import get_settings
from app.content.models import Course
from app.db import make_engine
from app.learning.models import Assignment
from app.reminders.models import ReminderDelivery
from tests.factories import make_user
from tests.reminders.conftest import SmtpServer

runner = CliRunner()


@pytest.fixture
def cli_db(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Session]:
    monkeypatch.setenv("LENTERA_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LENTERA_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LENTERA_BASE_URL", "https://lentera.example")
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_TLS", "MAIL_FROM"):
        monkeypatch.delenv(f"LENTERA_{name}", raising=False)
    get_settings.cache_clear()
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()
    get_settings.cache_clear()


def _overdue(session: Session) -> None:
    learner = make_user(session, email="cron@palukota.go.id")
    course = Course(code="KOM-101", folder="komunikasi")
    session.add(course)
    session.flush()
    session.add(
        Assignment(
            user_id=learner.id, course_id=course.id, due_on=clock.today() - timedelta(days=1)
        )
    )
    session.commit()


def test_reminders_send_emails_once_then_nothing(
    cli_db: Session, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _overdue(cli_db)
    monkeypatch.setenv("LENTERA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LENTERA_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("LENTERA_SMTP_TLS", "none")
    monkeypatch.setenv("LENTERA_MAIL_FROM", "lentera@palukota.go.id")
    get_settings.cache_clear()

    first = runner.invoke(cli, ["reminders", "send"])
    second = runner.invoke(cli, ["reminders", "send"])

    assert first.exit_code == 0, first.output
    assert "sent: 1;" in first.output
    assert "sent: 0;" in second.output
    assert smtp_server.inbox.envelopes_to == [["cron@palukota.go.id"]]
    assert cli_db.scalars(select(ReminderDelivery.status)).all() == ["sent"]


def test_reminders_send_without_smtp_says_so_and_queues_nothing(cli_db: Session) -> None:
    _overdue(cli_db)

    result = runner.invoke(cli, ["reminders", "send"])

    assert result.exit_code == 0
    assert "Email is not configured" in result.output
    assert cli_db.scalars(select(ReminderDelivery)).all() == []


def test_the_background_loop_of_serve_sends_on_its_interval_and_stops(
    cli_db: Session, smtp_server: SmtpServer, fresh_database_url: str
) -> None:
    from app.config import Settings
    from app.reminders import background

    _overdue(cli_db)
    settings = Settings(
        database_url=fresh_database_url, smtp_host="127.0.0.1", smtp_port=smtp_server.port,
        smtp_tls="none", mail_from="lentera@palukota.go.id", _env_file=None,
    )  # fmt: skip
    assert background.start(settings) is None  # the interval setting is 0: no loop

    loop = background.start(settings, every=0.05, first=0.0)
    assert loop is not None
    try:
        deadline = time.monotonic() + 10
        while not smtp_server.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # a few more passes: still one message
    finally:
        loop.stop()

    assert not loop.thread.is_alive()
    assert smtp_server.inbox.envelopes_to == [["cron@palukota.go.id"]]
