"""Observation checklists and follow-up interviews: Kirkpatrick level 3 seen by someone else.

What is observed is a *completion*: a course completed (online, or through a class that
delivers it) or a stand-alone class attended (app.classes). The behaviours are the course's
current `perilaku_diamati`, or the stand-alone class's own list
(`class_sessions.observed_behaviours`).

Who may observe or interview a learner about a completion, the rule in one place (`capacity`):
- never the learner themself, whatever their roles (`SelfObservation`, 403);
- HR (capacity "hr") and admins ("admin"), for any completion;
- a trainer ("trainer") of the completion's course, or of its class (`can_observe_class`); a
  trainer of another course is refused, as on the course report;
- the learner's supervisor ("supervisor"): the logged-in person whose NIP the learner bound
  their supervisor link to (`ActionPlan.supervisor_nip`, the identification the supervisor's
  confirmation uses, `supervisor.py`) -- for this course; for a stand-alone class, which has
  no action plan, on any of the learner's action plans. A supervisor without an account
  still confirms through the link, but observes only once logged in.
Only a completion that counts (its certificate not revoked, `app.learning.credited`) can be
observed.

One observation per observer and completion: its author edits it (each save audited with the
levels before and after), so an observer counts once in the figures. The behaviours are kept
on each rating; a course or class without them has no checklist (no generic list: averages
over behaviours nobody derived from the objectives would mean nothing), but interviews work.
Interviews are events, several per completion, kept as written.

Services never commit; audit details carry ids and levels, never the free text. What the
pages read back (the observer's own checklist, interview notes) is `observation_reads.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, exists, func, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, Unit, User
from app.accounts.viewer import Viewer
from app.audit import service as audit
from app.classes import owner
from app.classes.models import ClassSession
from app.content.models import Course, CourseTrainer, CourseVersion
from app.db import insert_or_ignore, utcnow
from app.errors import Forbidden, NotFound
from app.evaluation.models import ActionPlan, FollowUpInterview, Observation, ObservationRating
from app.evaluation.observation_schemas import InterviewInput, ObservationInput
from app.evaluation.schemas import InvalidInput
from app.i18n import gettext as _
from app.learning import credited
from app.learning.models import Completion


def class_code(class_session_id: int) -> str:
    """The code a class goes by on certificates and reports (KELAS-12), as app.classes.roll."""
    return f"KELAS-{class_session_id}"


class SelfObservation(Forbidden):
    """The learner tried to observe or interview themself."""


def can_observe_class(viewer: Viewer, class_session: ClassSession) -> bool:
    """Whether `viewer` may observe the attendees of `class_session` as its trainer: those
    who manage the class (HR, admins and its responsible trainer, app.classes.owner)."""
    return owner.manages(viewer, class_session)


def capacity(
    session: Session,
    viewer: Viewer,
    learner_id: int,
    course_id: int | None,
    class_session: ClassSession | None = None,
) -> str | None:
    """The capacity `viewer` may observe the learner's completion of the course (or of the
    stand-alone class, `course_id` None) in, or None (see the module)."""
    if viewer.id == learner_id:
        raise SelfObservation(
            _(
                "Anda tidak dapat mengamati atau mewawancarai diri sendiri: penerapan hasil "
                "pelatihan dinilai oleh pengajar, BKPSDM, atau atasan Anda."
            )
        )
    if viewer.has_role(Role.HR):
        return "hr"
    if viewer.has_role(Role.ADMIN):
        return "admin"
    if viewer.has_role(Role.TRAINER):
        if course_id is not None and session.get(CourseTrainer, (course_id, viewer.id)) is not None:
            return "trainer"
        if class_session is not None and can_observe_class(viewer, class_session):
            return "trainer"
    bound = exists().where(
        ActionPlan.user_id == learner_id, ActionPlan.supervisor_nip == viewer.nip
    )
    if course_id is not None:
        bound = bound.where(ActionPlan.course_id == course_id)
    if session.scalar(select(bound)):
        return "supervisor"
    return None


@dataclass(frozen=True)
class Target:
    """A completion someone may observe, with what the pages show about it."""

    completion_id: int
    learner_id: int
    learner_name: str
    learner_unit: str | None
    course_id: int | None  # None: a stand-alone class
    class_session_id: int | None  # the class it was completed through, if any
    code: str  # the course's code, or KELAS-{id} for a stand-alone class
    title: str
    course_version_id: int | None
    completed_at: datetime
    behaviours: tuple[str, ...]  # the course's current `perilaku_diamati` or the class's list
    capacity: str

    @property
    def is_class(self) -> bool:
        """A stand-alone class (no course)."""
        return self.course_id is None


def target(session: Session, viewer: Viewer, completion_id: int) -> Target:
    """The completion `viewer` may observe (404 unknown or revoked, 403 not theirs to observe)."""
    row = session.execute(
        credited.join_current_certificate(
            select(
                Completion.user_id,
                Completion.course_id,
                Completion.class_session_id,
                Completion.completed_at,
                User.full_name,
                Unit.name,
                Course.code,
                Course.current_version_id,
                CourseVersion.title,
                CourseVersion.observed_behaviours,
                ClassSession,
            )
            .join(User, User.id == Completion.user_id)
            .outerjoin(Unit, Unit.id == User.unit_id)
            .outerjoin(Course, Course.id == Completion.course_id)
            .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
            .outerjoin(ClassSession, ClassSession.id == Completion.class_session_id)
        ).where(Completion.id == completion_id, credited.credited())
    ).first()
    if row is None:
        raise NotFound(_("Penyelesaian ini tidak ditemukan atau sertifikatnya dicabut."))
    (learner_id, course_id, class_id, completed_at, name, unit, code, version_id, title,
     course_behaviours, lesson) = row  # fmt: skip
    role = capacity(session, viewer, learner_id, course_id, lesson)
    if role is None:
        raise Forbidden(
            _(
                "Anda tidak dapat mengamati pegawai ini untuk pelatihan ini: pengamatan diisi "
                "oleh pengajar, BKPSDM, atau atasan yang ditunjuk pegawai."
            )
        )
    if course_id is not None:
        behaviours, code, title = course_behaviours, code, title or code
    else:
        assert lesson is not None  # a completion has a course or a class (a CHECK)
        behaviours, code, title = lesson.observed_behaviours, class_code(lesson.id), lesson.title
        version_id = None
    return Target(
        completion_id=completion_id,
        learner_id=learner_id,
        learner_name=name,
        learner_unit=unit,
        course_id=course_id,
        class_session_id=class_id,
        code=code,
        title=title,
        course_version_id=version_id,
        completed_at=completed_at,
        behaviours=tuple(behaviours or ()),
        capacity=role,
    )


def _check_date(value: date, t: Target, field: str, label: str) -> None:
    if value < clock.local_date(t.completed_at):
        raise InvalidInput(
            {field: _("{label} tidak boleh sebelum pelatihan diselesaikan.").format(label=label)}
        )


def _about(t: Target) -> dict[str, Any]:
    """What the audit details say the record is about: ids, and the code the sentence names."""
    return {
        "user_id": t.learner_id,
        "completion_id": t.completion_id,
        "course_id": t.course_id,
        "class_session_id": t.class_session_id,
        "subject": t.code,
        "capacity": t.capacity,
    }


def save_observation(session: Session, viewer: Viewer, t: Target, data: ObservationInput) -> int:
    """Record or update the viewer's observation (audited); returns its id."""
    if not t.behaviours:
        raise Forbidden(_("Pelatihan ini belum memiliki daftar perilaku yang diamati."))
    if len(data.levels) != len(t.behaviours):
        raise InvalidInput({"note": _("Daftar perilaku berubah. Muat ulang halaman.")})
    _check_date(data.observed_on, t, "observed_on", _("Tanggal pengamatan"))
    now = utcnow()
    created = insert_or_ignore(
        session,
        Observation,
        {
            "user_id": t.learner_id,
            "completion_id": t.completion_id,
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
        .where(Observation.completion_id == t.completion_id, Observation.observer_id == viewer.id)
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
        **_about(t),
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
        completion_id=t.completion_id,
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
        **_about(t),
        interviewee=data.interviewee,
        interviewed_on=data.interviewed_on.isoformat(),
    )
    return interview.id


def supervised_count(session: Session, nip: str) -> int:
    """How many people bound their supervisor link for a course to this NIP."""
    return session.scalar(_supervised_statement(), {"nip": nip}) or 0


@cache
def _supervised_statement() -> Select[int]:
    # Built once: every home page asks it, whatever the roles (see app.learning.jp).
    return select(func.count()).where(
        ActionPlan.supervisor_nip == bindparam("nip", type_=ActionPlan.supervisor_nip.type)
    )
