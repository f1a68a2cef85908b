"""The reminder pass inside `lentera serve`: a daemon thread, when the interval is set.

It runs in the `lentera serve` process itself (the parent of the workers), so one instance
sends from one thread whatever `--workers` says; several instances may each run it, since the
sent log's claims keep them from sending the same reminder twice. Cron with
`lentera reminders send` does the same job for deployments that prefer it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.reminders import sending

log = logging.getLogger("lentera.reminders")
FIRST_PASS_SECONDS = 30.0  # after start-up, once the server is listening


@dataclass
class Loop:
    thread: threading.Thread
    stop_event: threading.Event

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to end and wait for a pass in progress (a bounded time)."""
        self.stop_event.set()
        self.thread.join(timeout)


def start(
    settings: Settings, *, every: float | None = None, first: float = FIRST_PASS_SECONDS
) -> Loop | None:
    """Start passes every `LENTERA_REMINDERS_INTERVAL_MINUTES`; None when off or without SMTP."""
    seconds = every if every is not None else settings.reminders_interval_minutes * 60.0
    if seconds <= 0 or not settings.mail_enabled:
        return None
    stop_event = threading.Event()

    def run() -> None:
        engine = make_engine(settings.database_url)
        factory = make_sessionmaker(engine)
        wait = first
        try:
            while not stop_event.wait(wait):
                wait = seconds
                try:
                    report = sending.run_pass(factory, settings)
                except Exception:  # a database outage must not end the loop
                    log.exception("reminder pass failed")
                    continue
                if report.sent or report.failed or report.interrupted:
                    log.info(
                        "reminder pass",
                        extra={
                            "sent": report.sent,
                            "failed": report.failed,
                            "due": report.due,
                            "interrupted": report.interrupted,
                        },
                    )
        finally:
            engine.dispose()

    thread = threading.Thread(target=run, name="lentera-reminders", daemon=True)
    thread.start()
    return Loop(thread, stop_event)
