"""Observation checklists and follow-up interviews: Kirkpatrick level 3 seen by someone else.

Who may observe or interview a learner about a course, the rule in one place (`capacity`):
- never the learner themself, whatever their roles (`SelfObservation`, 403);
- HR (capacity "hr") and admins ("admin"), for any completion;
- a trainer of that course ("trainer"); a trainer of another course is refused, as on the
  course report;
- the learner's supervisor ("supervisor"): the logged-in person whose NIP is the one the
  learner bound their supervisor link to for this course (`ActionPlan.supervisor_nip`, the
  identification the supervisor's confirmation uses, `supervisor.py`). A supervisor without an
  account still confirms through the link, but observes only once logged in.
Only a completion that counts (its certificate not revoked, `app.learning.credited`) can be
observed.

One observation per observer, learner and course: its author edits it (each save audited
with the levels before and after), so an observer counts once in the figures. The behaviours
are the course's current `perilaku_diamati`, kept on each rating; a course without them has
no checklist (no generic list: averages over behaviours nobody derived from the course's
objectives would mean nothing), but interviews work. Interviews are events, several per
completion, kept as written.

Services never commit; audit details carry ids and levels, never the free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from app import clock
from app.accounts.models import Role, Unit, User
from app.accounts.viewer import Viewer
from app.audit import service as audit
from app.content.models import Course, CourseTrainer, CourseVersion
from app.db import insert_or_ignore, utcnow
from app.errors import Forbidden, NotFound
from app.evaluation.models import ActionPlan, FollowUpInterview, Observation, ObservationRating
from app.evaluation.observation_schemas import InterviewInput, ObservationInput
from app.evaluation.schemas import InvalidInput
from app.i18n import gettext as _
from app.learning import credited
from app.learning.models import Completion


class SelfObservation(Forbidden):
    """The learner tried to observe or interview themself."""


def capacity(session: Session, viewer: Viewer, learner_id: int, course_id: int) -> str | None:
    """The capacity `viewer` may observe the learner's course in, or None (see the module)."""
    if viewer.id == learner_id:
        raise SelfObservation(
            _(
                "Anda tidak dapat mengamati atau mewawancarai diri sendiri: penerapan hasil "
                "kursus dinilai oleh pengajar, BKPSDM, atau atasan Anda."
            )
        )
    if viewer.has_role(Role.HR):
        return "hr"
    if viewer.has_role(Role.ADMIN):
        return "admin"
    if viewer.has_role(Role.TRAINER) and (
        session.get(CourseTrainer, (course_id, viewer.id)) is not None
    ):
        return "trainer"
    bound = session.scalar(
        select(ActionPlan.supervisor_nip).where(
            ActionPlan.user_id == learner_id, ActionPlan.course_id == course_id
        )
    )
    if bound is not None and bound == viewer.nip:
        return "supervisor"
    return None


@dataclass(frozen=True)
class Target:
    """A completion someone may observe, with what the pages show about it."""

    completion_id: int
    learner_id: int
    learner_name: str
    learner_unit: str | None
    course_id: int
    course_code: str
    course_title: str
    course_version_id: int | None
    completed_at: datetime
    behaviours: tuple[str, ...]  # the current version's `perilaku_diamati`
    capacity: str


def target(session: Session, viewer: Viewer, completion_id: int) -> Target:
    """The completion `viewer` may observe (404 unknown or revoked, 403 not theirs to observe)."""
    row = session.execute(
        credited.join_current_certificate(
            select(
                Completion.user_id,
                Completion.course_id,
                Completion.completed_at,
                User.full_name,
                Unit.name,
                Course.code,
                Course.current_version_id,
                CourseVersion.title,
                CourseVersion.observed_behaviours,
            )
            .join(User, User.id == Completion.user_id)
            .outerjoin(Unit, Unit.id == User.unit_id)
            .join(Course, Course.id == Completion.course_id)
            .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        ).where(Completion.id == completion_id, credited.credited())
    ).first()
    if row is None:
        raise NotFound(_("Penyelesaian kursus ini tidak ditemukan atau sertifikatnya dicabut."))
    learner_id, course_id, completed_at, name, unit, code, version_id, title, behaviours = row
    assert course_id is not None  # inner-joined to Course: a class-only completion never matches
    role = capacity(session, viewer, learner_id, course_id)
    if role is None:
        raise Forbidden(
            _(
                "Anda tidak dapat mengamati pegawai ini untuk kursus ini: pengamatan diisi oleh "
                "pengajar kursus, BKPSDM, atau atasan yang ditunjuk pegawai."
            )
        )
    return Target(
        completion_id=completion_id,
        learner_id=learner_id,
        learner_name=name,
        learner_unit=unit,
        course_id=course_id,
        course_code=code,
        course_title=title or code,
        course_version_id=version_id,
        completed_at=completed_at,
        behaviours=tuple(behaviours or ()),
        capacity=role,
    )


@dataclass(frozen=True)
class ObservationView:
    id: int
    observed_on: date
    note: str | None
    ratings: tuple[tuple[str, int], ...]  # (behaviour, level), in order
    updated_at: datetime


def own_observation(session: Session, observer_id: int, t: Target) -> ObservationView | None:
    """The observer's own observation of this completion, if they filled one."""
    observation = session.scalar(
        select(Observation).where(
            Observation.user_id == t.learner_id,
            Observation.course_id == t.course_id,
            Observation.observer_id == observer_id,
        )
    )
    if observation is None:
        return None
    ratings = session.execute(
        select(ObservationRating.behaviour, ObservationRating.level)
        .where(ObservationRating.observation_id == observation.id)
        .order_by(ObservationRating.position)
    ).all()
    return ObservationView(
        observation.id,
        observation.observed_on,
        observation.note,
        tuple((behaviour, level) for behaviour, level in ratings),
        observation.updated_at,
    )


def _check_date(value: date, t: Target, field: str, label: str) -> None:
    if value < clock.local_date(t.completed_at):
        raise InvalidInput(
            {field: _("{label} tidak boleh sebelum kursus diselesaikan.").format(label=label)}
        )


def save_observation(session: Session, viewer: Viewer, t: Target, data: ObservationInput) -> int:
    """Record or update the viewer's observation (audited); returns its id."""
    if not t.behaviours:
        raise Forbidden(_("Kursus ini belum memiliki daftar perilaku yang diamati."))
    if len(data.levels) != len(t.behaviours):
        raise InvalidInput({"note": _("Daftar perilaku kursus berubah. Muat ulang halaman.")})
    _check_date(data.observed_on, t, "observed_on", _("Tanggal pengamatan"))
    now = utcnow()
    created = insert_or_ignore(
        session,
        Observation,
        {
            "user_id": t.learner_id,
            "course_id": t.course_id,
            "observer_id": viewer.id,
            "observer_role": t.capacity,
            "course_version_id": t.course_version_id,
            "observed_on": data.observed_on,
            "note": data.note,
            "created_at": now,
            "updated_at": now,
        },
    )
    observation = session.scalars(
        select(Observation)
        .where(
            Observation.user_id == t.learner_id,
            Observation.course_id == t.course_id,
            Observation.observer_id == viewer.id,
        )
        .with_for_update()
    ).one()
    before = [
        level
        for (level,) in session.execute(
            select(ObservationRating.level)
            .where(ObservationRating.observation_id == observation.id)
            .order_by(ObservationRating.position)
        )
    ]
    if not created:
        observation.observer_role = t.capacity
        observation.course_version_id = t.course_version_id
        observation.observed_on = data.observed_on
        observation.note = data.note
        observation.updated_at = now
        session.execute(
            delete(ObservationRating).where(ObservationRating.observation_id == observation.id)
        )
    session.add_all(
        ObservationRating(
            observation_id=observation.id, position=position, behaviour=behaviour, level=level
        )
        for position, (behaviour, level) in enumerate(
            zip(t.behaviours, data.levels, strict=True), start=1
        )
    )
    session.flush()
    audit.record(
        session,
        "evaluation.observation_recorded" if created else "evaluation.observation_updated",
        actor_id=viewer.id,
        target_type="observation",
        target_id=observation.id,
        user_id=t.learner_id,
        course_id=t.course_id,
        capacity=t.capacity,
        observed_on=data.observed_on.isoformat(),
        levels=list(data.levels),
        **({} if created else {"levels_before": before}),
    )
    return observation.id


def record_interview(session: Session, viewer: Viewer, t: Target, data: InterviewInput) -> int:
    """Add a follow-up interview note to the completion (audited); returns its id."""
    _check_date(data.interviewed_on, t, "interviewed_on", _("Tanggal wawancara"))
    interview = FollowUpInterview(
        user_id=t.learner_id,
        course_id=t.course_id,
        interviewer_id=viewer.id,
        interviewer_role=t.capacity,
        interviewed_on=data.interviewed_on,
        interviewee=data.interviewee,
        skills_applied=data.skills_applied,
        obstacles=data.obstacles,
        support_needed=data.support_needed,
        note=data.note,
        created_at=utcnow(),
    )
    session.add(interview)
    session.flush()
    audit.record(
        session,
        "evaluation.interview_recorded",
        actor_id=viewer.id,
        target_type="follow_up_interview",
        target_id=interview.id,
        user_id=t.learner_id,
        course_id=t.course_id,
        capacity=t.capacity,
        interviewee=data.interviewee,
        interviewed_on=data.interviewed_on.isoformat(),
    )
    return interview.id


@dataclass(frozen=True)
class InterviewView:
    interviewed_on: date
    interviewee: str
    skills_applied: str
    obstacles: str | None
    support_needed: str | None
    note: str | None
    interviewer_name: str | None
    interviewer_role: str
    learner_name: str | None  # None where the reader may not see names
    created_at: datetime


def _interview_query() -> Select[*tuple[Any, ...]]:
    interviewer = aliased(User)
    return (
        select(
            FollowUpInterview.interviewed_on,
            FollowUpInterview.interviewee,
            FollowUpInterview.skills_applied,
            FollowUpInterview.obstacles,
            FollowUpInterview.support_needed,
            FollowUpInterview.note,
            interviewer.full_name,
            FollowUpInterview.interviewer_role,
            User.full_name,
            FollowUpInterview.created_at,
        )
        .join(User, User.id == FollowUpInterview.user_id)
        .outerjoin(interviewer, interviewer.id == FollowUpInterview.interviewer_id)
        .order_by(
            FollowUpInterview.interviewed_on.desc(),
            FollowUpInterview.created_at.desc(),
            FollowUpInterview.id.desc(),
        )
    )


def interviews(session: Session, course_id: int, learner_id: int) -> list[InterviewView]:
    """Interview notes of one learner's completion of a course, newest first."""
    query = _interview_query().where(
        FollowUpInterview.course_id == course_id, FollowUpInterview.user_id == learner_id
    )
    return [InterviewView(*row) for row in session.execute(query)]


def latest_interviews(
    session: Session, course_id: int, limit: int
) -> tuple[list[InterviewView], int]:
    """The course's `limit` latest interview notes and how many it has, in one query."""
    total = func.count().over().label("total")
    query = _interview_query().add_columns(total).where(FollowUpInterview.course_id == course_id)
    rows = session.execute(query.limit(limit)).all()
    return [InterviewView(*row[:-1]) for row in rows], (rows[0][-1] if rows else 0)


def supervised_count(session: Session, nip: str) -> int:
    """How many people bound their supervisor link for a course to this NIP."""
    return session.scalar(select(func.count()).where(ActionPlan.supervisor_nip == nip)) or 0


@dataclass(frozen=True)
class ObservableCompletion:
    completion_id: int
    learner_name: str
    unit_name: str | None
    course_code: str
    course_title: str
    completed_at: datetime
    observed_by_me: bool
    interviews: int


def observable_completions(
    session: Session, viewer: Viewer, course_code: str | None = None, limit: int = 200
) -> list[ObservableCompletion]:
    """Completions the viewer may observe, newest first (a course's, or their team's)."""
    query = credited.join_current_certificate(
        select(
            Completion.id,
            Completion.user_id,
            Completion.course_id,
            User.full_name,
            Unit.name,
            Course.code,
            CourseVersion.title,
            Completion.completed_at,
        )
        .join(User, User.id == Completion.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .join(Course, Course.id == Completion.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
    ).where(credited.credited(), Completion.user_id != viewer.id)
    if course_code is not None:
        query = query.where(Course.code == course_code)
    if not viewer.has_role(Role.HR, Role.ADMIN):
        taught = select(CourseTrainer.course_id).where(CourseTrainer.user_id == viewer.id)
        supervised = select(ActionPlan.user_id, ActionPlan.course_id).where(
            ActionPlan.supervisor_nip == viewer.nip
        )
        conditions = [tuple_(Completion.user_id, Completion.course_id).in_(supervised)]
        if viewer.has_role(Role.TRAINER):
            conditions.append(Completion.course_id.in_(taught))
        query = query.where(or_(*conditions))
    rows = session.execute(
        query.order_by(Completion.completed_at.desc(), Completion.id.desc()).limit(limit)
    ).all()
    pairs = {(user_id, course_id) for _id, user_id, course_id, *_rest in rows}
    mine = {
        (user_id, course_id)
        for user_id, course_id in session.execute(
            select(Observation.user_id, Observation.course_id).where(
                Observation.observer_id == viewer.id
            )
        )
    }
    counts = {
        (user_id, course_id): n
        for user_id, course_id, n in session.execute(
            select(FollowUpInterview.user_id, FollowUpInterview.course_id, func.count())
            .where(FollowUpInterview.course_id.in_({course_id for _u, course_id in pairs} or {0}))
            .group_by(FollowUpInterview.user_id, FollowUpInterview.course_id)
        )
    }
    return [
        ObservableCompletion(
            completion_id=completion_id,
            learner_name=name,
            unit_name=unit,
            course_code=code,
            course_title=title or code,
            completed_at=completed_at,
            observed_by_me=(user_id, course_id) in mine,
            interviews=counts.get((user_id, course_id), 0),
        )
        for completion_id, user_id, course_id, name, unit, code, title, completed_at in rows
        if course_id is not None  # inner-joined to Course above; narrows the type
    ]
