"""SQL statements and in-process CPU per request of the learner's busiest pages.

One learner, logged in through the app's test client (no server, no network): each page is
requested with the learner in one course, then in every demo course (joined, assigned, part
read, two completed, one of those with its certificate revoked). Prints the statements each
request runs (the timed `content_state` and `auth_generation` freshness checks left out, as
in the tests) and the process CPU time per request over `--requests` requests. The machine may be
shared: compare CPU figures of the same run, not across runs.

    python bench/page_statements.py [--requests 300] [--postgres-url postgresql://...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import scratch_database  # noqa: E402

PASSWORD = "Bench-page-statements-1"  # noqa: S105  (a scratch database's learner)
MODULE = "/kursus/KOM-101/modul/01-dasar-komunikasi-pelayanan"
PAGES = ["/", "/kursus", "/kursus/KOM-101", MODULE]


@contextmanager
def _counting(engine: Any) -> Iterator[list[str]]:
    from sqlalchemy import event

    statements: list[str] = []

    def record(*args: Any) -> None:
        text = str(args[2])
        if "content_state" not in text and "auth_generation" not in text:
            statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _more_courses(factory: Any, user_id: int) -> None:
    """Every other demo course joined, assigned, part read; two completed, one revoked."""
    from sqlalchemy import select

    from app import clock
    from app.content.models import Course, ModuleVersion
    from app.db import session_scope
    from app.learning.models import (
        Assignment,
        Certificate,
        Completion,
        Enrolment,
        ModuleProgress,
    )

    now = datetime.now(UTC)
    with session_scope(factory) as session:
        courses = session.scalars(select(Course).where(Course.code != "KOM-101")).all()
        for n, course in enumerate(sorted(courses, key=lambda c: c.code)):
            session.add(Enrolment(user_id=user_id, course_id=course.id, enrolled_at=now))
            due = clock.today() + timedelta(days=n - 1)
            session.add(Assignment(user_id=user_id, course_id=course.id, due_on=due))
            slugs = session.scalars(
                select(ModuleVersion.slug)
                .where(ModuleVersion.course_version_id == course.current_version_id)
                .order_by(ModuleVersion.position)
                .limit(2)
            )
            for slug in slugs:
                session.add(
                    ModuleProgress(
                        user_id=user_id, course_id=course.id, module_slug=slug, completed_at=now
                    )
                )
            if n < 2:
                completion = Completion(
                    user_id=user_id,
                    course_id=course.id,
                    course_version_id=course.current_version_id,
                    completed_at=now,
                    final_score=90,
                    jp=4,
                )
                session.add(completion)
                session.flush()
                session.add(
                    Certificate(
                        number=f"LTR-2026-BEN-{n + 1:05d}-AAAA",
                        completion_id=completion.id,
                        full_name="Bench",
                        nip="199001012020121001",
                        employee_type="PNS",
                        course_code=course.code,
                        course_title=course.code,
                        category="teknis",
                        jp=4,
                        completed_on=now.date(),
                        final_score=90,
                        revoked_at=now if n == 1 else None,
                    )
                )


@contextmanager
def learner_client(database_url: str, **settings_given: Any) -> Iterator[tuple[Any, Any, int]]:
    """The app on `database_url` (migrated, empty) with the demo content, and a test client
    logged in as a learner enrolled in KOM-101 with its first module opened; and the
    learner's id. `settings_given` override the app's settings. Also used by
    bench/instructions.py."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    import app.models  # noqa: F401  (every table, for the foreign keys)
    from app.accounts.passwords import hash_password
    from app.config import Settings
    from app.content import store
    from app.content.models import Course, ModuleVersion
    from app.db import session_scope
    from app.learning.models import Enrolment, ModuleProgress
    from app.main import create_app
    from tests.factories import make_user

    with tempfile.TemporaryDirectory(prefix="lentera-statements-") as workdir:
        settings = Settings(
            database_url=database_url,
            data_dir=Path(workdir) / "var",
            secret_key="bench-secret-key-" + "x" * 32,
            load_content_on_start=False,
            _env_file=None,
            **settings_given,
        )
        application = create_app(settings)
        factory = application.state.sessionmaker
        with session_scope(factory) as session:
            store.import_library(session, ROOT / "content")
            user = make_user(session, password=None, full_name="Bench Learner")
            user.password_hash = hash_password(PASSWORD)
            course = session.scalars(select(Course).where(Course.code == "KOM-101")).one()
            first = session.scalars(
                select(ModuleVersion.slug)
                .where(ModuleVersion.course_version_id == course.current_version_id)
                .order_by(ModuleVersion.position)
            ).first()
            assert first is not None
            session.add(Enrolment(user_id=user.id, course_id=course.id))
            session.add(ModuleProgress(user_id=user.id, course_id=course.id, module_slug=first))
            user_id, user_nip = user.id, user.nip
        try:
            with TestClient(application, follow_redirects=False) as client:
                page = client.get("/masuk")
                token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
                login = {"csrf_token": token, "nip": user_nip, "password": PASSWORD, "next": "/"}
                assert client.post("/masuk", data=login).status_code == 303
                yield application, client, user_id
        finally:
            application.state.engine.dispose()


def run(database_url: str, requests: int) -> list[str]:
    lines = ["| Page | statements, 1 course | statements, all courses | CPU ms/request |"]
    lines.append("| --- | ---: | ---: | ---: |")
    with learner_client(database_url) as (application, client, user_id):
        factory = application.state.sessionmaker
        engine = application.state.engine
        counts: dict[str, list[int]] = {path: [] for path in PAGES}
        for phase in range(2):
            if phase:
                _more_courses(factory, user_id)
            for path in PAGES:
                assert client.get(path).status_code == 200, path  # warm: catalogue, visit
                with _counting(engine) as statements:
                    assert client.get(path).status_code == 200, path
                counts[path].append(len(statements))
        for path in PAGES:
            started = time.process_time()
            for _ in range(requests):
                client.get(path)
            cpu = (time.process_time() - started) / requests * 1000
            one, every = counts[path]
            lines.append(f"| `{path}` | {one} | {every} | {cpu:.2f} |")
        lines.append("")
        lines.append(_home_reads(application, user_id, requests * 5))
    return lines


def _home_reads(application: Any, user_id: int, repeat: int) -> str:
    """CPU per run of the learner home's own reads (dashboard and JP), without HTTP, template
    or session lookup: the part the home's statement count changes."""
    from app import clock
    from app.accounts.models import User
    from app.db import session_scope
    from app.learning import jp
    from app.learning.dashboard import learner_dashboard

    settings = application.state.settings
    today = clock.today()
    with session_scope(application.state.sessionmaker) as session:
        user = session.get(User, user_id)
        assert user is not None
        catalog = application.state.content.catalog(session)
        started = time.process_time()
        for _ in range(repeat):
            learner_dashboard(session, user_id, catalog, today)
            jp.jp_for_person(session, user, jp.current_year(session, user, today=today), settings)
        cpu = (time.process_time() - started) / repeat * 1000
    return f"Learner home's reads (dashboard + JP), all courses: {cpu:.3f} CPU ms per run"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgres_url else [])
    with tempfile.TemporaryDirectory(prefix="lentera-statements-db-") as workdir:
        for backend in backends:
            name = "lentera_bench_statements"
            with scratch_database(backend, Path(workdir), name, args.postgres_url) as url:
                print(f"\n{backend}:")
                print("\n".join(run(url, args.requests)))


if __name__ == "__main__":
    main()
