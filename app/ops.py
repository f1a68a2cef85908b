"""Operational endpoints: liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

router = APIRouter()


def _project_root() -> Path:
    # From a checkout (or editable install) the migrations sit beside the package; in the
    # container the package is installed into site-packages and they sit in the working dir.
    for candidate in (Path(__file__).resolve().parent.parent, Path.cwd()):
        if (candidate / "alembic.ini").exists():
            return candidate
    raise RuntimeError("alembic.ini not found beside the app package or in the working directory")


PROJECT_ROOT = _project_root()


def alembic_config(database_url: str | None = None) -> Config:
    """Alembic's configuration, pointing at the project's migrations folder."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


@cache
def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def database_status(engine: Engine) -> tuple[bool, str]:
    """(ready, reason): the database answers and its schema is at the migrations' head."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:
        return False, f"database unreachable: {type(exc).__name__}"
    if current != head_revisions():
        return False, f"migrations not at head (database: {sorted(current) or 'empty'})"
    return True, "ok"


@router.get("/healthz", include_in_schema=False)
def healthz() -> JSONResponse:
    """The process is up and serving."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> JSONResponse:
    """Ready for traffic: the database is reachable and migrated to head."""
    ready, reason = database_status(request.app.state.engine)
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "detail": reason},
        status_code=200 if ready else 503,
    )
