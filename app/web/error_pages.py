"""One error path: every failure becomes {status}.html for pages and JSON under /api."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db import database_unavailable
from app.errors import AppError, NotAuthenticated
from app.i18n import gettext as _
from app.web.templating import render

log = logging.getLogger("lentera.errors")


def _default_message(status: int) -> str:
    messages = {
        400: _("Permintaan tidak dapat diproses."),
        401: _("Silakan masuk terlebih dahulu."),
        403: _("Anda tidak memiliki akses ke halaman ini."),
        404: _("Halaman yang Anda cari tidak ditemukan."),
        405: _("Cara akses ini tidak diizinkan untuk halaman ini."),
        413: _("Berkas atau isian terlalu besar."),
        422: _("Isian tidak valid."),
        429: _("Terlalu banyak percobaan. Coba lagi nanti."),
        500: _(
            "Terjadi kesalahan di server. Kesalahan ini sudah dicatat untuk tim kami; "
            "coba lagi sebentar lagi."
        ),
        503: _(
            "Lentera sedang tidak dapat menjangkau basis datanya. Isian yang baru Anda kirim "
            "belum tersimpan: coba lagi dalam beberapa saat."
        ),
    }
    return messages.get(status, messages[400] if status < 500 else messages[500])


def _is_api(request: Request) -> bool:
    """JSON errors for the API and for scripts posting JSON (the offline sync)."""
    return request.url.path.startswith("/api/") or request.headers.get(
        "content-type", ""
    ).startswith("application/json")


def render_error(request: Request, status: int, message: str | None = None) -> Response:
    """The error response for `request`: JSON for the API, the {status}.html page otherwise."""
    text = message or _default_message(status)
    if _is_api(request):
        return JSONResponse({"error": {"status": status, "message": text}}, status_code=status)
    template = f"errors/{status}.html" if status in (403, 404, 500, 503) else "errors/error.html"
    return render(request, template, {"status": status, "message": text}, status_code=status)


# Seconds a client is asked to wait after a 503: a PostgreSQL restart or a failover takes
# about this long, and the offline sync retries on its own.
RETRY_AFTER_SECONDS = 10


def database_unavailable_response(request: Request, exc: BaseException) -> Response:
    """503 while the database is out of reach or full: nothing was saved, try again later.

    The request's transaction was rolled back (or never began), so no write is half done and
    nothing was acknowledged; a short warning is logged instead of a traceback per request.
    """
    orig = getattr(exc, "orig", None) or exc
    first_line = (str(orig).strip().splitlines() or [""])[0]
    log.warning(
        "database unavailable",
        extra={
            "path": request.url.path,
            "method": request.method,
            "error": f"{type(orig).__name__}: {first_line}"[:300],
            "request_id": getattr(request.state, "request_id", None),
        },
    )
    response = render_error(request, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if _is_api(request):
            return render_error(request, 401, exc.message)
        target = request.url.path
        if request.url.query:
            target += f"?{request.url.query}"
        login = request.app.url_path_for("login_form")
        from urllib.parse import urlencode

        return RedirectResponse(f"{login}?{urlencode({'next': target})}", status_code=303)

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return render_error(request, exc.status_code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI turns any error while reading a body into a plain 400; when the cause was
        # one of ours (e.g. the body-size limit), answer with that instead.
        if isinstance(exc.__cause__, AppError):
            return render_error(request, exc.__cause__.status_code, exc.__cause__.message)
        detail: Any = exc.detail
        message = detail if isinstance(detail, str) and exc.status_code not in (404, 405) else None
        response = render_error(request, exc.status_code, message)
        if exc.status_code == 405:
            response.headers["Allow"] = allowed_methods(request)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse(
                {
                    "error": {
                        "status": 422,
                        "message": _("Isian tidak valid."),
                        "fields": jsonable_errors(exc),
                    }
                },
                status_code=422,
            )
        return render_error(
            request,
            400,
            _(
                "Isian formulir tidak lengkap, terlalu panjang, atau tidak sesuai. "
                "Kembali ke halaman sebelumnya, periksa isiannya, lalu kirim lagi."
            ),
        )

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> Response:
        # The database refused a value (a NUL byte, a number out of range): bad input, and
        # the transaction was rolled back, so nothing changed.
        log.warning("database refused input", extra={"path": request.url.path})
        return render_error(request, 400, _("Isian memuat nilai yang tidak dapat disimpan."))

    @app.exception_handler(SQLAlchemyError)
    async def _database_error(request: Request, exc: SQLAlchemyError) -> Response:
        if database_unavailable(exc):
            return database_unavailable_response(request, exc)
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Errors raised outside the routes (middleware, the session's commit) arrive here
        # only, so an unreachable database is recognised here as well.
        if database_unavailable(exc):
            return database_unavailable_response(request, exc)
        log.exception(
            "unhandled error",
            extra={
                "path": request.url.path,
                "method": request.method,
                "request_id": getattr(request.state, "request_id", None),
            },
        )
        return render_error(request, 500)


def allowed_methods(request: Request) -> str:
    """The `Allow` header of a 405: the methods of every route matching the path.

    Starlette names only the methods of the first route it matched, while one path often has
    a GET route and a POST route (and FastAPI nests included routers)."""
    from starlette.routing import Match

    methods: set[str] = set()
    pending: list[Any] = list(request.app.router.routes)
    while pending:
        route = pending.pop()
        nested = getattr(route, "original_router", None)
        if nested is not None:
            pending.extend(nested.routes)
            continue
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(request.scope)[0] != Match.NONE:
            methods.update(route_methods)
    return ", ".join(sorted(methods))


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Field errors without echoing the submitted values (they may be passwords)."""
    return [{"loc": list(err.get("loc", ())), "msg": err.get("msg", "")} for err in exc.errors()]
