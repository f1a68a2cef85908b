"""What the observation pages read: the observer's own checklist of a completion, and the
interview notes of a completion or of many (the latest, for the course report).

Interview notes carry names (the learner's, the interviewer's); the callers decide who may
see them (`observation_summary.observation_summary(with_names=...)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.evaluation.models import FollowUpInterview, Observation, ObservationRating
from app.evaluation.observation import Target
from app.learning.models import Completion


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
            Observation.completion_id == t.completion_id, Observation.observer_id == observer_id
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


def interviews(session: Session, completion_id: int) -> list[InterviewView]:
    """Interview notes of one completion, newest first."""
    query = _interview_query().where(FollowUpInterview.completion_id == completion_id)
    return [InterviewView(*row) for row in session.execute(query)]


def latest_interviews(
    session: Session, of: ColumnElement[bool], limit: int
) -> tuple[list[InterviewView], int]:
    """The `limit` latest interview notes about the completions matching `of` (a condition on
    `Completion`, e.g. its course) and how many there are, in one query."""
    total = func.count().over().label("total")
    query = (
        _interview_query()
        .add_columns(total)
        .join(Completion, Completion.id == FollowUpInterview.completion_id)
        .where(of)
    )
    rows = session.execute(query.limit(limit)).all()
    return [InterviewView(*row[:-1]) for row in rows], (rows[0][-1] if rows else 0)
