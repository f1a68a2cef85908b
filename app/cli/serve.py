"""`lentera serve`: Lentera over HTTP with Uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

# The command's body was moved verbatim from app/cli.py and keeps the helper names it had.
from app.cli.common import fail as _fail
from app.cli.common import require_schema as _require_schema
from app.config import ConfigError, get_settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated addresses or networks of the reverse proxies whose "
            "X-Forwarded-For/-Proto are believed (default: LENTERA_FORWARDED_ALLOW_IPS).",
        ),
    ] = None,
) -> None:
    """Serve Lentera over HTTP with Uvicorn (refuses to start on an unmigrated database)."""
    settings = get_settings()
    try:
        settings.check_production()
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    # Before anything is created on disk: a server on an unmigrated or missing database would
    # answer every page with an error (or create an empty database in the wrong directory).
    _require_schema(settings)
    settings.resolved_secret_key()  # create it once here, not racing in each worker
    settings.resolved_signing_key()  # likewise the development demo signing key
    from app import serving  # here: only `serve` needs the HTTP server
    from app.reminders import background

    # Reminder passes in this process (not in each worker), when the interval and SMTP are set.
    reminders = background.start(settings)
    try:
        started = serving.run(
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            ready=f"Lentera siap di {_browser_url(host, port)}",
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips or settings.forwarded_allow_ips,
            access_log=False,  # Lentera writes its own structured access log
            log_level="warning",
        )
    finally:
        if reminders is not None:
            reminders.stop()
    if not started:
        raise typer.Exit(3)  # what uvicorn.run exits with when start-up fails


_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104 - not a bind


def _browser_url(host: str, port: int) -> str:
    """Where to open Lentera: a wildcard address is reached on the loopback address."""
    host = _WILDCARDS.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
