"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from fastapi import APIRouter, FastAPI

from app import clock, home, ops
from app.accounts import auth, roster
from app.accounts import service as accounts_service
from app.accounts import web as accounts_web
from app.accounts.session_cache import SessionCache
from app.audit import web as audit_web
from app.classes import web as classes_web
from app.config import Settings, get_settings
from app.content import web as content_web
from app.content.catalog import ContentCache
from app.db import DatabaseGate, make_engine, make_sessionmaker
from app.evaluation import web as evaluation_web
from app.learning import certificate_issue, paths
from app.learning import web as learning_web
from app.metrics import Metrics
from app.metrics import router as metrics_router
from app.observability import configure_logging
from app.privacy import web as privacy_web
from app.reminders import web as reminders_web
from app.reports import api as report_api
from app.reports import web as reports_web
from app.reports.figures_cache import FiguresCache
from app.web import error_pages, pwa, templating
from app.web.assets import StaticAssets
from app.web.edge import EdgeMiddleware
from app.web.nul_guard import NulGuard

STATIC_DIR = Path(__file__).parent / "web" / "static"
log = logging.getLogger("lentera.startup")


def load_content(app: FastAPI) -> None:
    """Import content/ (courses, then learning path files) at start-up; a broken course, folder
    or path file never stops the server."""
    from app.content import store
    from app.db import session_scope

    settings = app.state.settings
    if not settings.content_dir.is_dir():
        log.warning("content folder not found", extra={"content_dir": str(settings.content_dir)})
        return
    from app.learning import path_reload

    try:
        with session_scope(app.state.sessionmaker) as session:
            report = store.import_library(session, settings.content_dir)
            paths_report = path_reload.reload_paths(
                session, settings.content_dir, today=clock.today()
            )
    except Exception:
        log.exception("content import failed; serving what was published before")
        return
    if paths_report.created or paths_report.updated or paths_report.released:
        log.info(
            "learning paths loaded from files",
            # Not "created": that name is the LogRecord's own, and logging refuses it.
            extra={
                "paths_created": paths_report.created,
                "paths_updated": paths_report.updated,
                "paths_released": paths_report.released,
            },
        )
    for problem in paths_report.problems:
        log.error("learning path file problem", extra={"problem": str(problem)})
    log.info(
        "content imported",
        extra={
            "published": report.published,
            "unchanged": len(report.unchanged),
            "broken": sorted(report.broken),
        },
    )
    for folder, problems in report.broken.items():
        log.error(
            "course left out", extra={"folder": folder, "problems": [str(p) for p in problems]}
        )
    for folder in report.held:
        log.warning(
            "course folder held: its live version was published from the web",
            extra={"folder": folder},
        )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    if app.state.settings.load_content_on_start:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(load_content, app)
    yield


def routers() -> list[APIRouter]:
    """Every router, in the order a request tries their routes.

    Each package lists its own routers (its web.py). A request goes to the first route whose
    path matches, so a path with a parameter must come after the fixed paths it would also
    match; the one case across packages is accounts' /pegawai/{nip}, registered last.
    """
    packages = (
        accounts_web,
        content_web,
        learning_web,
        classes_web,
        reports_web,
        audit_web,
        evaluation_web,
        privacy_web,
        reminders_web,
    )
    return [
        ops.router,
        metrics_router,
        *(router for package in packages for router in package.routers),
        pwa.router,
        home.router,
        *accounts_web.last_routers,
    ]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build Lentera for `settings` (tests may swap `app.state.sessionmaker` afterwards)."""
    settings = settings or get_settings()
    settings.check_production()
    configure_logging(settings.log_level)
    clock.configure(settings.timezone)
    # Learning paths follow the roster and HR's edits of one person (accounts imports no other
    # domain: see roster.py and accounts/service.py).
    roster.after_import(paths.sync_after_roster_import)
    accounts_service.after_person_change(paths.person_changed)

    app = FastAPI(
        title="Lentera",
        summary="E-learning ASN Kota Palu",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.openapi = partial(report_api.openapi_schema, app)  # type: ignore[method-assign]
    # Checking every template file's mtime on each render showed in production profiles
    # (os.stat per template per request); in development edits still show without restart.
    templating.templates.env.auto_reload = settings.env != "production"
    app.state.secret_key = settings.resolved_secret_key()
    # Certificates are issued where completions are recorded (quiz, module, offline sync):
    # they read the issuing unit, signatory and key configured here.
    certificate_issue.configure(settings)
    app.state.engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        wait_seconds=settings.db_wait_seconds,
    )
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    # Requests holding a session stay below the pool size (app.db.DatabaseGate).
    app.state.db_gate = DatabaseGate(settings.db_pool_size // 2, settings.db_wait_seconds)
    app.state.content = ContentCache(recheck_seconds=settings.content_recheck_seconds)
    app.state.session_cache = SessionCache(settings.session_recheck_seconds)
    app.state.dashboard_figures = FiguresCache(settings.report_cache_seconds)
    app.state.course_reports = FiguresCache(settings.report_cache_seconds)

    error_pages.install(app)
    metrics = Metrics(count_sessions=auth.active_session_count) if settings.metrics else None
    if metrics is not None:
        app.state.metrics = metrics
    app.add_middleware(
        EdgeMiddleware,
        default_locale=settings.default_locale,
        https=settings.cookie_secure,
        upload_limit=settings.max_upload_mb * 1024 * 1024,
        metrics=metrics,
    )
    app.state.static_dir = STATIC_DIR
    app.state.static = StaticAssets(STATIC_DIR)
    app.mount("/static", app.state.static, name="static")
    # The routers' own routes go straight into the app (not `include_router`): FastAPI (0.16x)
    # builds an included router's routes again for each app, lazily on its first requests, and
    # that cost ~0.3 s per app: a worker paid it once, the test suite (an app per test) paid it
    # for two thirds of its run time. Lentera's routers carry no prefix or dependency to add
    # at inclusion, so their routes serve as they are. tests/test_app_routes.py keeps it so.
    app.router.routes.insert(0, NulGuard())
    for router in routers():
        app.router.routes.extend(router.routes)
    return app
