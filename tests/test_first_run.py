"""The first run as the README tells it: `make run` (its port, its "ready" line) and what
`make test` installs from npm (issue 19, items 19 and 20)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests import servers
from tests.conftest import _new_database
from tests.test_proxy_headers import wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")


def _dry_run(*args: str) -> str:
    if MAKE is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        [MAKE, "--no-print-directory", "-n", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return result.stdout


def test_make_run_serves_on_the_host_and_port_given() -> None:
    default = _dry_run("run")
    assert 'lentera serve --host "127.0.0.1" --port "8000"' in default
    chosen = _dry_run("run", "PORT=8123", "HOST=0.0.0.0")
    assert 'lentera serve --host "0.0.0.0" --port "8123"' in chosen
    # One-time links and the demo's "Buka ..." line point where the server really is.
    assert "http://127.0.0.1:8123" in chosen


def test_lentera_serve_says_it_is_ready_only_once_it_answers(tmp_path: Path) -> None:
    port = servers.free_port()
    with _new_database("sqlite", tmp_path) as url:
        env = {
            **os.environ,
            "LENTERA_DATABASE_URL": url,
            "LENTERA_DATA_DIR": str(tmp_path / "var"),
            "LENTERA_LOAD_CONTENT_ON_START": "false",
        }
        env.pop("LENTERA_ENV", None)
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(Path(sys.executable).parent / "lentera"), "serve", "--port", str(port)],
                env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            line = wait_until_ready(process, log)
            assert line == f"Lentera siap di http://127.0.0.1:{port}"
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        finally:
            process.terminate()
            process.wait(timeout=10)


def _devdependencies(path: Path) -> dict[str, str]:
    return dict(json.loads(path.read_text(encoding="utf-8"))["devDependencies"])


def _locked(path: Path) -> dict[str, dict[str, object]]:
    return dict(json.loads(path.read_text(encoding="utf-8"))["packages"])


def test_make_test_installs_only_axe_core_and_lighthouse_comes_with_its_benchmark() -> None:
    assert _devdependencies(ROOT / "package.json") == {"axe-core": "4.14.1"}
    root_lock = _locked(ROOT / "package-lock.json")
    assert root_lock[""]["devDependencies"] == _devdependencies(ROOT / "package.json")
    assert set(root_lock) == {"", "node_modules/axe-core"}

    bench = _devdependencies(ROOT / "bench" / "package.json")
    assert list(bench) == ["lighthouse"]
    bench_lock = _locked(ROOT / "bench" / "package-lock.json")
    assert bench_lock[""]["devDependencies"] == bench
    assert bench_lock["node_modules/lighthouse"]["version"] == bench["lighthouse"]

    test_recipe = _dry_run("-B", "test")
    assert "npm ci --no-audit" in test_recipe and "--prefix bench" not in test_recipe
    assert "npm ci --prefix bench" in _dry_run("-B", "bench-lighthouse")
