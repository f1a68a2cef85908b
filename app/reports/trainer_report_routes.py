"""The trainer's course report: how a course works, so the next programme improves.

Who may read it: the course's owners (as on every other trainer page), HR and admins (BKPSDM
reads every course's evaluation to plan the next year's programme). Anyone else, including a
trainer of another course, gets 403; an unknown code 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.accounts.models import Role
from app.accounts.viewer import Viewer
from app.content.models import Course, CourseTrainer
from app.db import SessionDep
from app.errors import Forbidden, NotFound
from app.evaluation import observation_schemas, observation_summary
from app.evaluation import service as evaluation_service
from app.i18n import gettext as _
from app.reports import course_report, item_analysis, pace
from app.reports.figures_cache import FiguresCache
from app.web.deps import CurrentUser
from app.web.templating import render

router = APIRouter()


def _manages(session: Session, user: Viewer, course: Course) -> bool:
    """The user may manage the course on the trainer pages (admin, or one of its trainers)."""
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.TRAINER) and (
        session.get(CourseTrainer, (course.id, user.id)) is not None
    )


def reported_course(code: str, session: SessionDep, user: CurrentUser) -> Course:
    """The course whose report the user may read (lookup-or-404, then 403)."""
    course = session.scalar(select(Course).where(Course.code == code))
    if course is None:
        raise NotFound(_("Kursus {code} tidak ditemukan.").format(code=code))
    if not (user.has_role(Role.HR) or _manages(session, user, course)):
        if user.has_role(Role.TRAINER):
            raise Forbidden(_("Anda bukan pengajar pengelola kursus ini."))
        raise Forbidden()
    return course


ReportedCourse = Annotated[Course, Depends(reported_course)]


def _rounded(value: float, places: int) -> Decimal:
    # Half up, as people round by hand (Babel's default is half-even: 4,25 would show 4,2);
    # through repr so 0.845 stays 0.845 instead of its binary neighbour.
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value: float | None, places: int = 1) -> str:
    """A number as the reader writes it: 4,3 in Indonesian; '–' when there is none."""
    if value is None:
        return "–"
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(_rounded(value, places), pattern, locale=i18n.get_locale())


def signed(value: float | None, places: int = 1) -> str:
    """A change with its sign: +12,5 or -3,0."""
    if value is None:
        return "–"
    text = number(abs(value), places)
    return ("+" if _rounded(value, places) >= 0 else "-") + text


def percent(ratio: float | None, places: int = 0) -> str:
    """A 0..1 ratio as a percentage: 46% ('–' when there is none)."""
    if ratio is None:
        return "–"
    pattern = "#,##0." + "0" * places + "%" if places else "#,##0%"
    return format_percent(_rounded(ratio, places + 2), pattern, locale=i18n.get_locale())


def _month(settings_zone: str) -> Callable[[datetime], str]:
    zone = ZoneInfo(settings_zone)

    def month(moment: datetime) -> str:
        """The month and year of a moment, in WITA: Maret 2027."""
        return format_date(moment.astimezone(zone).date(), "MMMM y", locale=i18n.get_locale())

    return month


@router.get("/pengajar/kursus/{code}/laporan", name="course_report")
def course_report_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    course: ReportedCourse,
    segarkan: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    # Item analysis grades every attempt again (seconds for tens of thousands): the figures
    # are kept per process for LENTERA_REPORT_CACHE_SECONDS, per course and published version.
    reports: FiguresCache = request.app.state.course_reports
    course_id = course.id

    def build(db: Session) -> course_report.CourseReport:
        # The course as `db` knows it: the request's own object, or loaded again in the
        # background refresh's session.
        again = db.get(Course, course_id)
        assert again is not None  # courses are archived, never deleted
        return course_report.build_course_report(db, again)

    cached = reports.figures(
        ("course", course.id, course.current_version_id),
        build,
        session=session,
        factory=request.app.state.sessionmaker,
        fresh=segarkan == "1",
    )
    report = cached.value
    # Observations and interviews are read fresh (four small grouped queries): an observer
    # who just saved one expects to see it counted. Names of interviewees and interviewers
    # only for HR and admins; the course's trainers read the notes anonymously, like comments.
    version = course.current_version
    observed = observation_summary.observation_summary(
        session,
        course.id,
        (version.observed_behaviours or []) if version else [],
        with_names=user.has_role(Role.HR, Role.ADMIN),
    )
    return render(
        request,
        "reports/course_report.html",
        {
            "report": report,
            "course": course,
            "observed": observed,
            "observation_levels": observation_schemas.level_labels(),
            "interviewees": observation_schemas.interviewee_labels(),
            "long_date": evaluation_service.long_date,
            # HR reads the report without the trainer pages: its links lead to HR's overview.
            "manages": _manages(session, user, course),
            "number": number,
            "signed": signed,
            "percent": percent,
            "month": _month(request.app.state.settings.timezone),
            "computed_at": cached.computed_at,
            "fast_share": pace.FAST_SHARE,
            "duration": pace.duration_text,
            "duration_seconds": pace.seconds_text,
            "cache_minutes": reports.ttl_minutes,
            "limits": {
                "reaction_good": course_report.REACTION_GOOD,
                "reaction_fair": course_report.REACTION_FAIR,
                "gain_high": course_report.GAIN_HIGH,
                "gain_medium": course_report.GAIN_MEDIUM,
                "applied_good": course_report.APPLIED_GOOD,
                "applied_fair": course_report.APPLIED_FAIR,
                "too_hard": item_analysis.TOO_HARD_BELOW,
                "too_easy": item_analysis.TOO_EASY_ABOVE,
                "low_d": item_analysis.LOW_DISCRIMINATION_BELOW,
                "few": item_analysis.FEW_ATTEMPTS,
                "group": item_analysis.GROUP_SHARE,
            },
        },
    )
