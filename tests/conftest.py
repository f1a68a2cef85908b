"""Test fixtures: every database test runs on SQLite and on PostgreSQL, on the real schema.

The schema is created by the Alembic migrations (never create_all), once per backend into a
template that every migrated database of the run is copied from. Most tests share one migrated
database per backend and run inside an outer transaction that is rolled back, with the app's
commits turned into savepoints, so tests are isolated and fast.

PostgreSQL: set LENTERA_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test).
Without it the PostgreSQL half is skipped locally; in CI (CI=true) it fails instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.content import store
from app.content.format import loader
from app.db import make_engine
from app.main import create_app
from app.ops import alembic_config

POSTGRES_URL = os.environ.get("LENTERA_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 with its production cost makes each test user take ~0.1-1 s; tests use a cheap
    Argon2 (still the same code paths: the cost parameters travel inside every hash)."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from app.accounts import passwords

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    original = passwords._hasher
    passwords._hasher = lambda: cheap  # type: ignore[assignment]
    yield
    passwords._hasher = original


def _sqlite_savepoint_support(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; take over BEGIN as SQLAlchemy's
    # documentation recommends, so the rollback-per-test scheme works on SQLite too.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN")


def _migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


# One database per backend is migrated from scratch (the first time a test asks for one), then
# every migrated database of the run is a copy of it: running every migration again for each
# test that needs a database of its own was most of those tests' cost. The migrations themselves
# are still run from an empty database by the migration tests (empty_database_url) and by
# these templates.
_templates: dict[str, str] = {}
_template_dir: list[Path] = []


def _postgres_admin_url() -> URL:
    return make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")


def _template(backend: str) -> str:
    """The migrated template of `backend`: a SQLite file path or a PostgreSQL database name."""
    if backend not in _templates:
        if backend == "sqlite":
            if not _template_dir:
                _template_dir.append(Path(tempfile.mkdtemp(prefix="lentera-template-")))
            path = _template_dir[0] / "template.db"
            try:
                _migrate(f"sqlite:///{path}")
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            _templates[backend] = str(path)
        else:
            name = f"lentera_template_{secrets.token_hex(4)}"
            admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            finally:
                admin.dispose()
            # Dropped at the end of the run; kept only once migrated (a failed migration fails
            # each test that asks, never hands out a half-migrated copy).
            _templates[backend] = name
            try:
                # The migration's engine is disposed when it is done: nothing stays connected
                # to the template, as CREATE DATABASE ... TEMPLATE requires.
                _migrate(_postgres_admin_url().set(database=name).render_as_string(False))
            except BaseException:
                _drop_postgres_template()
                raise
    return _templates[backend]


def _drop_postgres_template() -> None:
    name = _templates.pop("postgresql", None)
    if name is not None:
        admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


@pytest.fixture(autouse=True, scope="session")
def _drop_templates() -> Iterator[None]:
    yield
    _drop_postgres_template()
    _templates.clear()
    for directory in _template_dir:
        shutil.rmtree(directory, ignore_errors=True)
    _template_dir.clear()


@contextmanager
def _new_database(backend: str, directory: Path, *, migrate: bool = True) -> Iterator[str]:
    """Create an empty database on `backend` (migrated to head unless told not to), then drop it."""
    if backend == "sqlite":
        path = directory / f"lentera-{secrets.token_hex(4)}.db"
        if migrate:
            # SQLite's backup API: a consistent copy whatever the template's journal mode.
            source = closing(sqlite3.connect(_template(backend)))
            with source as template, closing(sqlite3.connect(path)) as copy:
                template.backup(copy)
        yield f"sqlite:///{path}"
        return
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI requires LENTERA_TEST_POSTGRES_URL: the PostgreSQL tests must run.")
        pytest.skip("PostgreSQL tests skipped: LENTERA_TEST_POSTGRES_URL is not set")
    # A throwaway database each time, so parallel runs and leftovers never interfere.
    admin_url = _postgres_admin_url()
    name = f"lentera_test_{secrets.token_hex(4)}"
    template_clause = f' TEMPLATE "{_template(backend)}"' if migrate else ""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{template_clause}'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend this test runs on: every database test runs on both."""
    return str(request.param)


class _SharedDatabases:
    """The migrated database and engine of each backend that most tests share (they roll back).

    Made once per process and kept until the end of the run: when pytest-xdist hands a worker
    a SQLite test after a PostgreSQL one, switching `backend` back costs nothing."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._stack = ExitStack()
        self._engines: dict[str, tuple[str, Engine]] = {}

    def get(self, backend: str) -> tuple[str, Engine]:
        if backend not in self._engines:
            url = self._stack.enter_context(_new_database(backend, self._directory))
            engine = make_engine(url)
            if engine.dialect.name == "sqlite":
                _sqlite_savepoint_support(engine)
            self._stack.callback(engine.dispose)
            self._engines[backend] = (url, engine)
        return self._engines[backend]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def _shared_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_SharedDatabases]:
    shared = _SharedDatabases(tmp_path_factory.mktemp("db"))
    yield shared
    shared.close()


@pytest.fixture(scope="session")
def database_url(backend: str, _shared_databases: _SharedDatabases) -> str:
    """A migrated database per backend, shared by the session (tests roll back)."""
    return _shared_databases.get(backend)[0]


@pytest.fixture
def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database of this test's own, for code that commits for real (CLI, servers)."""
    with _new_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for migration tests."""
    with _new_database(backend, tmp_path, migrate=False) as url:
        yield url


@pytest.fixture(scope="session")
def engine(backend: str, _shared_databases: _SharedDatabases) -> Engine:
    return _shared_databases.get(backend)[1]


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # "create_savepoint": a commit by the app releases a savepoint instead of ending the
    # outer transaction, so everything still rolls back at the end of the test.
    return sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as sess:
        yield sess


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-" + "x" * 32,
        login_max_failures_per_account=3,
        login_max_failures_per_address=6,
        load_content_on_start=False,
        _env_file=None,
    )


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[FastAPI]:
    application = create_app(settings)
    application.state.sessionmaker = session_factory
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"


@pytest.fixture(scope="session")
def demo_library() -> loader.Library:
    """The demo content, parsed and rendered once for the whole run (it is pure)."""
    return loader.load_library(CONTENT_DIR)


@pytest.fixture
def demo_content(session: Session, demo_library: loader.Library) -> store.ImportReport:
    """The demo courses published in this test's database."""
    report = store.import_library(session, CONTENT_DIR, library=demo_library)
    session.commit()
    return report


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the demo content folder."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def xdist_scope(nodeid: str) -> str:
    """The unit of work `make test` hands to one pytest-xdist worker: every browser test (one
    live server and one Chromium for all of them), else a test module on one backend (its
    module-scoped fixtures, a server or a generated data set, are then made once)."""
    if nodeid.startswith("tests/e2e/"):
        return "tests/e2e"
    module, _, test = nodeid.partition("::")
    params = test.partition("[")[2].rstrip("]").split("-")
    return f"{module}[{params[0]}]" if params[0] in BACKENDS else module


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """`--dist loadscope` with the scopes of xdist_scope (pytest-xdist's own xdist_group marker
    is not honoured with this pytest: it renames a node id pytest no longer reads)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    class ModuleAndBackendScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return ModuleAndBackendScheduling(config, log)
