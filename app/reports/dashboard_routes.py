"""HR's report pages: JP compliance per ASN and per unit kerja (with its export), and the
dashboard of completion rates, weekly activity and overdue mandatory training."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from babel.dates import format_date
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock, i18n
from app.accounts.models import Unit
from app.audit import service as audit
from app.content.catalog import Catalog
from app.content.routes import Cache
from app.db import SessionDep
from app.errors import AppError
from app.i18n import gettext as _
from app.reports import compliance, dashboard, exports, svg
from app.reports.compliance import ComplianceFilters
from app.reports.figures_cache import FiguresCache
from app.web.deps import HRUser
from app.web.templating import render

router = APIRouter()
MIN_YEAR = compliance.MIN_YEAR
CHART_ROWS = 20  # bars per chart; the table under it lists every row

Text = Annotated[str, Query(max_length=20)]


def _digits(value: str) -> bool:
    # isdigit() alone admits "²" and other Unicode digits that int() then refuses.
    return value.isascii() and value.isdigit()


class BadReportInput(AppError):
    """A report filter HR typed or edited wrongly; the message says which and how to fix it."""

    status_code = 400


# --- reading filters ----------------------------------------------------------------------------


def parse_year(raw: str, today: date) -> int | None:
    """?tahun=: None when empty, else a year from 2000 to next year."""
    value = raw.strip()
    if not value:
        return None
    last = today.year + 1
    if not _digits(value):
        raise BadReportInput(
            _("Tahun '{value}' bukan angka. Tulis tahun dengan empat angka, misalnya {year}.")
            .format(value=value, year=today.year)
        )  # fmt: skip
    year = int(value)
    if not MIN_YEAR <= year <= last:
        raise BadReportInput(
            _("Tahun {value} di luar jangkauan laporan: pilih tahun {first} sampai {last}.")
            .format(value=value, first=MIN_YEAR, last=last)
        )  # fmt: skip
    return year


def parse_unit(raw: str, exists: Callable[[int], bool]) -> int | None:
    """?unit=: None when empty, else the id of a unit kerja for which `exists` is true."""
    value = raw.strip()
    if not value:
        return None
    if not _digits(value) or len(value) > 9 or not exists(int(value)):
        raise BadReportInput(
            _("Unit kerja '{value}' tidak dikenal. Pilih unit kerja dari daftar.")
            .format(value=value)
        )  # fmt: skip
    return int(value)


def parse_page(raw: str) -> int:
    """?halaman=: 1 when empty, else a whole number of at least 1."""
    value = raw.strip()
    if not value:
        return 1
    if not _digits(value) or len(value) > 6 or int(value) < 1:
        raise BadReportInput(
            _("Halaman '{value}' tidak ada. Nomor halaman adalah bilangan bulat mulai dari 1.")
            .format(value=value)
        )  # fmt: skip
    return int(value)


def parse_below_only(raw: str) -> bool:
    """?kurang=: 1 lists only the people below target; empty or 0 lists everyone."""
    value = raw.strip()
    if value not in ("", "0", "1"):
        raise BadReportInput(
            _("Saringan 'kurang' hanya boleh 1 (hanya yang belum mencapai target) atau kosong.")
        )
    return value == "1"


def _filters(
    tahun: str, unit: str, kurang: str, today: date, unit_exists: Callable[[int], bool]
) -> ComplianceFilters:
    return ComplianceFilters(
        year=parse_year(tahun, today) or today.year,
        unit_id=parse_unit(unit, unit_exists),
        below_only=parse_below_only(kurang),
    )


def _params(filters: ComplianceFilters) -> dict[str, str]:
    """The filters as query parameters, for page and download links."""
    params = {"tahun": str(filters.year)}
    if filters.unit_id is not None:
        params["unit"] = str(filters.unit_id)
    if filters.below_only:
        params["kurang"] = "1"
    return params


def _formats() -> dict[str, Any]:
    """Number formatters in the reader's language, for templates."""
    locale = i18n.get_locale()
    return {
        "pct": lambda ratio: svg.percent(ratio, locale),
        "num": lambda value: svg.decimal(value, locale),
    }


# --- JP compliance ------------------------------------------------------------------------------


@router.get("/laporan/jp", name="jp_compliance")
def jp_compliance(
    request: Request,
    session: SessionDep,
    user: HRUser,
    tahun: Text = "",
    unit: Text = "",
    kurang: Text = "",
    halaman: Text = "",
) -> Response:
    """Every active ASN's JP for a year against the target, with a per-unit summary."""
    today = clock.today()
    target: int = request.app.state.settings.jp_target
    units = session.scalars(select(Unit).order_by(Unit.name)).all()
    known = {u.id for u in units}
    filters = _filters(tahun, unit, kurang, today, known.__contains__)
    page = parse_page(halaman)
    summary = compliance.unit_summary(session, filters.year, target=target)
    matching = compliance.matching_count(summary, filters)
    size = compliance.PAGE_SIZE
    pages = max(1, -(-matching // size))
    people = (
        compliance.people_page(
            session,
            filters,
            target=target,
            allotment=request.app.state.settings.jp_allotment_pppk,
            page=page,
            page_size=size,
        )
        if matching and page <= pages
        else []
    )
    return render(
        request,
        "reports/compliance.html",
        {
            "filters": filters,
            "params": _params(filters),
            "target": target,
            "units": units,
            "summary": summary,
            "city": compliance.city_totals(summary),
            "people": people,
            "matching": matching,
            "page": page,
            "pages": pages,
            "page_size": size,
            "last_year": today.year + 1,
            "first_year": MIN_YEAR,
            **_formats(),
        },
    )


@router.get("/laporan/jp/unduh", name="jp_compliance_download")
def jp_compliance_download(
    request: Request,
    session: SessionDep,
    user: HRUser,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
    pemisah: Annotated[Literal["koma", "titik-koma"], Query()] = "titik-koma",
    bom: Annotated[bool, Query()] = True,
    tahun: Text = "",
    unit: Text = "",
    kurang: Text = "",
) -> Response:
    """The compliance list as CSV (`;` and a BOM for Indonesian Excel by default) or XLSX."""
    today = clock.today()
    filters = _filters(
        tahun, unit, kurang, today, lambda unit_id: session.get(Unit, unit_id) is not None
    )
    audit.record(
        session,
        "export.jp_compliance",
        actor_id=user.id,
        format=format,
        filters=filters.describe(),
    )
    # The response streams after this request's session has committed and closed, so the
    # rows are read in a session of their own.
    factory = request.app.state.sessionmaker

    @contextmanager
    def open_session() -> Iterator[Session]:
        with factory() as export_session:
            yield export_session

    body = compliance.export_chunks(
        open_session,
        filters,
        target=request.app.state.settings.jp_target,
        allotment=request.app.state.settings.jp_allotment_pppk,
        fmt=format,
        delimiter=";" if pemisah == "titik-koma" else ",",
        bom=bom,
    )
    media = "text/csv; charset=utf-8" if format == "csv" else exports.XLSX_TYPE
    name = f"capaian-jp-{filters.year}-{today.isoformat()}.{format}"
    return StreamingResponse(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


# --- the dashboard ------------------------------------------------------------------------------


def _rate_bars(rates: Sequence[dashboard.Rate], locale: str) -> list[svg.Bar]:
    return [
        svg.Bar(
            label=rate.label or _("Tanpa unit kerja"),
            ratio=rate.ratio,
            value_text=svg.percent(rate.ratio, locale),
        )
        for rate in rates[:CHART_ROWS]
    ]


def _week_columns(weeks: Sequence[dashboard.WeekActivity], locale: str) -> list[svg.Column]:
    """Each Monday's day under its column; the month only where it changes, so twelve
    labels stay apart on a phone."""
    columns = []
    for index, week in enumerate(weeks):
        new_month = index == 0 or week.start.month != weeks[index - 1].start.month
        columns.append(
            svg.Column(
                label=format_date(week.start, "d", locale=locale),
                sublabel=format_date(week.start, "MMM", locale=locale) if new_month else "",
                value=week.learners,
            )
        )
    return columns


@dataclass(frozen=True)
class DashboardFigures:
    by_unit: list[dashboard.Rate]
    by_course: list[dashboard.Rate]
    weeks: list[dashboard.WeekActivity]
    overdue_units: list[dashboard.UnitCount]
    oldest: list[dashboard.OverdueAssignment]


def _figures(session: Session, catalog: Catalog, year: int | None, today: date) -> DashboardFigures:
    return DashboardFigures(
        by_unit=dashboard.completion_by_unit(session, year),
        by_course=dashboard.completion_by_course(session, catalog, year),
        weeks=dashboard.weekly_active_learners(session, today),
        overdue_units=dashboard.overdue_by_unit(session, today),
        oldest=dashboard.oldest_overdue(session, today, catalog),
    )


@router.get("/laporan/dasbor", name="hr_dashboard")
def hr_dashboard(
    request: Request,
    session: SessionDep,
    user: HRUser,
    cache: Cache,
    tahun: Text = "",
    segarkan: Text = "",
) -> Response:
    """Completion rates by unit and course, weekly active learners, overdue assignments.

    The figures are cached per process for LENTERA_REPORT_CACHE_SECONDS (see
    `figures_cache`); `?segarkan=1` recomputes them now.
    """
    today = clock.today()
    year = parse_year(tahun, today)
    catalog = cache.catalog(session)
    figures_cache: FiguresCache = request.app.state.dashboard_figures
    cached = figures_cache.figures(
        (year, today, catalog.generation),
        lambda db: _figures(db, catalog, year, today),
        session=session,
        factory=request.app.state.sessionmaker,
        fresh=segarkan == "1",
    )
    figures = cached.value
    by_unit, by_course, weeks = figures.by_unit, figures.by_course, figures.weeks
    overdue_units, oldest = figures.overdue_units, figures.oldest
    locale = i18n.get_locale()
    empty = _("Belum ada data.")
    charts = {
        "unit": svg.bar_chart(
            "grafik-unit",
            _("Persentase pendaftaran yang selesai per unit kerja"),
            _rate_bars(by_unit, locale),
            empty_text=empty,
        ),
        "course": svg.bar_chart(
            "grafik-kursus",
            _("Persentase pendaftaran yang selesai per kursus"),
            _rate_bars(by_course, locale),
            empty_text=empty,
        ),
        "weeks": svg.column_chart(
            "grafik-mingguan",
            _("Peserta aktif per minggu, {n} minggu terakhir").format(n=len(weeks)),
            _week_columns(weeks, locale),
            empty_text=empty,
        ),
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "year": year,
            "last_year": today.year + 1,
            "first_year": MIN_YEAR,
            "today": today,
            "by_unit": by_unit,
            "by_course": by_course,
            "weeks": weeks,
            "overdue_units": overdue_units,
            "overdue_total": sum(c.count for c in overdue_units),
            "oldest": oldest,
            "charts": charts,
            "chart_rows": CHART_ROWS,
            "computed_at": cached.computed_at,
            "cache_minutes": figures_cache.ttl_minutes,
            **_formats(),
        },
    )
