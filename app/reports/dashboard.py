"""HR dashboard figures: completion rates, weekly active learners, overdue mandatory training.

Each figure is one grouped query, so the page costs the same few queries for a hundred ASN or
ten thousand. Only active ASN count in rates and overdue lists (people who left are not
HR's to chase); weekly activity counts everyone who did something, since it happened.
A completion counts as done only when `app.learning.credited` credits it: one whose
certificate was revoked leaves its enrolment uncompleted and its assignment open. Weeks, years
and due dates are local calendar days (`app.clock`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, select, union_all
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Unit, User
from app.content.catalog import Catalog
from app.content.models import Course
from app.learning import credited
from app.learning.models import Assignment, Completion, Enrolment, ModuleProgress, QuizAttempt

WEEKS = 12
OLDEST_OVERDUE = 50


@dataclass(frozen=True)
class Rate:
    """Completed enrolments out of enrolments for a unit kerja or a course."""

    key: int | None  # unit id or course id; None for people without a unit
    label: str | None  # unit name or course title; None for people without a unit
    enrolled: int
    completed: int

    @property
    def ratio(self) -> float:
        return self.completed / self.enrolled if self.enrolled else 0.0


@dataclass(frozen=True)
class WeekActivity:
    start: date  # a Monday, local date
    learners: int


@dataclass(frozen=True)
class UnitCount:
    unit_id: int | None
    unit_name: str | None
    count: int


@dataclass(frozen=True)
class OverdueAssignment:
    full_name: str
    nip: str
    unit_name: str | None
    course_code: str
    course_title: str
    due_on: date
    days_overdue: int


def _enrolled_in(year: int | None) -> ColumnElement[bool] | None:
    if year is None:
        return None
    start, end = clock.year_bounds(year)
    return and_(Enrolment.enrolled_at >= start, Enrolment.enrolled_at < end)


def _enrolments(year: int | None, *columns: Any) -> Select[*tuple[Any, ...]]:
    """Active people's enrolments (in local `year` when given) with their credited completion
    if any."""
    query = (
        select(*columns, func.count(Enrolment.id), func.count(Completion.id))
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(
            Completion,
            and_(
                Completion.user_id == Enrolment.user_id,
                Completion.course_id == Enrolment.course_id,
                credited.completion_counts(Completion.id),
            ),
        )
        .where(User.is_active.is_(True))
    )
    period = _enrolled_in(year)
    return query if period is None else query.where(period)


def _lowest_first(rates: list[Rate]) -> list[Rate]:
    # Lowest rate first: the dashboard is for finding who needs a nudge.
    return sorted(rates, key=lambda r: (r.ratio, -r.enrolled, r.label is None, r.label or ""))


def completion_by_unit(session: Session, year: int | None = None) -> list[Rate]:
    """Completion rate per unit kerja, lowest first (one grouped query)."""
    rows = session.execute(
        _enrolments(year, User.unit_id, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .group_by(User.unit_id, Unit.name)
    ).all()
    return _lowest_first([Rate(uid, name, int(n), int(done)) for uid, name, n, done in rows])


def completion_by_course(session: Session, catalog: Catalog, year: int | None = None) -> list[Rate]:
    """Completion rate per course, lowest first, titled as the catalogue shows it."""
    rows = session.execute(
        _enrolments(year, Course.id, Course.code)
        .join(Course, Course.id == Enrolment.course_id)
        .group_by(Course.id, Course.code)
    ).all()
    rates = []
    for course_id, code, n, done in rows:
        view = catalog.by_code.get(code)
        rates.append(Rate(course_id, view.title if view else code, int(n), int(done)))
    return _lowest_first(rates)


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the last `weeks` weeks, oldest first, this week's last."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def weekly_active_learners(session: Session, today: date, weeks: int = WEEKS) -> list[WeekActivity]:
    """Distinct learners per week (Monday to Sunday, local time) who opened or completed a module or
    submitted a quiz; every one of the `weeks` weeks is listed, 0 included (one query)."""
    starts = week_starts(today, weeks)
    bounds = [clock.day_start(day) for day in starts] + [clock.day_start(starts[-1] + timedelta(7))]
    first, last = bounds[0], bounds[-1]
    opened = ModuleProgress.first_opened_at
    completed = ModuleProgress.completed_at
    submitted = QuizAttempt.submitted_at
    events = union_all(
        select(ModuleProgress.user_id.label("user_id"), opened.label("at")).where(
            opened >= first, opened < last
        ),
        select(ModuleProgress.user_id, completed).where(completed >= first, completed < last),
        select(QuizAttempt.user_id, submitted).where(submitted >= first, submitted < last),
    ).subquery("events")
    # The week index as a CASE over the boundaries: portable SQL, and the boundaries are local
    # midnights computed here rather than by each database's own date functions.
    week = case(*((events.c.at < bounds[i + 1], i) for i in range(weeks)))
    bucketed = select(events.c.user_id, week.label("week")).subquery("bucketed")
    grouped = select(bucketed.c.week, func.count(distinct(bucketed.c.user_id)))
    counts: dict[int, int] = {
        int(index): int(n) for index, n in session.execute(grouped.group_by(bucketed.c.week))
    }
    return [WeekActivity(start, counts.get(i, 0)) for i, start in enumerate(starts)]


def _overdue(today: date) -> Select[*tuple[Any, ...]]:
    """Active people's assignments past their due date (local) with no credited completion."""
    return (
        select()
        .select_from(Assignment)
        .join(User, User.id == Assignment.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(
            Completion,
            and_(
                Completion.user_id == Assignment.user_id,
                Completion.course_id == Assignment.course_id,
                credited.completion_counts(Completion.id),
            ),
        )
        .where(User.is_active.is_(True), Assignment.due_on < today, Completion.id.is_(None))
    )


def overdue_by_unit(session: Session, today: date) -> list[UnitCount]:
    """Overdue mandatory assignments per unit kerja, most first (one grouped query)."""
    rows = session.execute(
        _overdue(today)
        .add_columns(User.unit_id, Unit.name, func.count(Assignment.id))
        .group_by(User.unit_id, Unit.name)
    ).all()
    counts = [UnitCount(uid, name, int(n)) for uid, name, n in rows]
    return sorted(counts, key=lambda c: (-c.count, c.unit_name is None, c.unit_name or ""))


def oldest_overdue(
    session: Session, today: date, catalog: Catalog, limit: int = OLDEST_OVERDUE
) -> list[OverdueAssignment]:
    """The `limit` longest-overdue mandatory assignments (one query)."""
    rows = session.execute(
        _overdue(today)
        .add_columns(User.full_name, User.nip, Unit.name, Course.code, Assignment.due_on)
        .join(Course, Course.id == Assignment.course_id)
        .order_by(Assignment.due_on, User.full_name, Assignment.id)
        .limit(limit)
    ).all()
    items = []
    for name, nip, unit, code, due_on in rows:
        view = catalog.by_code.get(code)
        items.append(
            OverdueAssignment(
                full_name=name,
                nip=nip,
                unit_name=unit,
                course_code=code,
                course_title=view.title if view else code,
                due_on=due_on,
                days_overdue=(today - due_on).days,
            )
        )
    return items
