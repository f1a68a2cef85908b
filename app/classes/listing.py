"""What the class pages list: upcoming sessions with free seats, a learner's own sessions
(the home page shows them), and a session's roll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session

from app.accounts.models import Unit, User
from app.classes.models import ClassRegistration, ClassSession
from app.classes.service import CANCELLED, REGISTERED, WAITING
from app.learning.models import Completion

# A session stays listed as upcoming until this long after its end (a long day).
LISTED_AFTER_END = timedelta(hours=12)


@dataclass(frozen=True)
class SessionLine:
    """One session in a list, with its seats and the viewer's own status."""

    row: ClassSession
    taken: int
    waiting: int
    mine: str | None  # registered | waiting | None

    @property
    def free(self) -> int:
        return max(0, self.row.capacity - self.taken)


def _counts(session: Session, ids: list[int]) -> dict[tuple[int, str], int]:
    if not ids:
        return {}
    rows = session.execute(
        select(ClassRegistration.session_id, ClassRegistration.status, func.count())
        .where(ClassRegistration.session_id.in_(ids), ClassRegistration.status != CANCELLED)
        .group_by(ClassRegistration.session_id, ClassRegistration.status)
    )
    return {(sid, status): count for sid, status, count in rows}


def _mine(session: Session, ids: list[int], user_id: int) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(ClassRegistration.session_id, ClassRegistration.status).where(
            ClassRegistration.session_id.in_(ids),
            ClassRegistration.user_id == user_id,
            ClassRegistration.status != CANCELLED,
        )
    )
    return {sid: status for sid, status in rows}


def lines(session: Session, rows: list[ClassSession], user_id: int) -> list[SessionLine]:
    """Sessions with their seat counts and the user's status (three queries in all)."""
    ids = [r.id for r in rows]
    counts, mine = _counts(session, ids), _mine(session, ids, user_id)
    return [
        SessionLine(r, counts.get((r.id, REGISTERED), 0), counts.get((r.id, WAITING), 0),
                    mine.get(r.id))
        for r in rows
    ]  # fmt: skip


def upcoming(session: Session, now: datetime, user_id: int, limit: int = 100) -> list[SessionLine]:
    """Scheduled sessions not yet over, soonest first."""
    rows = session.scalars(
        select(ClassSession)
        .where(ClassSession.status == "scheduled", ClassSession.ends_at >= now)
        .order_by(ClassSession.starts_at, ClassSession.id)
        .limit(limit)
    ).all()
    return lines(session, list(rows), user_id)


def for_learner(session: Session, user_id: int, now: datetime) -> list[SessionLine]:
    """The learner's coming sessions (registered or waiting), soonest first: the home card."""
    params = {"user_id": user_id, "since": now - LISTED_AFTER_END}
    rows = session.scalars(_for_learner_statement(), params).all()
    return lines(session, list(rows), user_id)


@cache
def _for_learner_statement() -> Select[ClassSession]:
    # Built once (the learner home asks it on every visit): see app.learning.jp.
    return (
        select(ClassSession)
        .join(ClassRegistration, ClassRegistration.session_id == ClassSession.id)
        .where(
            ClassRegistration.user_id == bindparam("user_id", type_=Integer),
            ClassRegistration.status.in_((REGISTERED, WAITING)),
            ClassSession.status == "scheduled",
            ClassSession.ends_at >= bindparam("since", type_=ClassSession.ends_at.type),
        )
        .order_by(ClassSession.starts_at, ClassSession.id)
    )


@dataclass(frozen=True)
class RollLine:
    registration: ClassRegistration
    nip: str
    full_name: str
    unit_name: str | None


def roll(session: Session, session_id: int) -> list[RollLine]:
    """Everyone registered or waiting, seated first then the waiting list in order."""
    rows = session.execute(
        select(ClassRegistration, User.nip, User.full_name, Unit.name)
        .join(User, User.id == ClassRegistration.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(ClassRegistration.session_id == session_id, ClassRegistration.status != CANCELLED)
        .order_by(
            ClassRegistration.status != REGISTERED,
            ClassRegistration.registered_at,
            ClassRegistration.id,
        )
    ).all()
    return [RollLine(reg, nip, name, unit) for reg, nip, name, unit in rows]


def completions(session: Session, row: ClassSession) -> dict[int, int]:
    """{user id: completion id} of the completions the session recorded (its credited
    attendees). An attendee who had completed the session's course online keeps that
    completion, which the class did not make: its course's trainers observe it. One query."""
    found = session.execute(
        select(Completion.user_id, Completion.id).where(Completion.class_session_id == row.id)
    )
    return {user_id: completion_id for user_id, completion_id in found}
