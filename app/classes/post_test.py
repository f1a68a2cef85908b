"""A class's post-test: the final test of the course the session delivers.

- A session delivering a course that has a final test may require it (`post_test_required`,
  chosen at scheduling, app.classes.forms). A session without one credits on attendance alone.
- The class delivered the course's content, so the final test opens to its attendees without
  the course's modules marked done (`opens_final_test`): a person seated in such a session
  that has started and is not cancelled, marked present or partial -- or, after finalising,
  one who still awaits the post-test. Anyone else needs the modules done, as online.
- Finalising (app.classes.finalise) credits each qualifying attendee who has passed the
  final test (`completion.passed_final_score`: the course's counting policy and passing
  score) and marks the others `awaits_post_test`; they show on the trainer's roll.
- Passing it later credits the class then (`finalise.credit_post_test`, run after every
  submission of the final test): the completion has the course *and* the session
  (`class_session_id`), the session's JP and a class certificate, exactly once (one
  completion per learner and course). A learner who completed the course online before keeps
  that completion and is not credited twice.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Integer, Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from app.classes.models import ClassRegistration, ClassSession
from app.classes.service import REGISTERED

ATTENDED = ("present", "partial")


@cache
def _opens_final_test_statement() -> Select[int]:
    # Built once with bound parameters: the final test's page and its start ask this on each
    # request, and building the SELECT cost more CPU than running it.
    return (
        select(ClassRegistration.id)
        .join(ClassSession, ClassSession.id == ClassRegistration.session_id)
        .where(
            ClassSession.course_id == bindparam("course_id", type_=Integer),
            ClassSession.post_test_required.is_(True),
            ClassRegistration.user_id == bindparam("user_id", type_=Integer),
            ClassRegistration.status == REGISTERED,
            or_(
                ClassRegistration.awaits_post_test.is_(True),
                and_(
                    ClassSession.status == "scheduled",
                    ClassSession.starts_at <= bindparam("now", type_=ClassSession.starts_at.type),
                    ClassRegistration.attendance.in_(ATTENDED),
                ),
            ),
        )
        .limit(1)
    )


def opens_final_test(session: Session, user_id: int, course_id: int, now: datetime) -> bool:
    """Whether a class of the course lets the learner take its final test as a post-test."""
    params = {"course_id": course_id, "user_id": user_id, "now": now}
    return session.scalar(_opens_final_test_statement(), params) is not None


def awaiting(
    session: Session, user_id: int, course_id: int
) -> tuple[ClassSession, ClassRegistration] | None:
    """The finalised session of the course whose post-test the learner still awaits (the
    earliest, if several), with their registration."""
    row = session.execute(
        select(ClassSession, ClassRegistration)
        .join(ClassRegistration, ClassRegistration.session_id == ClassSession.id)
        .where(
            ClassSession.course_id == course_id,
            ClassRegistration.user_id == user_id,
            ClassRegistration.awaits_post_test.is_(True),
        )
        .order_by(ClassSession.ends_at, ClassSession.id)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None
