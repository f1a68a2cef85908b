"""`lentera serve`: Lentera over HTTP with Uvicorn."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import suppress
from typing import Annotated

import typer
import uvicorn

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
    options = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "reload": reload,
        "proxy_headers": True,
        "forwarded_allow_ips": forwarded_allow_ips or settings.forwarded_allow_ips,
        "access_log": False,  # Lentera writes its own structured access log
        "log_level": "warning",
    }
    ready = f"Lentera siap di {_browser_url(host, port)}"
    if reload:
        _announce_when_listening(host, port, ready)
        uvicorn.run("app.main:create_app", **options)  # type: ignore[arg-type]
        return
    if workers == 1:
        config = uvicorn.Config("app.main:create_app", **options)  # type: ignore[arg-type]
        server = _AnnouncingServer(config, ready)
        with suppress(KeyboardInterrupt):
            server.run()
        if not server.started:
            raise typer.Exit(3)  # what uvicorn.run exits with when start-up fails
        return
    # With several workers uvicorn binds the socket with proto 0; accepted connections then
    # never get TCP_NODELAY from asyncio, and Nagle's algorithm holds every keep-alive response
    # ~40 ms for the client's delayed ACK (uvicorn issue #3149; measured in docs/benchmarks.md:
    # 327 -> 9,400 req/s on the bare ceiling). Binding it here as IPPROTO_TCP avoids that.
    from uvicorn.supervisors import Multiprocess

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM,
                         socket.IPPROTO_TCP)  # fmt: skip
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    _announce_when_listening(host, port, ready)
    config = uvicorn.Config("app.main:create_app", **options)  # type: ignore[arg-type]
    Multiprocess(config, sockets=[sock]).run()


_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104 - not a bind


def _browser_url(host: str, port: int) -> str:
    """Where to open Lentera: a wildcard address is reached on the loopback address."""
    host = _WILDCARDS.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _announce_when_listening(host: str, port: int, message: str) -> None:
    """Print `message` once something accepts connections on the port (workers, reloader)."""
    target = _WILDCARDS.get(host, host)

    def wait() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((target, port), timeout=1):
                    typer.echo(message)
                    return
            except OSError:
                time.sleep(0.1)

    threading.Thread(target=wait, name="lentera-ready", daemon=True).start()


class _AnnouncingServer(uvicorn.Server):
    """Uvicorn's server, printing one line once its socket is listening."""

    def __init__(self, config: uvicorn.Config, message: str) -> None:
        super().__init__(config)
        self.message = message

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            typer.echo(self.message)
