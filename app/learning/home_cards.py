"""What a learner should do next, and where they stand in each course of the catalogue.

The home page opens with "continue" cards: the assigned courses not yet done and the courses in
progress, overdue assignments first, then the other assignments by due date, then the courses
the learner joined themselves (most recently joined first). A completion whose certificate was
revoked counts as not done (as in `app.learning.credited`), so an assigned course stays a card.

The catalogue shows one status per course, computed for all courses in one query:
not started, in progress, done (a credited completion), and whether it is assigned (with its
due date, and whether that date has passed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    CompoundSelect,
    Date,
    Integer,
    bindparam,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from app.learning import credited
from app.learning.dashboard import CourseCard, Dashboard
from app.learning.models import Assignment, Completion, Enrolment


class Progress(StrEnum):
    NOT_STARTED = "belum_mulai"
    IN_PROGRESS = "sedang"
    DONE = "selesai"


@dataclass(frozen=True)
class CourseStatus:
    progress: Progress
    due_on: date | None = None  # set when the course is assigned to the learner
    overdue: bool = False

    @property
    def assigned(self) -> bool:
        return self.due_on is not None


NOT_STARTED = CourseStatus(Progress.NOT_STARTED)


def next_actions(dashboard: Dashboard) -> list[CourseCard]:
    """The courses to continue, the most urgent first (overdue, then soonest due, then joined)."""
    assigned = sorted(
        dashboard.assigned, key=lambda c: (not c.overdue, c.due_on or date.max)
    )  # stable: equal dates keep the dashboard's order
    return [*assigned, *dashboard.in_progress]


@cache
def _statuses_statement() -> CompoundSelect[*tuple[Any, ...]]:
    # Built once with a bound user id: building this UNION ALL and its cache key on each
    # catalogue request cost more CPU than running it (py-spy on bench/page_statements.py).
    user = bindparam("user_id", type_=Integer)
    no_date = null().cast(Date)
    enrolled = select(
        Enrolment.course_id.label("course_id"),
        literal("e").label("kind"),
        no_date.label("due_on"),
        literal(True, Boolean).label("counts"),
    ).where(Enrolment.user_id == user)
    assigned = select(
        Assignment.course_id, literal("a"), Assignment.due_on, literal(True, Boolean)
    ).where(Assignment.user_id == user)
    completed = credited.join_current_certificate(
        select(Completion.course_id, literal("c"), no_date, credited.credited())
    ).where(Completion.user_id == user)
    return union_all(enrolled, assigned, completed)


def catalogue_statuses(session: Session, user_id: int, today: date) -> dict[int, CourseStatus]:
    """Course id -> the learner's status, for every course they joined, finished or were
    assigned (any other course is not started); one query whatever the number of courses."""
    enrolled_ids: set[int] = set()
    done_ids: set[int] = set()
    due: dict[int, date] = {}
    # Any: the branches' course id types differ (a completion's is NULL for a class session's).
    rows: Any = session.execute(_statuses_statement(), {"user_id": user_id})
    for course_id, kind, due_date, counts in rows:
        if kind == "e":
            enrolled_ids.add(course_id)
        elif kind == "a":
            due[course_id] = min(due_date, due.get(course_id, due_date))
        elif counts:
            done_ids.add(course_id)
    statuses: dict[int, CourseStatus] = {}
    for course_id in enrolled_ids | done_ids | due.keys():
        if course_id in done_ids:
            state = Progress.DONE
        elif course_id in enrolled_ids:
            state = Progress.IN_PROGRESS
        else:
            state = Progress.NOT_STARTED
        due_on = due.get(course_id)
        late = due_on is not None and state is not Progress.DONE and due_on < today
        statuses[course_id] = CourseStatus(state, due_on, late)
    return statuses
