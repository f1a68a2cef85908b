"""How `lentera serve` serves: the fast HTTP stack, and one kernel-balanced socket per worker."""

from __future__ import annotations

import importlib.util
import logging
import select
import signal
import socket
from typing import Any

import pytest
import uvicorn

from app import serving


def test_the_fast_stack_is_chosen_explicitly_when_installed() -> None:
    # uvicorn[standard] is a dependency: uvloop and httptools are always there in a real install.
    assert serving.http_stack() == {"loop": "uvloop", "http": "httptools"}


def test_without_uvloop_or_httptools_it_falls_back_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = importlib.util.find_spec

    def missing(name: str, *args: Any) -> Any:
        return None if name in ("uvloop", "httptools") else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", missing)
    with caplog.at_level(logging.WARNING, logger="lentera.serve"):
        assert serving.http_stack() == {"loop": "asyncio", "http": "h11"}
    assert "fallback" in caplog.text


def test_each_worker_gets_its_own_socket_and_the_kernel_spreads_connections() -> None:
    sockets = serving.worker_sockets("127.0.0.1", 0, 2)
    try:
        assert len(sockets) == 2
        ports = {s.getsockname()[1] for s in sockets}
        assert len(ports) == 1
        for sock in sockets:
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
            # IPPROTO_TCP: asyncio sets TCP_NODELAY on what it accepts (no 40 ms Nagle stall).
            assert sock.proto == socket.IPPROTO_TCP
            sock.listen(64)
        port = ports.pop()
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(24)]
        accepted = {id(s): 0 for s in sockets}
        try:
            pending = len(clients)
            while pending:
                ready, _, _ = select.select(sockets, [], [], 5)
                assert ready, "connections were not accepted"
                for sock in ready:
                    conn, _ = sock.accept()
                    conn.close()
                    accepted[id(sock)] += 1
                    pending -= 1
        finally:
            for client in clients:
                client.close()
        # 24 connections from distinct source ports: both workers' sockets get some (the
        # kernel hashes each connection to one socket; all 24 on one is a 1-in-8-million case).
        assert all(count > 0 for count in accepted.values()), accepted
    finally:
        for sock in sockets:
            sock.close()


def test_several_workers_are_started_on_one_socket_each(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def capture(self: serving.BalancedMultiprocess) -> None:
        seen["per_worker"] = [self._sockets(i) for i in range(self.processes_num)]
        seen["config"] = self.config
        for sock in self.sockets:
            sock.close()

    monkeypatch.setattr(serving.BalancedMultiprocess, "run", capture)
    monkeypatch.setattr(signal, "signal", lambda *_args: None)  # uvicorn's supervisor's handlers
    assert serving.run(host="127.0.0.1", port=0, workers=3, log_level="warning")
    per_worker = seen["per_worker"]
    assert len(per_worker) == 3 and all(len(s) == 1 for s in per_worker)
    assert len({id(s[0]) for s in per_worker}) == 3
    config: uvicorn.Config = seen["config"]
    assert (config.loop, config.http) == ("uvloop", "httptools")
