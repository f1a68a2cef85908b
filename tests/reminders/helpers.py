"""What the reminder tests set up alike: a course assignment with a due date, a course's title."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.content.models import Course
from app.learning.models import Assignment


def course_id(session: Session, code: str = "PPP-101") -> int:
    found = session.scalar(select(Course.id).where(Course.code == code))
    assert found is not None
    return found


def assign(session: Session, user: User, due_on: date, code: str = "PPP-101") -> Assignment:
    """`user` assigned the demo course `code`, due on `due_on` (committed)."""
    row = Assignment(user_id=user.id, course_id=course_id(session, code), due_on=due_on)
    session.add(row)
    session.commit()
    return row


def course_title(session: Session, code: str = "PPP-101") -> str:
    course = session.scalars(select(Course).where(Course.code == code)).one()
    assert course.current_version is not None
    return course.current_version.title
