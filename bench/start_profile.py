"""What one start of the synchronised exam costs (POST "Mulai" + the attempt page), in-process.

N learners who finished PPP-101 (as in `bench/exam.py`), each with a session; each starts the
final test and opens the attempt page, one after another, through the app's test client (no
server, no load generator): CPU and SQL statements per start, and with `--profile` a cProfile of
the app's thread-pool work (routes, sync dependencies, commits) summed over all starts.

    python bench/start_profile.py --database-url sqlite:////tmp/start.db --learners 100 [--profile]

The database must be empty (it is migrated and seeded here).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import anyio.to_thread  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from bench import exam  # noqa: E402

TEST = "/kursus/PPP-101/tes/tes-akhir"


def _profile_thread_pool(profiles: list[cProfile.Profile]) -> None:
    """Run every thread-pool call (where Lentera's sync code runs) under a profiler of its own."""
    real = anyio.to_thread.run_sync

    async def profiled(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def call(*inner: Any) -> Any:
            profile = cProfile.Profile()
            try:
                return profile.runcall(func, *inner)
            finally:
                profiles.append(profile)

        return await real(call, *args, **kwargs)

    anyio.to_thread.run_sync = profiled  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("LENTERA_LOG_LEVEL", "WARNING")
    subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("lentera")), "migrate"],
        check=True,
        capture_output=True,
        env={**os.environ, "LENTERA_DATABASE_URL": args.database_url},
    )
    nips = exam.seed(args.database_url, args.learners)

    from fastapi.testclient import TestClient

    from app.accounts import auth
    from app.accounts.models import User
    from app.config import Settings
    from app.db import session_scope
    from app.main import create_app
    from app.web import templating

    settings = Settings(
        database_url=args.database_url,
        secret_key="b" * 48,
        load_content_on_start=False,
        data_dir=Path(args.database_url.rsplit("/", 1)[-1] + "-data").resolve(),
        content_dir=ROOT / "content",
    )
    app = create_app(settings)
    templating.templates.env.auto_reload = False  # as in production
    with session_scope(app.state.sessionmaker) as session:
        tokens = [
            auth.open_session(
                session,
                settings,
                session.scalars(select(User).where(User.nip == nip)).one(),
                None,
                None,
            )
            for nip in nips
        ]
    learners = []
    for token in tokens:
        client = TestClient(app, base_url="http://127.0.0.1")
        client.__enter__()
        client.cookies.set("lentera_session", token)
        page = client.get(TEST)  # warms every cache as the exam's "open test" phase does
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert page.status_code == 200 and found, page.status_code
        learners.append((client, found[1]))

    statements: list[str] = []
    event.listen(app.state.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    profiles: list[cProfile.Profile] = []
    if args.profile:
        _profile_thread_pool(profiles)
    cpu, wall = time.process_time(), time.perf_counter()
    for client, csrf in learners:
        start = client.post(f"{TEST}/mulai", data={"csrf_token": csrf}, follow_redirects=False)
        assert start.status_code == 303, start.status_code
        assert client.get(start.headers["location"]).status_code == 200
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    count = len(learners)
    print(
        f"{count} starts (POST + attempt page): {cpu / count * 1000:.2f} CPU ms, "
        f"{wall / count * 1000:.2f} wall ms, {len(statements) / count:.1f} statements per start"
    )
    for text, n in Counter(s.split("\n")[0][:100] for s in statements).most_common():
        print(f"{n / count:5.1f}  {text}")
    if profiles:
        stats = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            stats.add(profile)
        stats.sort_stats("cumulative").print_stats(40)
    for client, _csrf in learners:
        client.__exit__(None, None, None)


if __name__ == "__main__":
    main()
