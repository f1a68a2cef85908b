"""Learning paths (jalur belajar): who is in a path's target group, and keeping their
assignments in step with the roster.

The whole rule:
- A person is in a path's group when they are active, of the path's employee type (if it names
  one), in its unit kerja (if it names one), and their jabatan matches its pattern (if it has
  one; exact ignoring case, `*` for any text -- `assignments.jabatan_condition`, the rule HR
  already uses to assign by jabatan), and their golongan is in its range (if it has one: only
  with an employee type, on that type's scale -- `golongan.between`; no golongan: not in it).
- Syncing an active path gives each member an `Assignment` of every path course they do not
  already have assigned (by the path or by HR), due `due_days` after the day of the sync, and
  enrols them. One audit event per person joined (`path.assigned`).
- A path's assignment whose person left the group (or whose course left the path) is cancelled
  the way HR cancels one (`assignments.cancel`, audited with the reason) unless its course is
  done (a credited completion): a finished course stays on the record as it is. Credited
  learning is never touched.
- An inactive path is frozen: nobody new is assigned and nothing is cancelled.

Syncs run when HR saves a path and after every roster import (`sync_all`, registered with
`app.accounts.roster.after_import` by `app.main` and the CLI, since accounts imports no other
domain). Paths only organise: the JP ledger is unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, literal, select, union_all
from sqlalchemy.orm import Session

from app import clock
from app.accounts import golongan
from app.accounts.models import EmployeeType, Unit, User
from app.audit import service as audit
from app.content.models import Course
from app.learning import assignments, credited, progress
from app.learning.models import Assignment, Completion, LearningPath


def member_ids_query(path: LearningPath) -> Select[int]:
    """The ids of the people in the path's target group (a query, to use as a subquery)."""
    query = select(User.id).where(User.is_active.is_(True))
    if path.employee_type:
        query = query.where(User.employee_type == path.employee_type)
    if path.unit_id is not None:
        query = query.where(User.unit_id == path.unit_id)
    if path.jabatan_pattern and path.jabatan_pattern.strip(" *"):
        query = query.where(assignments.jabatan_condition(path.jabatan_pattern))
    if path.employee_type and (path.golongan_from or path.golongan_to):
        scale = golongan.between(
            path.golongan_from, path.golongan_to, EmployeeType(path.employee_type)
        )
        query = query.where(User.golongan.in_(scale))
    return query


def member_ids(session: Session, path: LearningPath) -> set[int]:
    """The ids of the people in the path's target group."""
    return set(session.scalars(member_ids_query(path)))


def course_ids(session: Session, codes: list[str]) -> dict[str, int]:
    """Course code -> course id for the codes that exist (unknown codes are left out)."""
    if not codes:
        return {}
    return dict(session.execute(select(Course.code, Course.id).where(Course.code.in_(codes))).all())


def _done_pairs(session: Session, user_ids: set[int], ids: set[int]) -> set[tuple[int, int]]:
    # (user id, course id) of the credited completions among these people and courses.
    if not user_ids or not ids:
        return set()
    rows = session.execute(
        select(Completion.user_id, Completion.course_id).where(
            Completion.user_id.in_(user_ids),
            Completion.course_id.in_(ids),
            credited.completion_counts(Completion.id),
        )
    )
    return {(u, c) for u, c in rows if c is not None}  # a class's completion may have none


@dataclass
class SyncReport:
    people_assigned: int = 0
    assignments_made: int = 0
    assignments_cancelled: int = 0
    joined: list[int] = field(default_factory=list)


def sync(
    session: Session, path: LearningPath, *, today: date, actor_id: int | None = None
) -> SyncReport:
    """Assign the path's courses to its group and cancel what people who left had not done."""
    report = SyncReport()
    if not path.is_active:
        return report
    session.flush()
    wanted_ids = course_ids(session, list(path.course_codes))
    wanted = set(wanted_ids.values())
    members = member_ids(session, path)
    existing: dict[tuple[int, int], Assignment] = {}
    if members and wanted:
        for a in session.scalars(
            select(Assignment).where(
                Assignment.course_id.in_(wanted), Assignment.user_id.in_(member_ids_query(path))
            )
        ):
            existing[(a.user_id, a.course_id)] = a
    ours = list(session.scalars(select(Assignment).where(Assignment.via_path_id == path.id)))

    # Left the group (or the course left the path): cancel what is not done.
    stale = [a for a in ours if a.user_id not in members or a.course_id not in wanted]
    done = _done_pairs(session, {a.user_id for a in stale}, {a.course_id for a in stale})
    reason = f"Tidak lagi dalam sasaran jalur belajar: {path.name}"
    for a in stale:
        if (a.user_id, a.course_id) in done:
            continue
        assignments.cancel(session, a, reason, actor_id=actor_id)
        report.assignments_cancelled += 1

    due_on = today + timedelta(days=path.due_days)
    ordered = [wanted_ids[c] for c in path.course_codes if c in wanted_ids]
    for user_id in sorted(members):
        made = []
        for course_id in ordered:
            if (user_id, course_id) in existing:
                continue
            session.add(
                Assignment(
                    user_id=user_id,
                    course_id=course_id,
                    due_on=due_on,
                    assigned_by_id=actor_id,
                    via_path_id=path.id,
                )
            )
            progress.enrol(session, user_id, course_id, source="assigned")
            made.append(course_id)
        if made:
            report.people_assigned += 1
            report.assignments_made += len(made)
            report.joined.append(user_id)
            audit.record(
                session,
                "path.assigned",
                actor_id=actor_id,
                target_type="user",
                target_id=str(user_id),
                path_id=path.id,
                path=path.name,
                courses=len(made),
                due_on=due_on.isoformat(),
            )
    session.flush()
    return report


def sync_all(session: Session, *, today: date, actor_id: int | None = None) -> SyncReport:
    """Sync every active path (after a roster import); the reports added up."""
    total = SyncReport()
    for path in session.scalars(
        select(LearningPath).where(LearningPath.is_active.is_(True)).order_by(LearningPath.id)
    ):
        one = sync(session, path, today=today, actor_id=actor_id)
        total.people_assigned += one.people_assigned
        total.assignments_made += one.assignments_made
        total.assignments_cancelled += one.assignments_cancelled
    return total


def sync_after_roster_import(session: Session, actor_id: int | None) -> None:
    """The roster import's hook: re-sync every active path on the roster just written."""
    sync_all(session, today=clock.today(), actor_id=actor_id)


# --- what HR sees --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCompletion:
    unit_name: str | None
    members: int
    completed: int  # every course of the path done (credited)


@dataclass(frozen=True)
class PathSummary:
    path: LearningPath
    members: int
    completed: int
    units: list[UnitCompletion]


def summary(session: Session, path: LearningPath) -> PathSummary:
    """People in the group, how many finished every course, and the same per unit kerja."""
    ids = set(course_ids(session, list(path.course_codes)).values())
    rows = session.execute(
        select(User.id, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.id.in_(member_ids_query(path)))
    ).all()
    done_count: dict[int, int] = defaultdict(int)
    if ids and rows:
        for user_id, _course_id in session.execute(
            select(Completion.user_id, Completion.course_id)
            .where(
                Completion.user_id.in_(member_ids_query(path)),
                Completion.course_id.in_(ids),
                credited.completion_counts(Completion.id),
            )
            .distinct()
        ):
            done_count[user_id] += 1
    per_unit: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    completed = 0
    for user_id, unit_name in rows:
        finished = bool(ids) and done_count[user_id] >= len(ids)
        per_unit[unit_name][0] += 1
        per_unit[unit_name][1] += int(finished)
        completed += int(finished)
    units = [
        UnitCompletion(name, n, c)
        for name, (n, c) in sorted(per_unit.items(), key=lambda item: item[0] or "\uffff")
    ]
    return PathSummary(path=path, members=len(rows), completed=completed, units=units)


# --- what the learner sees -----------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerPath:
    name: str
    courses: int
    done: int
    next_code: str | None  # the first course in the path's order not done; None when all done


def paths_for_learner(session: Session, user_id: int) -> list[LearnerPath]:
    """The active paths whose group the learner is in, each with its next step: four queries
    however many paths there are (the home page is the busiest page)."""
    active = list(
        session.scalars(
            select(LearningPath).where(LearningPath.is_active.is_(True)).order_by(LearningPath.name)
        )
    )
    if not active:
        return []
    # One membership test per path, asked in one statement.
    tests = [
        member_ids_query(p).where(User.id == user_id).with_only_columns(literal(p.id))
        for p in active
    ]
    inside = set(session.scalars(union_all(*tests)))
    mine = [p for p in active if p.id in inside]
    ids = course_ids(session, sorted({c for p in mine for c in p.course_codes}))
    done = _done_pairs(session, {user_id}, set(ids.values()))
    found = []
    for path in mine:
        codes = [c for c in path.course_codes if c in ids]
        remaining = [c for c in codes if (user_id, ids[c]) not in done]
        found.append(
            LearnerPath(
                name=path.name,
                courses=len(codes),
                done=len(codes) - len(remaining),
                next_code=remaining[0] if remaining else None,
            )
        )
    return found
