"""Mandatory training: HR assigns a course to people, whole units or a jabatan, with a due date.

Assigning to a unit or a jabatan gives a row to each active member at that moment (people who
join later are not assigned). HR lists assignments with each person's progress, moves a due
date, or cancels one (with a reason); both are audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from app.accounts import nip as nip_rules
from app.accounts.models import Unit, User
from app.audit import service as audit
from app.content.catalog import Catalog, CourseView
from app.content.models import Course, CourseVersion
from app.learning import credited, progress
from app.learning.models import Assignment, Completion, LearningPath, ModuleProgress

AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])


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
    jabatan: str | None = None,
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
        jabatan=jabatan,
        people=len(people),
    )
    return report


# --- who: by jabatan -----------------------------------------------------------------------------


def jabatan_condition(pattern: str) -> ColumnElement[bool]:
    """Jabatan matching `pattern`: exact (ignoring case), or with `*` standing for any text.

    "Lurah" reaches every Lurah and no Sekretaris Lurah; "*Lurah*" reaches both. Only `*` is
    special: `%` and `_` typed by HR are matched literally.
    """
    text = " ".join(pattern.split()).lower()
    column = func.lower(User.jabatan)
    if "*" not in text:
        return column == text
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(escaped.replace("*", "%"), escape="\\")


def people_by_jabatan(session: Session, pattern: str) -> list[User]:
    """Active people whose jabatan matches `pattern` (see `jabatan_condition`)."""
    if not pattern.strip(" *"):
        return []
    return list(
        session.scalars(select(User).where(User.is_active.is_(True), jabatan_condition(pattern)))
    )


# --- HR's list -----------------------------------------------------------------------------------

PAGE_SIZE = 50


@dataclass(frozen=True)
class ListFilters:
    """What HR narrows the list to; None means no filter."""

    course_id: int | None = None
    unit_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue_only: bool = False


@dataclass(frozen=True)
class AssignmentRow:
    id: int
    user_id: int
    full_name: str
    nip: str
    unit_name: str | None
    course_id: int
    course_code: str
    course_title: str
    due_on: date
    done: bool  # a credited completion (app.learning.credited): a revoked one is not done
    modules_done: int
    modules_total: int
    # The learning path that made the assignment (None: assigned by HR by hand).
    path_id: int | None = None
    path_name: str | None = None
    phone: str | None = None  # for HR's WhatsApp link (62...)
    locale: str | None = None  # the person's language, for that link's text

    @property
    def percent(self) -> int:
        """Progress through the course, 0..100 (100 once done)."""
        if self.done:
            return 100
        if not self.modules_total:
            return 0
        return round(100 * min(self.modules_done, self.modules_total) / self.modules_total)

    def overdue(self, today: date) -> bool:
        """Past its due date and not done."""
        return not self.done and self.due_on < today


@dataclass(frozen=True)
class AssignmentPage:
    rows: list[AssignmentRow]
    total: int
    page: int
    pages: int


def _done() -> ColumnElement[bool]:
    # A credited completion of the assigned course by the assigned person.
    return exists().where(
        Completion.user_id == Assignment.user_id,
        Completion.course_id == Assignment.course_id,
        credited.completion_counts(Completion.id),
    )


def _filtered(query: AnySelect, filters: ListFilters, today: date) -> AnySelect:
    if filters.course_id is not None:
        query = query.where(Assignment.course_id == filters.course_id)
    if filters.unit_id is not None:
        query = query.where(User.unit_id == filters.unit_id)
    if filters.due_from is not None:
        query = query.where(Assignment.due_on >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(Assignment.due_on <= filters.due_to)
    if filters.overdue_only:
        query = query.where(Assignment.due_on < today, ~_done())
    return query


def list_assignments(
    session: Session,
    catalog: Catalog,
    filters: ListFilters,
    *,
    today: date,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AssignmentPage:
    """One page of assignments with each person's progress: three queries whatever the page."""
    total = (
        session.scalar(
            _filtered(
                select(func.count())
                .select_from(Assignment)
                .join(User, User.id == Assignment.user_id),
                filters,
                today,
            )
        )
        or 0
    )
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    query = (
        select(
            Assignment.id,
            Assignment.user_id,
            User.full_name,
            User.nip,
            Unit.name,
            Assignment.course_id,
            Course.code,
            Assignment.due_on,
            _done().label("done"),
            Assignment.via_path_id,
            LearningPath.name.label("path_name"),
            User.phone,
            User.locale,
        )
        .join(User, User.id == Assignment.user_id)
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(LearningPath, LearningPath.id == Assignment.via_path_id)
        .order_by(Assignment.due_on, User.full_name, Assignment.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    found = session.execute(_filtered(query, filters, today)).all()
    modules_done: dict[tuple[int, int], int] = {}
    if found:
        pairs = {(r.user_id, r.course_id) for r in found}
        for user_id, course_id, n in session.execute(
            select(ModuleProgress.user_id, ModuleProgress.course_id, func.count())
            .where(
                ModuleProgress.user_id.in_({u for u, _c in pairs}),
                ModuleProgress.course_id.in_({c for _u, c in pairs}),
                ModuleProgress.completed_at.is_not(None),
            )
            .group_by(ModuleProgress.user_id, ModuleProgress.course_id)
        ):
            modules_done[(user_id, course_id)] = n
    by_code = catalog.by_code
    rows = []
    for r in found:
        view = by_code.get(r.code)
        rows.append(
            AssignmentRow(
                id=r.id,
                user_id=r.user_id,
                full_name=r.full_name,
                nip=r.nip,
                unit_name=r.name,
                course_id=r.course_id,
                course_code=r.code,
                course_title=view.title if view else r.code,
                due_on=r.due_on,
                done=bool(r.done),
                modules_done=modules_done.get((r.user_id, r.course_id), 0),
                modules_total=len(view.modules) if view else 0,
                path_id=r.via_path_id,
                path_name=r.path_name,
                phone=r.phone,
                locale=r.locale,
            )
        )
    return AssignmentPage(rows=rows, total=total, page=page, pages=pages)


# --- open assignments, for reminders ------------------------------------------------------------


@dataclass(frozen=True)
class OpenAssignment:
    """An assignment not done yet (no credited completion), with what a reminder says."""

    id: int
    user_id: int
    full_name: str
    course_code: str
    course_title: str
    due_on: date


def open_assignments(
    session: Session,
    *,
    due_from: date | None = None,
    due_to: date | None = None,
    user_id: int | None = None,
) -> list[OpenAssignment]:
    """Active people's assignments without a credited completion, due within the bounds."""
    query = (
        select(
            Assignment.id,
            Assignment.user_id,
            User.full_name,
            Course.code,
            func.coalesce(CourseVersion.title, Course.code),
            Assignment.due_on,
        )
        .join(User, User.id == Assignment.user_id)
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(User.is_active.is_(True), ~_done())
        .order_by(Assignment.due_on, Assignment.id)
    )
    if due_from is not None:
        query = query.where(Assignment.due_on >= due_from)
    if due_to is not None:
        query = query.where(Assignment.due_on <= due_to)
    if user_id is not None:
        query = query.where(Assignment.user_id == user_id)
    return [OpenAssignment(*row) for row in session.execute(query)]


# --- changing one --------------------------------------------------------------------------------


def change_due_date(
    session: Session, assignment: Assignment, due_on: date, *, actor_id: int
) -> None:
    """Move an assignment's due date (audited with the old and the new date)."""
    old = assignment.due_on
    assignment.due_on = due_on
    audit.record(
        session,
        "assignment.redated",
        actor_id=actor_id,
        target_type="user",
        target_id=str(assignment.user_id),
        course_id=assignment.course_id,
        old_due_on=old.isoformat(),
        due_on=due_on.isoformat(),
    )


def cancel(session: Session, assignment: Assignment, reason: str, *, actor_id: int | None) -> None:
    """Cancel an assignment: its row goes, the reason and the old due date stay in the audit log.

    Deleting (rather than marking) the row is deliberate: every reader of assignments -- the
    learner's home, the course page, HR's dashboard of overdue training, the completion
    export -- then stops counting it with no filter to forget. The enrolment and everything
    learnt are kept; assigning the course again later makes a fresh row.
    """
    audit.record(
        session,
        "assignment.cancelled",
        actor_id=actor_id,
        target_type="user",
        target_id=str(assignment.user_id),
        course_id=assignment.course_id,
        due_on=assignment.due_on.isoformat(),
        assigned_at=assignment.assigned_at.isoformat(),
        reason=reason,
    )
    session.delete(assignment)
    session.flush()
