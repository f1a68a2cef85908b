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
- Cancelling runs for every path before assigning does (`sync_all`, `sync_person`), so a course
  two paths share follows a person who moved from one group to the other.
- Deleting a path (`delete`) cancels its open assignments the same way; those of finished
  courses stay as plain assignments.

Syncs run when HR saves a path, after every roster import (`sync_all`, registered with
`app.accounts.roster.after_import`), and for one person when HR changes their unit, jabatan,
golongan or active status on the web (`sync_person`, registered with
`app.accounts.service.after_person_change`, by `app.main`; the CLI registers the roster hook
and syncs a person it creates), since accounts imports no other domain. Paths from files:
`path_files` and `path_reload`. Paths only organise: the JP ledger is unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Select, literal, select, union_all
from sqlalchemy.orm import Session

from app import clock
from app.accounts import golongan
from app.accounts.models import EmployeeType, Unit, User
from app.audit import service as audit
from app.content.models import Course
from app.learning import assignments, credited, progress
from app.learning.models import Assignment, Completion, LearningPath


def audit_details(path: LearningPath) -> dict[str, object]:
    """What the audit log keeps of a path when it is created or changed (web or file)."""
    return {
        "path": path.name,
        "courses": list(path.course_codes),
        "employee_type": path.employee_type,
        "unit_id": path.unit_id,
        "jabatan": path.jabatan_pattern,
        "golongan_from": path.golongan_from,
        "golongan_to": path.golongan_to,
        "due_days": path.due_days,
        "active": path.is_active,
    }


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


def _group_of(session: Session, path: LearningPath) -> tuple[set[int], dict[str, int]]:
    return member_ids(session, path), course_ids(session, list(path.course_codes))


def _held_pairs(
    session: Session, path: LearningPath, wanted: dict[str, int]
) -> set[tuple[int, int]]:
    # (person, course) of the group's assignments of the path's courses, by anyone.
    if not wanted:
        return set()
    rows = session.execute(
        select(Assignment.user_id, Assignment.course_id).where(
            Assignment.course_id.in_(wanted.values()),
            Assignment.user_id.in_(member_ids_query(path)),
        )
    )
    return {(u, c) for u, c in rows}


def sync(
    session: Session, path: LearningPath, *, today: date, actor_id: int | None = None
) -> SyncReport:
    """Assign the path's courses to its group and cancel what people who left had not done."""
    report = SyncReport()
    if not path.is_active:
        return report
    session.flush()
    members, wanted = _group_of(session, path)
    ours = list(session.scalars(select(Assignment).where(Assignment.via_path_id == path.id)))
    _cancel_stale(session, path, members, wanted, ours, actor_id, report)
    held = _held_pairs(session, path, wanted) if members else set()
    _assign_missing(session, path, members, wanted, held, today, actor_id, report)
    session.flush()
    return report


# The two halves below are the one place that turns "who is in the group" into assignments,
# for the whole roster (`sync`, `sync_all`) or for one person (`sync_person`). Cancelling runs
# for every path before assigning does, so a course that two paths share and the person only
# moved between them is assigned again by the path they are now in, never left cancelled.


def _cancel_stale(
    session: Session,
    path: LearningPath,
    members: set[int],
    wanted: dict[str, int],
    ours: list[Assignment],
    actor_id: int | None,
    report: SyncReport,
) -> None:
    # `ours`: the path's own assignments among the people looked at; `members`: those of them
    # in the group. An assignment of someone outside (or of a course no longer in the path) is
    # cancelled unless its course is done: finished learning stays on the record as it is.
    courses = set(wanted.values())
    stale = [a for a in ours if a.user_id not in members or a.course_id not in courses]
    done = _done_pairs(session, {a.user_id for a in stale}, {a.course_id for a in stale})
    reason = f"Tidak lagi dalam sasaran jalur belajar: {path.name}"
    for a in stale:
        if (a.user_id, a.course_id) in done:
            continue
        assignments.cancel(session, a, reason, actor_id=actor_id)
        report.assignments_cancelled += 1


def _assign_missing(
    session: Session,
    path: LearningPath,
    members: set[int],
    wanted: dict[str, int],
    held: set[tuple[int, int]],
    today: date,
    actor_id: int | None,
    report: SyncReport,
) -> None:
    # Each member gets every path course they hold no assignment of (`held`: by the path or by
    # HR), due `due_days` from today; what is made is added to `held`.
    due_on = today + timedelta(days=path.due_days)
    ordered = [wanted[c] for c in path.course_codes if c in wanted]
    for user_id in sorted(members):
        made = []
        for course_id in ordered:
            if (user_id, course_id) in held:
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
            held.add((user_id, course_id))
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


def sync_all(session: Session, *, today: date, actor_id: int | None = None) -> SyncReport:
    """Sync every active path (after a roster import): every path cancels, then every path
    assigns."""
    report = SyncReport()
    session.flush()
    active = list(
        session.scalars(
            select(LearningPath).where(LearningPath.is_active.is_(True)).order_by(LearningPath.id)
        )
    )
    groups = {p.id: _group_of(session, p) for p in active}
    for path in active:
        members, wanted = groups[path.id]
        ours = list(session.scalars(select(Assignment).where(Assignment.via_path_id == path.id)))
        _cancel_stale(session, path, members, wanted, ours, actor_id, report)
    for path in active:
        members, wanted = groups[path.id]
        held = _held_pairs(session, path, wanted) if members else set()
        _assign_missing(session, path, members, wanted, held, today, actor_id, report)
    session.flush()
    return report


def sync_after_roster_import(session: Session, actor_id: int | None) -> None:
    """The roster import's hook: re-sync every active path on the roster just written."""
    sync_all(session, today=clock.today(), actor_id=actor_id)


def _active_paths(session: Session) -> list[LearningPath]:
    return list(session.scalars(_active_paths_statement()))


@cache
def _active_paths_statement() -> Select[LearningPath]:
    # Built once: the learner home asks it on every visit (see app.learning.jp).
    return select(LearningPath).where(LearningPath.is_active.is_(True)).order_by(LearningPath.name)


def _paths_with_member(session: Session, user_id: int, active: list[LearningPath]) -> set[int]:
    # One membership test per path, asked in one statement: the ids of the paths whose group
    # holds this person.
    if not active:
        return set()
    tests = [
        member_ids_query(p).where(User.id == user_id).with_only_columns(literal(p.id))
        for p in active
    ]
    return set(session.scalars(union_all(*tests)))


def sync_person(
    session: Session, user: User, *, today: date, actor_id: int | None = None
) -> SyncReport:
    """Bring one person's path assignments in step with their profile and status (after HR
    edits them on the web): the rule of `sync_all`, for one person."""
    report = SyncReport()
    session.flush()
    active = _active_paths(session)
    if not active:
        return report
    inside = _paths_with_member(session, user.id, active)
    ids = course_ids(session, sorted({c for p in active for c in p.course_codes}))
    wanted = {p.id: {c: ids[c] for c in p.course_codes if c in ids} for p in active}
    mine = list(session.scalars(select(Assignment).where(Assignment.user_id == user.id)))
    for path in active:
        members = {user.id} if path.id in inside else set()
        ours = [a for a in mine if a.via_path_id == path.id]
        _cancel_stale(session, path, members, wanted[path.id], ours, actor_id, report)
    held = {
        (user.id, course_id)
        for course_id in session.scalars(
            select(Assignment.course_id).where(Assignment.user_id == user.id)
        )
    }
    for path in active:
        if path.id in inside:
            _assign_missing(
                session, path, {user.id}, wanted[path.id], held, today, actor_id, report
            )
    session.flush()
    return report


def person_changed(session: Session, user: User, actor_id: int | None) -> None:
    """The accounts hook: re-sync one person whose profile or status HR just changed."""
    sync_person(session, user, today=clock.today(), actor_id=actor_id)


@dataclass(frozen=True)
class DeleteReport:
    cancelled: int  # open assignments the path had made, removed
    kept: int  # its assignments of finished courses, kept as plain assignments


def delete(session: Session, path: LearningPath, *, actor_id: int | None) -> DeleteReport:
    """Delete a path: the open assignments it made are cancelled (audited, like HR's own), those
    of finished courses stay as plain assignments, credited learning is untouched; audited."""
    ours = list(session.scalars(select(Assignment).where(Assignment.via_path_id == path.id)))
    done = _done_pairs(session, {a.user_id for a in ours}, {a.course_id for a in ours})
    reason = f"Jalur belajar dihapus: {path.name}"
    cancelled = kept = 0
    for a in ours:
        if (a.user_id, a.course_id) in done:
            a.via_path_id = None
            kept += 1
        else:
            assignments.cancel(session, a, reason, actor_id=actor_id)
            cancelled += 1
    audit.record(
        session,
        "path.deleted",
        actor_id=actor_id,
        target_type="learning_path",
        target_id=str(path.id),
        path=path.name,
        courses=list(path.course_codes),
        cancelled=cancelled,
        kept=kept,
    )
    session.delete(path)
    session.flush()
    return DeleteReport(cancelled, kept)


def open_assignment_count(session: Session, path: LearningPath) -> int:
    """How many of the path's assignments are of courses not yet done (what deleting it
    cancels)."""
    ours = session.execute(
        select(Assignment.user_id, Assignment.course_id).where(Assignment.via_path_id == path.id)
    ).all()
    done = _done_pairs(session, {u for u, _c in ours}, {c for _u, c in ours})
    return sum(1 for u, c in ours if (u, c) not in done)


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
    active = _active_paths(session)
    if not active:
        return []
    inside = _paths_with_member(session, user_id, active)
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
