"""Completions made unusually fast: JP credited for less study than the course plans.

The definition is `is_unusually_fast`, and only there: a completion is unusually fast when the
study period, from the first module opened to the completion (from the enrolment when no
module was ever recorded open), is shorter than `FAST_SHARE` (half) of the course's estimated
study time, the sum of its modules' `menit` (as published in the version completed). The rule
on marking modules (app/learning/study_time.py) already refuses marks below 30% of a module's
minutes; this flag looks at the whole course at half the estimate, so trainers and HR see who
went through at twice the planned pace or faster, and every completion made before that rule
existed that took minutes (or seconds). A flag is a prompt to look, never a revocation.

Each row also carries the time from enrolment and the time measured on modules (visits and
offline reading; 0 for progress recorded before time was measured).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Unit, User
from app.content.models import Course, CourseVersion
from app.i18n import gettext as _
from app.learning.models import Completion, Enrolment, ModuleProgress

FAST_SHARE = 0.5
MAX_ROWS = 500  # a page lists at most this many, most recent first


@dataclass(frozen=True)
class PaceRow:
    """One completion with its durations."""

    completion_id: int
    user_id: int
    nip: str
    full_name: str
    unit_name: str | None
    course_code: str
    course_title: str
    jp: int
    estimated_minutes: int
    enrolled_at: datetime | None
    first_opened_at: datetime | None
    completed_at: datetime
    module_seconds: int

    @property
    def from_enrolment(self) -> timedelta | None:
        """Enrolment to completion."""
        return self.completed_at - self.enrolled_at if self.enrolled_at else None

    @property
    def study_period(self) -> timedelta:
        """First module opened (else enrolment) to completion; never negative."""
        start = self.first_opened_at or self.enrolled_at or self.completed_at
        return max(self.completed_at - start, timedelta(0))


def is_unusually_fast(study_period: timedelta, estimated_minutes: int) -> bool:
    """Whether a study period is shorter than FAST_SHARE of the course's estimated minutes."""
    return study_period < timedelta(minutes=estimated_minutes * FAST_SHARE)


def fast_completions(
    session: Session,
    *,
    course_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[PaceRow]:
    """Unusually fast completions, most recent first, of one course or of all."""
    studied = (
        select(
            ModuleProgress.user_id,
            ModuleProgress.course_id,
            func.min(ModuleProgress.first_opened_at).label("first_opened_at"),
            func.coalesce(func.sum(ModuleProgress.study_seconds), 0).label("seconds"),
        )
        .group_by(ModuleProgress.user_id, ModuleProgress.course_id)
        .subquery()
    )
    version_id = func.coalesce(Completion.course_version_id, Course.current_version_id)
    query = (
        select(
            Completion.id,
            Completion.user_id,
            User.nip,
            User.full_name,
            Unit.name,
            Course.code,
            CourseVersion.title,
            Completion.jp,
            CourseVersion.total_minutes,
            Enrolment.enrolled_at,
            studied.c.first_opened_at,
            Completion.completed_at,
            studied.c.seconds,
        )
        .join(User, User.id == Completion.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseVersion, CourseVersion.id == version_id)
        .outerjoin(
            Enrolment,
            (Enrolment.user_id == Completion.user_id)
            & (Enrolment.course_id == Completion.course_id),
        )
        .outerjoin(
            studied,
            (studied.c.user_id == Completion.user_id)
            & (studied.c.course_id == Completion.course_id),
        )
        .order_by(Completion.completed_at.desc(), Completion.id.desc())
    )
    if course_id is not None:
        query = query.where(Completion.course_id == course_id)
    if since is not None:
        query = query.where(Completion.completed_at >= since)
    if until is not None:
        query = query.where(Completion.completed_at < until)
    rows = [
        PaceRow(
            completion_id=row[0],
            user_id=row[1],
            nip=row[2],
            full_name=row[3],
            unit_name=row[4],
            course_code=row[5],
            course_title=row[6],
            jp=row[7],
            estimated_minutes=row[8],
            enrolled_at=row[9],
            first_opened_at=row[10],
            completed_at=row[11],
            module_seconds=int(row[12] or 0),
        )
        for row in session.execute(query)
    ]
    return [r for r in rows if is_unusually_fast(r.study_period, r.estimated_minutes)][:MAX_ROWS]


def duration_text(value: timedelta | None) -> str:
    """A duration as a reader takes it in: '1 hari 3 jam', '2 jam 5 menit', '40 detik'."""
    if value is None:
        return "–"
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("{days} hari {hours} jam").format(days=days, hours=hours)
    if hours:
        return _("{hours} jam {minutes} menit").format(hours=hours, minutes=minutes)
    if minutes:
        return _("{minutes} menit").format(minutes=minutes)
    return _("{seconds} detik").format(seconds=secs)


def seconds_text(seconds: int) -> str:
    """`duration_text` of a number of seconds."""
    return duration_text(timedelta(seconds=seconds))
