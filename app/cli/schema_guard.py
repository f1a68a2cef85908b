"""Every command that needs the database checks its schema first (a hint, never a traceback)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer

from app.cli.common import require_schema
from app.config import get_settings

# Commands that work without a migrated database; every other command checks the schema
# first, so one added later is covered without anyone remembering to.
_NO_SCHEMA_NEEDED = {
    "migrate",  # makes the schema
    "serve",  # checks it itself, before the secret key is created
    "restore",  # may restore into an empty database
    "content check",  # reads files only
    "content import-questions",  # converts files only
    "certificates make-demo-key",  # writes a key file only
}
# A backup is the first step of an upgrade, so a database one migration behind is fine.
_OLDER_SCHEMA_FINE = {"backup"}


def _needs_schema(callback: Callable[..., Any], *, older_is_fine: bool) -> Callable[..., Any]:
    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        require_schema(get_settings(), older_is_fine=older_is_fine)
        return callback(*args, **kwargs)

    return checked


def guard_commands(app: typer.Typer, prefix: str = "") -> None:
    """Wrap every command of `app` (and its groups) that needs the database in the check."""
    for info in app.registered_commands:
        assert info.callback is not None
        name = prefix + (info.name or info.callback.__name__.replace("_", "-"))
        if name not in _NO_SCHEMA_NEEDED:
            info.callback = _needs_schema(info.callback, older_is_fine=name in _OLDER_SCHEMA_FINE)
    for group in app.registered_groups:
        assert group.typer_instance is not None
        guard_commands(group.typer_instance, f"{prefix}{group.name} ")
