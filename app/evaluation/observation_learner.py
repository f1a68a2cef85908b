"""What a learner sees of the observations and interviews about their own work.

On `/riwayat` each completed course or class with an observation or interview gets one line
(`lines_for`: two queries for the whole record): the latest observation, who observed in what
role and when, and its mean on the 4-level scale. `/riwayat/pengamatan/{completion_id}` shows
them in full (`details`): each observation's behaviours with the level and its label, the
observer's note, and the interview notes, with the observer's or interviewer's name and role.
Only the learner's own completion: another person's is "not found" (its existence is not
confirmed). Trainers, HR and supervisors read them on their own pages (`/pengamatan`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from babel.numbers import format_decimal
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import i18n
from app.accounts.models import User
from app.classes.models import ClassSession
from app.content.models import Course, CourseVersion
from app.errors import NotFound
from app.evaluation import observation_reads
from app.evaluation.models import FollowUpInterview, Observation, ObservationRating
from app.evaluation.observation_reads import InterviewView
from app.i18n import gettext as _
from app.learning.models import Completion


def role_labels() -> dict[str, str]:
    """The capacity an observer acted in, as the learner reads it."""
    return {
        "trainer": _("pengajar"),
        "hr": _("BKPSDM"),
        "admin": _("admin Lentera"),
        "supervisor": _("atasan"),
    }


def average_text(value: float | None) -> str:
    """A mean level as the reader writes it: 3,2 in Indonesian."""
    if value is None:
        return "–"
    return format_decimal(round(value, 1), "0.0", locale=i18n.get_locale())


@dataclass(frozen=True)
class ObservedLine:
    """The line on the record: the latest observation of a completion, and how many."""

    completion_id: int
    observations: int
    latest_on: date | None
    latest_role: str | None
    latest_average: float | None
    interviews: int
    latest_interview_on: date | None


def lines_for(
    session: Session, learner_id: int, completion_ids: Sequence[int]
) -> dict[int, ObservedLine]:
    """{completion id: line} for the learner's completions with an observation or interview."""
    if not completion_ids:
        return {}
    observed = session.execute(
        select(
            Observation.completion_id,
            Observation.observed_on,
            Observation.observer_role,
            func.avg(ObservationRating.level),
        )
        .outerjoin(ObservationRating, ObservationRating.observation_id == Observation.id)
        .where(Observation.user_id == learner_id, Observation.completion_id.in_(completion_ids))
        .group_by(Observation.id, Observation.completion_id)
        .order_by(Observation.observed_on.desc(), Observation.id.desc())
    ).all()
    interviewed = {
        completion_id: (n, latest)
        for completion_id, n, latest in session.execute(
            select(
                FollowUpInterview.completion_id,
                func.count(),
                func.max(FollowUpInterview.interviewed_on),
            )
            .where(
                FollowUpInterview.user_id == learner_id,
                FollowUpInterview.completion_id.in_(completion_ids),
            )
            .group_by(FollowUpInterview.completion_id)
        )
    }
    latest: dict[int, tuple[date, str, float | None]] = {}
    counts: dict[int, int] = {}
    for completion_id, observed_on, role, average in observed:  # newest first
        latest.setdefault(completion_id, (observed_on, role, average))
        counts[completion_id] = counts.get(completion_id, 0) + 1
    lines = {}
    for completion_id in {*latest, *interviewed}:
        on, role, average = latest.get(completion_id, (None, None, None))
        n, last_interview = interviewed.get(completion_id, (0, None))
        lines[completion_id] = ObservedLine(
            completion_id=completion_id,
            observations=counts.get(completion_id, 0),
            latest_on=on,
            latest_role=role,
            latest_average=None if average is None else float(average),
            interviews=n,
            latest_interview_on=last_interview,
        )
    return lines


@dataclass(frozen=True)
class ObservationDetail:
    observer_name: str | None  # None once the observer's account is gone
    observer_role: str
    observed_on: date
    note: str | None
    ratings: tuple[tuple[str, int], ...]  # (behaviour, level), in order
    updated_at: datetime

    @property
    def average(self) -> float | None:
        levels = [level for _behaviour, level in self.ratings]
        return sum(levels) / len(levels) if levels else None


@dataclass(frozen=True)
class LearnerObservations:
    completion_id: int
    title: str
    completed_at: datetime
    observations: tuple[ObservationDetail, ...]  # newest first
    interviews: tuple[InterviewView, ...]  # newest first


def details(session: Session, learner_id: int, completion_id: int) -> LearnerObservations:
    """Everything observed about the learner's own completion (404 for anyone else's)."""
    row = session.execute(
        select(Completion.completed_at, CourseVersion.title, Course.code, ClassSession.title)
        .outerjoin(Course, Course.id == Completion.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .outerjoin(ClassSession, ClassSession.id == Completion.class_session_id)
        .where(Completion.id == completion_id, Completion.user_id == learner_id)
    ).first()
    if row is None:
        raise NotFound(_("Penyelesaian ini tidak ditemukan di riwayat Anda."))
    completed_at, course_title, code, class_title = row
    observations = session.execute(
        select(Observation, User.full_name)
        .outerjoin(User, User.id == Observation.observer_id)
        .where(Observation.completion_id == completion_id)
        .order_by(Observation.observed_on.desc(), Observation.id.desc())
    ).all()
    ratings: dict[int, list[tuple[str, int]]] = {}
    for observation_id, behaviour, level in session.execute(
        select(
            ObservationRating.observation_id, ObservationRating.behaviour, ObservationRating.level
        )
        .where(ObservationRating.observation_id.in_([o.id for o, _name in observations] or [0]))
        .order_by(ObservationRating.observation_id, ObservationRating.position)
    ):
        ratings.setdefault(observation_id, []).append((behaviour, level))
    return LearnerObservations(
        completion_id=completion_id,
        title=course_title or code or class_title or "",
        completed_at=completed_at,
        observations=tuple(
            ObservationDetail(
                observer_name=name,
                observer_role=o.observer_role,
                observed_on=o.observed_on,
                note=o.note,
                ratings=tuple(ratings.get(o.id, ())),
                updated_at=o.updated_at,
            )
            for o, name in observations
        ),
        interviews=tuple(observation_reads.interviews(session, completion_id)),
    )
