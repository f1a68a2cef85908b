"""How `lentera serve` runs Uvicorn: the fast HTTP stack and workers that share the load.

- **Stack.** uvloop (the event loop) and httptools (the HTTP/1.1 parser) come with
  `uvicorn[standard]`; they are chosen explicitly, not left to uvicorn's "auto", and when one
  cannot be imported Lentera falls back to asyncio / h11 with a logged warning (the pure-Python
  stack serves about a third fewer requests per core; docs/benchmarks.md).
- **Workers.** With `--workers N` each worker gets a listening socket of its own, all bound to
  the same address with `SO_REUSEPORT`, so the kernel spreads new connections evenly over the
  workers. With one shared socket (uvicorn's supervisor) whichever worker wakes first accepts,
  and a busy worker often takes every keep-alive connection of a burst while the other idles
  (measured: CPU use ~1.1 of 2 in most two-worker runs). The sockets are bound here, in the
  parent, with `IPPROTO_TCP`, so asyncio sets `TCP_NODELAY` on accepted connections (uvicorn
  binds them with proto 0 and Nagle then holds keep-alive responses ~40 ms, uvicorn #3149). A
  worker that dies is replaced on the same socket; connections the kernel hashed to it wait in
  that socket's backlog meanwhile. Where `SO_REUSEPORT` is missing, one shared socket is used.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import threading
import time
from contextlib import suppress
from typing import Any

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess, Process

log = logging.getLogger("lentera.serve")

APP = "app.main:create_app"
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104 - not a bind


def http_stack() -> dict[str, str]:
    """uvloop + httptools when importable, else asyncio + h11 with a warning (uvicorn options)."""
    stack = {"loop": "uvloop", "http": "httptools"}
    if os.name == "nt" or importlib.util.find_spec("uvloop") is None:
        stack["loop"] = "asyncio"
    if importlib.util.find_spec("httptools") is None:
        stack["http"] = "h11"
    if stack != {"loop": "uvloop", "http": "httptools"}:
        log.warning(
            "fast HTTP stack unavailable, serving with the slower fallback "
            "(install uvicorn[standard]: uvloop and httptools)",
            extra={"loop": stack["loop"], "http": stack["http"]},
        )
    return stack


def listening_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A bound TCP socket (IPPROTO_TCP, so accepted connections get TCP_NODELAY)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def worker_sockets(host: str, port: int, workers: int) -> list[socket.socket]:
    """One socket per worker on the same address (SO_REUSEPORT), or one shared socket."""
    if workers <= 1 or not reuse_port_supported():
        return [listening_socket(host, port)]
    first = listening_socket(host, port, reuse_port=True)
    port = first.getsockname()[1]  # port 0: every other socket joins the one chosen
    try:
        return [first] + [listening_socket(host, port, reuse_port=True) for _ in range(workers - 1)]
    except OSError:
        first.close()
        raise


class BalancedMultiprocess(Multiprocess):
    """Uvicorn's supervisor (health checks, restarts, signals), each worker on its own socket.

    Worker `i` always serves `sockets[i]` (a replacement too), so no socket is ever left
    without a worker for longer than a restart. Changing the number of workers at run time
    (SIGTTIN/SIGTTOU) is not offered: the sockets are bound once, here.
    """

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets)
        self.per_worker = sockets if len(sockets) == self.processes_num else None

    def _sockets(self, index: int) -> list[socket.socket]:
        return [self.per_worker[index]] if self.per_worker else self.sockets

    def init_processes(self) -> None:
        for index in range(self.processes_num):
            process = Process(self.config, self._sockets(index))
            process.start()
            self.processes.append(process)

    def restart_all(self) -> None:
        for index, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = Process(self.config, self._sockets(index))
            new.start()
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                return
            old.terminate()
            old.join()
            self.processes[index] = new

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for index, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == uvicorn.config.STARTUP_FAILURE:
                log.error("a worker failed to start; stopping", extra={"pid": process.pid})
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            log.warning("a worker died; starting another", extra={"pid": process.pid})
            replacement = Process(self.config, self._sockets(index))
            replacement.start()
            self.processes[index] = replacement

    def handle_ttin(self) -> None:
        log.warning("changing the number of workers at run time is not supported")

    def handle_ttou(self) -> None:
        log.warning("changing the number of workers at run time is not supported")


class AnnouncingServer(uvicorn.Server):
    """Uvicorn's server, printing one line once its socket is listening."""

    def __init__(self, config: uvicorn.Config, message: str | None) -> None:
        super().__init__(config)
        self.message = message

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit and self.message:
            print(self.message, flush=True)


def announce_when_listening(host: str, port: int, message: str) -> None:
    """Print `message` once something accepts connections on the port (workers, reloader)."""
    target = _WILDCARDS.get(host, host)

    def wait() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((target, port), timeout=1):
                    print(message, flush=True)
                    return
            except OSError:
                time.sleep(0.1)

    threading.Thread(target=wait, name="lentera-ready", daemon=True).start()


def run(
    target: str = APP,
    *,
    host: str,
    port: int,
    workers: int = 1,
    reload: bool = False,
    ready: str | None = None,
    **options: Any,
) -> bool:
    """Serve `target` (a factory) until stopped; False when a single worker failed to start."""
    # Uvicorn's supervisor kills a worker that does not answer its ping within 5 s, losing
    # every request in flight there. On a small machine under a burst (an exam's logins: Argon2
    # is meant to be slow) a healthy worker can be that late: seen in bench/exam.py at load 20
    # on 2 cores, 10 workers killed in 3 minutes. A hung worker is still replaced, after 30 s.
    options = {"factory": True, "timeout_worker_healthcheck": 30, **http_stack(), **options}
    if reload:
        if ready:
            announce_when_listening(host, port, ready)
        uvicorn.run(target, host=host, port=port, reload=True, **options)
        return True
    config = uvicorn.Config(target, host=host, port=port, workers=workers, **options)
    if workers <= 1:
        server = AnnouncingServer(config, ready)
        with suppress(KeyboardInterrupt):
            server.run()  # uvicorn binds it (IPPROTO_TCP: TCP_NODELAY is set)
        return server.started
    sockets = worker_sockets(host, port, workers)
    if ready:
        announce_when_listening(host, port, ready)
    BalancedMultiprocess(config, sockets).run()
    return True
