"""HR's evaluation of every course and stand-alone class, per year and unit kerja, with
CSV/XLSX export.

BKPSDM reads it to plan next year's training; each row links to the course's full report.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from app import clock
from app.accounts.models import Unit
from app.audit import service as audit
from app.db import SessionDep
from app.reports import evaluation_overview, exports
from app.reports.dashboard_routes import parse_unit, parse_year
from app.reports.evaluation_overview import OverviewFilters
from app.reports.trainer_report_routes import number, percent, signed
from app.web.deps import HRUser
from app.web.templating import render

router = APIRouter()

Text = Annotated[str, Query(max_length=20)]


def _filters(session: SessionDep, tahun: str, unit: str) -> OverviewFilters:
    today = clock.today()
    return OverviewFilters(
        year=parse_year(tahun, today) or today.year,
        unit_id=parse_unit(unit, lambda unit_id: session.get(Unit, unit_id) is not None),
    )


@router.get("/laporan/evaluasi", name="evaluation_overview")
def evaluation_overview_page(
    request: Request, session: SessionDep, user: HRUser, tahun: Text = "", unit: Text = ""
) -> Response:
    filters = _filters(session, tahun, unit)
    this_year = clock.today().year
    params = {"tahun": str(filters.year)} | (
        {"unit": str(filters.unit_id)} if filters.unit_id is not None else {}
    )
    rows, classes = evaluation_overview.evaluations(session, filters)
    return render(
        request,
        "reports/evaluation_overview.html",
        {
            "rows": rows,
            "classes": classes,
            "filters": filters,
            "params": params,
            "units": session.scalars(select(Unit).order_by(Unit.name)).all(),
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "number": number,
            "signed": signed,
            "percent": percent,
        },
    )


@router.get("/laporan/evaluasi/unduh", name="evaluation_overview_download")
def evaluation_overview_download(
    request: Request,
    session: SessionDep,
    user: HRUser,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
    pemisah: Annotated[Literal["koma", "titik-koma"], Query()] = "titik-koma",
    bom: Annotated[bool, Query()] = True,
    tahun: Text = "",
    unit: Text = "",
) -> Response:
    """The all-courses evaluation as CSV (`;` and a BOM for Indonesian Excel) or XLSX."""
    filters = _filters(session, tahun, unit)
    # One row per course (tens, not thousands): computed here, in the request's session, and
    # streamed as it is encoded; cells are formula-neutralised by the shared writers.
    rows, classes = evaluation_overview.evaluations(session, filters)
    audit.record(
        session,
        "export.evaluation_overview",
        actor_id=user.id,
        format=format,
        filters=filters.describe(),
        courses=len(rows),
        classes=len(classes),
    )

    def body() -> Iterator[bytes]:
        yield from exports.file_chunks(
            evaluation_overview.COLUMNS,
            evaluation_overview.export_rows(rows, classes),
            format,
            delimiter=";" if pemisah == "titik-koma" else ",",
            bom=bom,
        )

    media = "text/csv; charset=utf-8" if format == "csv" else exports.XLSX_TYPE
    name = f"evaluasi-kursus-{filters.year}-{clock.today().isoformat()}.{format}"
    return StreamingResponse(
        body(),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
