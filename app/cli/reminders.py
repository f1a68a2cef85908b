"""`lentera reminders ...`: send the reminders that are due (cron-friendly)."""

from __future__ import annotations

import typer

from app.config import get_settings
from app.db import make_engine, make_sessionmaker

reminders_cli = typer.Typer(
    help="Reminders: email what is due (assignments, follow-ups) when SMTP is configured.",
    no_args_is_help=True,
    add_completion=False,
)


@reminders_cli.command("send")
def send() -> None:
    """One pass: email every reminder due now that was not sent yet, retry failures due."""
    from app.reminders import sending

    settings = get_settings()
    if not settings.mail_enabled:
        typer.echo(
            "Email is not configured (LENTERA_SMTP_HOST is empty): nothing was sent or queued."
        )
        return
    engine = make_engine(settings.database_url)
    try:
        report = sending.run_pass(make_sessionmaker(engine), settings)
    finally:
        engine.dispose()
    typer.echo(
        f"Reminders due: {report.due}; sent: {report.sent}; failed: {report.failed}; "
        f"skipped (no email, opted out): {report.skipped}."
    )
    if report.interrupted:
        typer.echo(
            f"Interrupted earlier (status unknown), released for a retry: {report.interrupted}."
        )
    if report.failed:
        raise typer.Exit(1)
