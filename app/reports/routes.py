"""HR's report pages: the completion records export (CSV, XLSX, SIASN layout, SIASN ZIP)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
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
from app.reports import (
    completions,
    completions_csv,
    exports,
    filters,
    siasn,
    siasn_batches,
    siasn_zip,
)
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


def _last_siasn_export(session: Session) -> str | None:
    moment = siasn_batches.last_export_at(session)
    return clock.local(moment).strftime("%d-%m-%Y %H.%M") if moment else None


def _form(request: Request, session: Session, cache: Cache, **extra: object) -> Response:
    context = {
        "units": session.scalars(select(Unit).order_by(Unit.name)).all(),
        "courses": sorted(cache.catalog(session).by_code.values(), key=lambda c: c.title),
        "statuses": _status_choices(),
        "last_siasn_export": _last_siasn_export(session),
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
    nip: Annotated[str, Query(max_length=40)] = "",
    jenis: Annotated[str, Query(max_length=8)] = "",
    lampiran: Annotated[bool, Query()] = False,
    perubahan: Annotated[bool, Query()] = False,
) -> Response:
    raw = filters.RawFilters(dari, sampai, unit, kursus, status, nip=nip, jenis=jenis)
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
    settings = request.app.state.settings
    if tata_letak == "siasn":
        return _siasn_download(
            session, user.id, parsed, siasn.Options.from_settings(settings),
            fmt=format, with_pdfs=lampiran, changes_only=perubahan,
            delimiter=";" if pemisah == "titik-koma" else ",", bom=bom,
        )  # fmt: skip
    factory = request.app.state.sessionmaker

    @contextmanager
    def open_session() -> Iterator[Session]:
        with factory() as export_session:
            yield export_session

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


class _Counter:
    """Rows passed through, counted."""

    def __init__(self, rows: Iterator[Sequence[object]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[Sequence[object]]:
        for row in self.rows:
            self.count += 1
            yield row


def _siasn_download(
    session: Session,
    actor_id: int,
    parsed: completions.ExportFilters,
    options: siasn.Options,
    *,
    fmt: exports.Format,
    with_pdfs: bool,
    changes_only: bool,
    delimiter: str,
    bom: bool,
) -> Response:
    """The SIASN layout (or its ZIP with the certificates), recorded as an export batch."""
    if changes_only:
        parsed = replace(parsed, since=siasn_batches.last_export_at(session))
    today = clock.today()
    data_name = exports.file_name("siasn", fmt, today)
    kind = f"zip-{fmt}" if with_pdfs else fmt
    if with_pdfs:
        path, count = siasn_zip.build(
            session, parsed, options, fmt=fmt, data_name=data_name, delimiter=delimiter, bom=bom
        )
        body: Iterator[bytes] = siasn_zip.file_chunks(path)
        media, name = "application/zip", data_name.rsplit(".", 1)[0] + ".zip"
    else:
        # Read now, in the request's session (closed once the response starts), so the
        # recorded batch and the file agree. SIASN files are completed rows only, and with
        # "changes since" a few hundred: the CSV is held, the XLSX written to disk.
        if fmt == "csv":
            count = completions.count_records(session, completions.siasn_filters(parsed))
            chunks = completions_csv.export_chunks(
                session, "siasn", parsed, options, delimiter=delimiter, bom=bom
            )
            body = iter(list(chunks))
        else:
            counter = _Counter(exports.rows_for(session, "siasn", parsed, options)[1])
            handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="lentera-siasn-")
            os.close(handle)
            try:
                exports.write_xlsx(siasn.COLUMNS, counter, path)
            except BaseException:
                os.unlink(path)
                raise
            body = siasn_zip.file_chunks(path)
            count = counter.count
        media = "text/csv; charset=utf-8" if fmt == "csv" else exports.XLSX_TYPE
        name = data_name
    siasn_batches.record_batch(
        session, actor_id=actor_id, via="web", fmt=kind, filters=parsed.describe(),
        row_count=count,
    )  # fmt: skip
    return StreamingResponse(
        body,
        media_type=media,
        # Every ASN's NIP and certificates: never kept by the browser or a shared proxy.
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
