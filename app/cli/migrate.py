"""`lentera migrate`: create or upgrade the database schema."""

from __future__ import annotations

import typer

from app.config import get_settings


def migrate() -> None:
    """Create or upgrade the database schema to the latest version (Alembic)."""
    from alembic import command

    from app.ops import alembic_config, describe_database

    settings = get_settings()
    command.upgrade(alembic_config(settings.database_url), "head")
    typer.echo(f"Database is at the latest schema: {describe_database(settings.database_url)}")
