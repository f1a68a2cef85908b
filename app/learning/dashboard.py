"""The learner's home page: assigned courses first (with due dates), then the rest.

A course whose completion's certificate was revoked counts as not done for mandatory
training (as on HR's dashboard, see `app.learning.credited`): it stays among the assigned
courses, marked revoked, and among the completed ones with 0 JP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    CompoundSelect,
    Date,
    Integer,
    bindparam,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from app.content.catalog import Catalog, CourseView
from app.learning import credited
from app.learning.models import Assignment, Completion, Enrolment, ModuleProgress


@dataclass(frozen=True)
class CourseCard:
    course: CourseView
    percent: int
    due_on: date | None = None
    overdue: bool = False
    completed: bool = False
    revoked: bool = False  # completed, but the certificate was revoked: 0 JP, not done


@dataclass(frozen=True)
class Dashboard:
    assigned: list[CourseCard]
    in_progress: list[CourseCard]
    completed: list[CourseCard]


# Built once with a bound user id: building this UNION ALL and its cache key on each request
# cost more CPU than running it (py-spy on bench/page_statements.py, the learner home).
_USER = bindparam("user_id", type_=Integer)


@cache
def _learner_rows_statement() -> CompoundSelect[*tuple[Any, ...]]:
    no_date = null().cast(Date)
    no_time = null().cast(Enrolment.enrolled_at.type)
    no_number = null().cast(Integer)
    yes = literal(True, Boolean)
    enrolled = select(
        Enrolment.course_id.label("course_id"),
        literal("e").label("kind"),
        Enrolment.id.label("number"),  # orders enrolments made at the same moment
        Enrolment.enrolled_at.label("at"),
        no_date.label("due_on"),
        yes.label("counts"),
    ).where(Enrolment.user_id == _USER)
    assigned = select(
        Assignment.course_id, literal("a"), Assignment.id, no_time, Assignment.due_on, yes
    ).where(Assignment.user_id == _USER)
    completed = credited.join_current_certificate(
        select(Completion.course_id, literal("c"), no_number, no_time, no_date, credited.credited())
    ).where(Completion.user_id == _USER)
    done_modules = (
        select(ModuleProgress.course_id, literal("p"), func.count(), no_time, no_date, yes)
        .where(ModuleProgress.user_id == _USER, ModuleProgress.completed_at.is_not(None))
        .group_by(ModuleProgress.course_id)
    )
    return union_all(enrolled, assigned, completed, done_modules)


def _learner_rows(session: Session, user_id: int) -> Sequence[Any]:
    """Everything the dashboard reads about the learner, for all their courses, in one query:
    enrolments ("e", with when), assignments ("a", with the due date), completions ("c",
    whether they count) and completed-module counts ("p")."""
    return session.execute(_learner_rows_statement(), {"user_id": user_id}).all()


def learner_dashboard(session: Session, user_id: int, catalog: Catalog, today: date) -> Dashboard:
    """Assigned courses (soonest due first), courses in progress (latest joined first),
    courses completed; one query whatever the number of courses."""
    by_id = {view.course_id: view for view in catalog.by_code.values()}
    done_counts: dict[int, int] = {}
    revoked_ids: set[int] = set()
    completed_ids: set[int] = set()
    assignment_rows: list[tuple[int, int, date]] = []  # (id, course id, due on)
    enrolment_rows: list[tuple[int, int, datetime]] = []  # (id, course id, enrolled at)
    for course_id, kind, number, at, due_on, counts in _learner_rows(session, user_id):
        if kind == "e":
            enrolment_rows.append((number, course_id, at))
        elif kind == "a":
            assignment_rows.append((number, course_id, due_on))
        elif kind == "c":
            completed_ids.add(course_id)
            if not counts:
                revoked_ids.add(course_id)
        else:
            done_counts[course_id] = number
    # Soonest due first; latest joined first (stable sorts: equal times keep the row order).
    assignment_rows.sort()
    assignments = sorted(((cid, due) for _id, cid, due in assignment_rows), key=lambda r: r[1])
    enrolment_rows.sort()
    enrolled = [cid for _id, cid, _at in sorted(enrolment_rows, key=lambda r: r[2], reverse=True)]

    def card(view: CourseView, due_on: date | None = None) -> CourseCard:
        total = len(view.modules)
        percent = (
            round(100 * min(done_counts.get(view.course_id, 0), total) / total) if total else 0
        )
        completed = view.course_id in completed_ids
        revoked = view.course_id in revoked_ids
        return CourseCard(
            course=view,
            percent=100 if completed else percent,
            due_on=due_on,
            overdue=due_on is not None and (revoked or not completed) and due_on < today,
            completed=completed,
            revoked=revoked,
        )

    assigned = [card(by_id[cid], due) for cid, due in assignments if cid in by_id]
    assigned_ids = {c.course.course_id for c in assigned}
    others = [card(by_id[cid]) for cid in enrolled if cid in by_id and cid not in assigned_ids]
    return Dashboard(
        assigned=[c for c in assigned if c.revoked or not c.completed],
        in_progress=[c for c in others if not c.completed],
        completed=[c for c in assigned + others if c.completed],
    )
