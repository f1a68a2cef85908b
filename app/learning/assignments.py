"""Mandatory training: HR assigns a course to people or to whole units, with a due date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import nip as nip_rules
from app.accounts.models import User
from app.audit import service as audit
from app.content.catalog import CourseView
from app.learning import progress
from app.learning.models import Assignment


@dataclass
class AssignmentReport:
    assigned: int = 0
    updated: int = 0
    unknown_nips: list[str] = field(default_factory=list)


def people_for(
    session: Session, unit_id: int | None, nips: list[str]
) -> tuple[list[User], list[str]]:
    """Active people of a unit and/or listed by NIP; also the NIPs that match nobody."""
    people: dict[int, User] = {}
    if unit_id is not None:
        for user in session.scalars(
            select(User).where(User.unit_id == unit_id, User.is_active.is_(True))
        ):
            people[user.id] = user
    wanted = [nip_rules.normalize(n) for n in nips if n.strip()]
    found = {u.nip: u for u in session.scalars(select(User).where(User.nip.in_(wanted)))}
    for user in found.values():
        people[user.id] = user
    unknown = [n for n in wanted if n not in found]
    return list(people.values()), unknown


def assign(
    session: Session,
    view: CourseView,
    people: list[User],
    due_on: date,
    *,
    actor_id: int,
    unit_id: int | None = None,
) -> AssignmentReport:
    """Assign (or re-date) the course for each person and enrol them; one query per batch."""
    report = AssignmentReport()
    existing = {
        a.user_id: a
        for a in session.scalars(
            select(Assignment).where(
                Assignment.course_id == view.course_id,
                Assignment.user_id.in_([p.id for p in people]),
            )
        )
    }
    for person in people:
        current = existing.get(person.id)
        if current is None:
            session.add(
                Assignment(
                    user_id=person.id,
                    course_id=view.course_id,
                    due_on=due_on,
                    assigned_by_id=actor_id,
                    via_unit_id=unit_id,
                )
            )
            report.assigned += 1
        else:
            current.due_on = due_on
            report.updated += 1
        progress.enrol(session, person.id, view.course_id, source="assigned")
    audit.record(
        session,
        "assignment.created",
        actor_id=actor_id,
        target_type="course",
        target_id=view.code,
        due_on=due_on.isoformat(),
        unit_id=unit_id,
        people=len(people),
    )
    return report
