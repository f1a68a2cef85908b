"""Real-browser fixtures: one live Lentera server and one headless Chromium for this package.

Package-scoped, not session-scoped: they are stopped once the browser tests are done, because
Playwright's sync API keeps an asyncio loop running in the main thread while it is open, and
any later test that calls asyncio.run (certificate signing with pyHanko) would fail.

The server is Uvicorn in a subprocess on a free loopback port, on a fresh migrated SQLite
database with demo mode on, the demo content imported at start-up and the demo accounts
created (tests/e2e/live_server.py). Tests drive Debian's Chromium through Playwright, as a
Pixel 5 (the cheap-Android-phone case Lentera is built for), and check what the server stored
by reading the same SQLite file.

Without Playwright or /usr/bin/chromium the whole folder is skipped locally, with the reason;
in CI (CI=true) it fails instead, so a missing install step cannot pass as green.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import Role, User
from app.db import make_engine
from tests.e2e.flows import NewLearner
from tests.e2e.live_server import (
    ARTIFACTS_DIR,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO_ROOT,
    LiveServer,
    run_lentera,
)
from tests.e2e.pages import Site, prepare_site
from tests.factories import DEFAULT_PASSWORD, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ARTIFACTS_DIR / "e2e"
INSTALL_HINT = (
    "install them with `apt-get install chromium` and "
    "`PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 .venv/bin/pip install -e '.[dev]'`"
)


def skip_or_fail(problem: str) -> None:
    """A missing tool skips locally (with the reason) but fails in CI."""
    if IN_CI:
        pytest.fail(f"CI must run the browser tests: {problem}", pytrace=False)
    pytest.skip(f"browser tests skipped: {problem}")


def _missing_browser_tools() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return f"Playwright for Python is not installed; {INSTALL_HINT}"
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} (Debian's chromium package) is missing; {INSTALL_HINT}"
    return None


@pytest.fixture(scope="package", autouse=True)
def _browser_tools() -> None:
    """Skip the browser tests (fail them in CI) when Playwright or Chromium is missing."""
    problem = _missing_browser_tools()
    if problem is not None:
        skip_or_fail(problem)


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Lentera serving demo content and demo accounts on 127.0.0.1:<free port>."""
    with run_lentera(tmp_path_factory.mktemp("lentera-e2e")) as server:
        yield server


@pytest.fixture(scope="package")
def db_engine(live_server: LiveServer) -> Iterator[Engine]:
    engine = make_engine(live_server.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(db_engine: Engine) -> Iterator[Session]:
    """A session on the live server's database, to check what the browser's actions stored."""
    with sessionmaker(bind=db_engine, expire_on_commit=False)() as session:
        yield session


@pytest.fixture
def new_learner(db: Session) -> NewLearner:
    """Create a learner of this test's own (so tests never share progress); returns (user, pw)."""

    def _make(**overrides: Any) -> tuple[User, str]:
        roles = overrides.pop("roles", {Role.LEARNER})
        user = make_user(db, roles=roles, **overrides)
        return user, DEFAULT_PASSWORD

    return _make


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def phone(playwright_driver: Playwright) -> dict[str, Any]:
    """Playwright's Pixel 5 profile (viewport, touch, user agent), usable with any browser."""
    device = dict(playwright_driver.devices["Pixel 5"])
    device.pop("default_browser_type", None)
    return device


@pytest.fixture
def new_context(
    browser: Browser, phone: dict[str, Any], live_server: LiveServer
) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts as a Pixel 5 on the live server; all closed after the test."""
    contexts: list[BrowserContext] = []

    def _open(**options: Any) -> BrowserContext:
        context = browser.new_context(
            **{**phone, "base_url": live_server.base_url, "locale": "id-ID", **options}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh Pixel 5 context with JavaScript on."""
    return new_context().new_page()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """Keep a full-page screenshot under test-artifacts/e2e/<test>--<name>.png."""
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def _shot(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{test}--{name}.png"
        page.screenshot(path=str(path), full_page=True, scale="css")
        return path

    return _shot


@pytest.fixture(scope="package")
def axe_script() -> Path:
    """axe-core, installed by `npm ci` from the repo's package.json."""
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"{AXE_SCRIPT} is missing; run `npm ci` at the repository root")
    return AXE_SCRIPT


@pytest.fixture(scope="package")
def site(live_server: LiveServer, db_engine: Engine) -> Site:
    """Accounts of every role and a learner in a state that shows every page type."""
    with sessionmaker(bind=db_engine, expire_on_commit=False)() as session:
        return prepare_site(live_server, session)


@pytest.fixture(scope="module")
def pages_by_role(
    browser: Browser, phone: dict[str, Any], live_server: LiveServer, site: Site
) -> Iterator[Callable[..., Page]]:
    """One phone page per role, logged in, shared by a module's tests that only visit pages
    (a fresh context per visit costs more than the check itself)."""
    opened: dict[tuple[str, str], Page] = {}

    def _page(role: str, **options: Any) -> Page:
        key = (role, repr(sorted(options.items())))  # repr: options may hold a viewport dict
        if key not in opened:
            context = browser.new_context(
                **{**phone, "base_url": live_server.base_url, "locale": "id-ID", **options}
            )
            context.set_default_timeout(10_000)
            cookies = site.cookies[role]
            if cookies:
                url = live_server.base_url
                context.add_cookies(
                    [{"name": k, "value": v, "url": url} for k, v in cookies.items()]
                )
            opened[key] = context.new_page()
        return opened[key]

    yield _page
    for page in opened.values():
        page.context.close()
