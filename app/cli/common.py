"""What every `lentera` command shares: one transaction, a clean failure, the schema check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import make_engine, make_sessionmaker, session_scope


@contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    """One transaction on the configured database; the engine is closed afterwards."""
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` in red on stderr; raise the returned Exit (exit status `code`)."""
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def require_schema(settings: Settings, *, older_is_fine: bool = False) -> None:
    """Exit with a hint (never a traceback) unless the database is migrated to this version."""
    from app.ops import schema_problem

    problem = schema_problem(settings.database_url, older_is_fine=older_is_fine)
    if problem is not None:
        raise fail(f"Error: {problem}")


def display_url(url: str) -> str:
    """The database URL as shown to the operator (password hidden)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
