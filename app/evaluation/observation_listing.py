"""The completions an observer may open at `/pengamatan`: courses and classes, newest first.

The same people as `observation.capacity` allows, read in bulk: HR and admins every credited
completion but their own; a trainer those of the courses they teach and of the classes they
may observe (`observation.can_observe_class`); a supervisor those of the people who bound
their link to the supervisor's NIP (for that course; for a stand-alone class, on any plan).
Three queries whatever the number of rows (five for a trainer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from app.accounts.models import Role, Unit, User
from app.accounts.viewer import Viewer
from app.classes.models import ClassSession
from app.content.models import Course, CourseTrainer, CourseVersion
from app.evaluation.models import ActionPlan, FollowUpInterview, Observation
from app.evaluation.observation import can_observe_class, class_code
from app.learning import credited
from app.learning.models import Completion


@dataclass(frozen=True)
class ObservableCompletion:
    completion_id: int
    learner_name: str
    unit_name: str | None
    code: str  # the course's code, or KELAS-{id} for a stand-alone class
    title: str
    completed_at: datetime
    observed_by_me: bool
    interviews: int


def observable_completions(
    session: Session, viewer: Viewer, code: str | None = None, limit: int = 200
) -> list[ObservableCompletion]:
    """Completions the viewer may observe, newest first (one course's or class's with `code`)."""
    query = credited.join_current_certificate(
        select(
            Completion.id,
            Completion.user_id,
            Completion.course_id,
            User.full_name,
            Unit.name,
            Course.code,
            CourseVersion.title,
            ClassSession,
            Completion.completed_at,
        )
        .join(User, User.id == Completion.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(Course, Course.id == Completion.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .outerjoin(ClassSession, ClassSession.id == Completion.class_session_id)
    ).where(credited.credited(), Completion.user_id != viewer.id)
    if code is not None:
        number = code.removeprefix("KELAS-")
        query = query.where(
            Completion.class_session_id == int(number)
            if code.startswith("KELAS-") and number.isdigit()
            else Course.code == code
        )
    staff = viewer.has_role(Role.HR, Role.ADMIN)
    if not staff:
        supervised_pairs = select(ActionPlan.user_id, ActionPlan.course_id).where(
            ActionPlan.supervisor_nip == viewer.nip
        )
        supervised_people = select(ActionPlan.user_id).where(
            ActionPlan.supervisor_nip == viewer.nip
        )
        conditions = [
            tuple_(Completion.user_id, Completion.course_id).in_(supervised_pairs),
            and_(Completion.course_id.is_(None), Completion.user_id.in_(supervised_people)),
        ]
        if viewer.has_role(Role.TRAINER):
            taught = select(CourseTrainer.course_id).where(CourseTrainer.user_id == viewer.id)
            conditions += [
                Completion.course_id.in_(taught),
                Completion.class_session_id.is_not(None),  # checked per class below
            ]
        query = query.where(or_(*conditions))
    rows: Sequence[Any] = session.execute(
        query.order_by(Completion.completed_at.desc(), Completion.id.desc()).limit(limit)
    ).all()
    if not staff and viewer.has_role(Role.TRAINER):
        rows = _allowed(session, viewer, rows)
    ids = [row[0] for row in rows]
    mine = set(
        session.scalars(
            select(Observation.completion_id).where(
                Observation.observer_id == viewer.id, Observation.completion_id.in_(ids or [0])
            )
        )
    )
    counts = dict(
        session.execute(
            select(FollowUpInterview.completion_id, func.count())
            .where(FollowUpInterview.completion_id.in_(ids or [0]))
            .group_by(FollowUpInterview.completion_id)
        ).all()
    )
    found = []
    for row in rows:
        completion_id, _user, course_id, name, unit, course, title, lesson, completed_at = row
        if course_id is None:
            course, title = class_code(lesson.id), lesson.title
        found.append(
            ObservableCompletion(
                completion_id=completion_id,
                learner_name=name,
                unit_name=unit,
                code=course,
                title=title or course,
                completed_at=completed_at,
                observed_by_me=completion_id in mine,
                interviews=counts.get(completion_id, 0),
            )
        )
    return found


def _allowed(session: Session, viewer: Viewer, rows: Sequence[Any]) -> list[Any]:
    """The rows a trainer may open: their courses', their supervisees', and the classes'
    `can_observe_class` lets them observe (the one class rule, applied here in Python)."""
    taught = set(
        session.scalars(select(CourseTrainer.course_id).where(CourseTrainer.user_id == viewer.id))
    )
    plans = session.execute(
        select(ActionPlan.user_id, ActionPlan.course_id).where(
            ActionPlan.supervisor_nip == viewer.nip
        )
    ).all()
    pairs = {(user_id, course_id) for user_id, course_id in plans}
    people = {user_id for user_id, _course in plans}

    def supervised(user_id: int, course_id: int | None) -> bool:
        return (user_id, course_id) in pairs if course_id is not None else user_id in people

    return [
        row
        for row in rows
        if row.course_id in taught
        or supervised(row.user_id, row.course_id)
        or (row.ClassSession is not None and can_observe_class(viewer, row.ClassSession))
    ]
