"""The `lentera` command line: one module per command group, registered here.

| command | module |
| --- | --- |
| `serve` | app/cli/serve.py |
| `migrate` | app/cli/migrate.py |
| `backup`, `restore` | app/cli/backup.py |
| `create-user`, `reset-password`, `import-users`, `demo` | app/cli/users.py |
| `content ...` | app/cli/content.py |
| `export ...` | app/cli/exports.py |
| `audit ...` | app/cli/audit.py |
| `privacy ...` | app/cli/privacy.py |
| `certificates ...` | app/cli/certificates.py |
| `reminders ...` | app/cli/reminders.py |

Shared helpers (one transaction, a clean failure, the schema check) are in app/cli/common.py;
app/cli/schema_guard.py makes every command that needs the database check its schema first.
"""

from __future__ import annotations

import typer

from app.cli import (
    audit,
    backup,
    certificates,
    content,
    exports,
    migrate,
    privacy,
    reminders,
    serve,
    users,
)
from app.cli.schema_guard import guard_commands

cli = typer.Typer(
    help="Lentera, the e-learning platform for the civil servants (ASN) of Palu. "
    "Settings come from LENTERA_* environment variables (see the README).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Registered in the order `lentera --help` has always listed them. Operators read the command
# line in English, as the README (group help is set here so the whole `lentera --help` reads in
# one language).
cli.command("backup")(backup.backup)
cli.command("restore")(backup.restore)
cli.command()(migrate.migrate)
cli.command()(serve.serve)
cli.command("create-user")(users.create_user)
cli.command("reset-password")(users.reset_password)
cli.command("import-users")(users.import_users)
cli.command()(users.demo)
cli.add_typer(
    content.content_cli,
    name="content",
    help="Course content: check the content folder, publish it, convert Moodle question banks.",
)
cli.add_typer(
    audit.audit_cli,
    name="audit",
    help="Audit trail: check its hash chain (were entries altered or deleted?).",
)
cli.add_typer(
    privacy.privacy_cli,
    name="privacy",
    help="Personal data (UU PDP): export everything about one person, anonymise leavers.",
)
cli.add_typer(
    certificates.certificates_cli,
    name="certificates",
    help="Certificate signing: create a self-signed demo key (PKCS#12) for trials.",
)
cli.add_typer(exports.export_cli, name="export")
cli.add_typer(
    reminders.reminders_cli,
    name="reminders",
    help="Reminders: email what is due (assignments, follow-ups) when SMTP is configured.",
)
guard_commands(cli)


def main() -> None:
    """The `lentera` entry point (pyproject's [project.scripts])."""
    cli()
