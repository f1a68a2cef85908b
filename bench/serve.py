"""Serve any ASGI app exactly as `lentera serve` serves Lentera (same uvicorn options).

The app and both ceilings run through this one entry point, so a ratio between them measures
the application, never a difference in server settings.

    python -m bench.serve app.main:create_app --factory --port 8001 --workers 2 [--tcp-nodelay]

`--tcp-nodelay` binds the listening socket here, with IPPROTO_TCP, instead of letting uvicorn
do it. With more than one worker uvicorn binds it with proto 0, accepted connections inherit
that, and asyncio only enables TCP_NODELAY when proto is IPPROTO_TCP: Nagle's algorithm then
holds each response body until the client's delayed ACK, ~40 ms per keep-alive request on
Linux (uvicorn issue #3149). This is the fix proposed for `lentera serve`.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

# The options of `lentera serve` (app/cli/serve.py), apart from host, port and workers.
OPTIONS = {"proxy_headers": True, "access_log": False, "log_level": "warning"}


def tcp_socket(host: str, port: int) -> socket.socket:
    """A listening socket whose accepted connections get TCP_NODELAY from asyncio."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def main() -> None:
    # A candidate fix in a copy of `app/` (see common.server_env): `python -m` puts the working
    # directory first on sys.path, ahead of PYTHONPATH, so the copy must be put before it.
    candidate = os.environ.get("BENCH_APP_PATH")
    if candidate:
        sys.path.insert(0, candidate)
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--factory", action="store_true")
    parser.add_argument("--tcp-nodelay", action="store_true")
    args = parser.parse_args()
    host = "127.0.0.1"
    if not args.tcp_nodelay:
        uvicorn.run(
            args.target, factory=args.factory, host=host, port=args.port, workers=args.workers,
            **OPTIONS,  # type: ignore[arg-type]
        )  # fmt: skip
        return
    config = uvicorn.Config(
        args.target, factory=args.factory, host=host, port=args.port, workers=args.workers,
        **OPTIONS,  # type: ignore[arg-type]
    )  # fmt: skip
    server = uvicorn.Server(config)
    sock = tcp_socket(host, args.port)
    if args.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        server.run(sockets=[sock])


if __name__ == "__main__":
    main()
