"""The learner's home page: assigned courses first (with due dates), then the rest.

A course whose completion's certificate was revoked counts as not done for mandatory
training (as on HR's dashboard, see `app.learning.credited`): it stays among the assigned
courses, marked revoked, and among the completed ones with 0 JP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content.catalog import Catalog, CourseView
from app.learning import credited, progress
from app.learning.models import Assignment, Completion, Enrolment


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


def learner_dashboard(session: Session, user_id: int, catalog: Catalog, today: date) -> Dashboard:
    """Assigned courses (soonest due first), courses in progress, courses completed."""
    by_id = {view.course_id: view for view in catalog.by_code.values()}
    done_counts = progress.progress_by_course(session, user_id)
    completions = session.execute(
        credited.join_current_certificate(select(Completion.course_id, credited.credited())).where(
            Completion.user_id == user_id
        )
    ).all()
    revoked_ids = {course_id for course_id, counts in completions if not counts}
    completed_ids = {course_id for course_id, _counts in completions}
    assignments = session.execute(
        select(Assignment.course_id, Assignment.due_on)
        .where(Assignment.user_id == user_id)
        .order_by(Assignment.due_on)
    ).all()
    enrolled = session.scalars(
        select(Enrolment.course_id)
        .where(Enrolment.user_id == user_id)
        .order_by(Enrolment.enrolled_at.desc())
    ).all()

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
