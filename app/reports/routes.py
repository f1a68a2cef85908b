"""HR's report pages: the completion records export (CSV, XLSX, SIASN layout)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Unit
from app.audit import service as audit
from app.content.routes import Cache
from app.db import SessionDep
from app.i18n import gettext as _
from app.reports import exports, filters
from app.web.deps import HRUser
from app.web.templating import render

router = APIRouter(prefix="/laporan")


def _status_choices() -> dict[str, str]:
    """The status filter's options in the reader's language (exports keep Indonesian)."""
    return {
        "selesai": _("Selesai"),
        "berjalan": _("Sedang berjalan"),
        "lewat_tenggat": _("Lewat tenggat"),
    }


def _form(request: Request, session: Session, cache: Cache, **extra: object) -> Response:
    context = {
        "units": session.scalars(select(Unit).order_by(Unit.name)).all(),
        "courses": sorted(cache.catalog(session).by_code.values(), key=lambda c: c.title),
        "statuses": _status_choices(),
        **extra,
    }
    status = 400 if "error" in extra else 200
    return render(request, "reports/export.html", context, status_code=status)


@router.get("/ekspor", name="export_form")
def export_form(request: Request, session: SessionDep, user: HRUser, cache: Cache) -> Response:
    return _form(request, session, cache, values=filters.RawFilters())


@router.get("/ekspor/unduh", name="export_download")
def export_download(
    request: Request,
    session: SessionDep,
    user: HRUser,
    cache: Cache,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
    tata_letak: Annotated[Literal["lentera", "siasn"], Query()] = "lentera",
    pemisah: Annotated[Literal["koma", "titik-koma"], Query()] = "titik-koma",
    bom: Annotated[bool, Query()] = True,
    dari: Annotated[str, Query(max_length=20)] = "",
    sampai: Annotated[str, Query(max_length=20)] = "",
    unit: Annotated[str, Query(max_length=12)] = "",
    kursus: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    raw = filters.RawFilters(dari, sampai, unit, kursus, status)
    try:
        parsed = filters.parse(raw)
    except filters.FilterError as exc:
        return _form(request, session, cache, values=raw, error=str(exc))
    audit.record(
        session,
        "export.completions",
        actor_id=user.id,
        layout=tata_letak,
        format=format,
        filters=parsed.describe(),
    )
    factory = request.app.state.sessionmaker

    @contextmanager
    def open_session() -> Iterator[Session]:
        with factory() as export_session:
            yield export_session

    settings = request.app.state.settings
    body = exports.stream_export(
        open_session,
        layout=tata_letak,
        fmt=format,
        filters=parsed,
        issuer=settings.issuer_name,
        delimiter=";" if pemisah == "titik-koma" else ",",
        bom=bom,
    )
    media = "text/csv; charset=utf-8" if format == "csv" else exports.XLSX_TYPE
    name = exports.file_name(tata_letak, format, clock.today())
    return StreamingResponse(
        body,
        media_type=media,
        # Every ASN's NIP and results: never kept by the browser or a shared proxy.
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
