"""The application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import errors, ops
from app.accounts import people_routes
from app.accounts import routes as account_routes
from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker
from app.observability import RequestContextMiddleware, configure_logging
from app.web import home
from app.web.csrf import CsrfCookieMiddleware

STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build Lentera for `settings` (tests may swap `app.state.sessionmaker` afterwards)."""
    settings = settings or get_settings()
    settings.check_production()
    configure_logging(settings.log_level)

    app = FastAPI(
        title="Lentera",
        summary="E-learning ASN Kota Palu",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.secret_key = settings.resolved_secret_key()
    app.state.engine = make_engine(settings.database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)

    errors.install(app)
    app.add_middleware(CsrfCookieMiddleware, secure=settings.cookie_secure)
    app.add_middleware(RequestContextMiddleware, default_locale=settings.default_locale)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(ops.router)
    app.include_router(account_routes.router)
    app.include_router(people_routes.router)
    app.include_router(home.router)
    return app
