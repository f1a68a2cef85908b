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
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

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


def describe_database(url: str) -> str:
    """The database as an operator should see it: no password, SQLite files as absolute paths."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        return f"{parsed.drivername}:///{Path(parsed.database).resolve()}"
    return parsed.render_as_string(hide_password=True)


def schema_problem(url: str, *, older_is_fine: bool = False) -> str | None:
    """Why a command cannot use the database at `url` (None when it is at the migrations' head,
    or with `older_is_fine` at any revision this Lentera knows).

    Never creates anything: a missing SQLite file is reported, not made (a command run from
    the wrong directory used to leave an empty ./var/lentera.db behind).
    """
    where = describe_database(url)
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.is_file():
            hint = (
                ""
                if path.is_absolute()
                else " The path is relative to the working directory: run Lentera from the "
                "directory that holds var/, or set LENTERA_DATABASE_URL."
            )
            return (
                "the database is not migrated: run `lentera migrate` (looked for "
                f"{path.resolve()}: no such file; nothing was created).{hint}"
            )
    from app.db import make_engine

    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:
        first_line = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
        return f"cannot connect to the database {where}: {first_line}"
    finally:
        engine.dispose()
    heads = head_revisions()
    if not current:
        return f"the database is not migrated: run `lentera migrate` (database: {where}, no schema)"
    if current - _known_revisions():
        return (
            f"the database {where} is at revision {', '.join(sorted(current))}, which this "
            "version of Lentera does not know: it was migrated by a newer Lentera, or it is "
            "another application's database. Check LENTERA_DATABASE_URL."
        )
    if current != heads and not older_is_fine:
        return (
            "the database is not migrated: run `lentera migrate` (database: "
            f"{where}, at revision {', '.join(sorted(current))}; this Lentera needs "
            f"{', '.join(sorted(heads))})"
        )
    return None


@cache
def _known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


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
