"""HR's list of completions made unusually fast, across courses, for one year (WITA).

HR and admins only. The definition is `app/reports/pace.is_unusually_fast`; the trainer's
course report shows the same rows for one course.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app import clock
from app.db import SessionDep
from app.reports import pace
from app.reports.trainer_report_routes import number, percent
from app.web.deps import HRUser
from app.web.templating import render

router = APIRouter(prefix="/laporan")
FIRST_YEAR = 2020


@router.get("/terlalu-cepat", name="fast_completions")
def fast_completions_page(
    request: Request,
    session: SessionDep,
    user: HRUser,
    tahun: Annotated[int | None, Query(ge=FIRST_YEAR, le=2100)] = None,
) -> Response:
    year = tahun or clock.today().year
    since, until = clock.year_bounds(year)
    rows = pace.fast_completions(session, since=since, until=until)
    return render(
        request,
        "reports/fast_completions.html",
        {
            "rows": rows,
            "year": year,
            "first_year": FIRST_YEAR,
            "last_year": clock.today().year,
            "limit": pace.MAX_ROWS,
            "share": pace.FAST_SHARE,
            "show_course": True,
            "number": number,
            "percent": percent,
            "duration": pace.duration_text,
            "duration_seconds": pace.seconds_text,
        },
    )
