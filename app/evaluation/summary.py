"""Evaluation numbers for trainer and HR reports: reaction, follow-up, supervisor checks.

Two grouped queries whatever the number of courses; comments carry no names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.evaluation.models import ActionPlan, ReactionSurvey


@dataclass(frozen=True)
class SurveyComment:
    text: str
    submitted_at: datetime


@dataclass(frozen=True)
class EvaluationSummary:
    """Levels 1 and 3 for one course, anonymous (no names, no NIPs)."""

    course_id: int
    responses: int
    relevance_avg: float | None  # 1..5, None without responses
    quality_avg: float | None
    applicability_avg: float | None
    comments: tuple[SurveyComment, ...]  # latest first
    action_plans: int
    applied: int
    partly: int
    not_applied: int
    supervisor_confirmed: int
    supervisor_not_seen: int

    @property
    def follow_ups(self) -> int:
        """Action plans whose follow-up the learner has reported."""
        return self.applied + self.partly + self.not_applied

    @property
    def follow_up_rate(self) -> float | None:
        """Reported follow-ups per action plan, 0..1 (None without plans)."""
        return self.follow_ups / self.action_plans if self.action_plans else None


def _count_where(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def evaluation_summaries(session: Session, course_ids: list[int]) -> dict[int, EvaluationSummary]:
    """Summaries for several courses in two queries (one over surveys, one over plans)."""
    course_ids = list(dict.fromkeys(course_ids))
    surveys: dict[int, list[tuple[int, int, int, str | None, datetime]]] = {
        course_id: [] for course_id in course_ids
    }
    for course_id, relevance, quality, applicability, comment, at in session.execute(
        select(
            ReactionSurvey.course_id,
            ReactionSurvey.relevance,
            ReactionSurvey.quality,
            ReactionSurvey.applicability,
            ReactionSurvey.comment,
            ReactionSurvey.submitted_at,
        )
        .where(ReactionSurvey.course_id.in_(course_ids))
        .order_by(ReactionSurvey.submitted_at.desc(), ReactionSurvey.id.desc())
    ):
        surveys[course_id].append((relevance, quality, applicability, comment, at))

    plans = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                ActionPlan.course_id,
                func.count(),
                _count_where(ActionPlan.follow_up_status == "applied"),
                _count_where(ActionPlan.follow_up_status == "partly"),
                _count_where(ActionPlan.follow_up_status == "not_applied"),
                _count_where(ActionPlan.supervisor_verdict == "confirmed"),
                _count_where(ActionPlan.supervisor_verdict == "not_seen"),
            )
            .where(ActionPlan.course_id.in_(course_ids))
            .group_by(ActionPlan.course_id)
        )
    }

    summaries = {}
    for course_id in course_ids:
        rows = surveys[course_id]
        n = len(rows)

        def average(index: int, rows: list[Any] = rows, n: int = n) -> float | None:
            return sum(row[index] for row in rows) / n if n else None

        counts = [int(value) for value in plans.get(course_id, (0, 0, 0, 0, 0, 0))]
        summaries[course_id] = EvaluationSummary(
            course_id=course_id,
            responses=n,
            relevance_avg=average(0),
            quality_avg=average(1),
            applicability_avg=average(2),
            comments=tuple(SurveyComment(row[3], row[4]) for row in rows if row[3]),
            action_plans=counts[0],
            applied=counts[1],
            partly=counts[2],
            not_applied=counts[3],
            supervisor_confirmed=counts[4],
            supervisor_not_seen=counts[5],
        )
    return summaries


def course_evaluation_summary(session: Session, course_id: int) -> EvaluationSummary:
    """Survey averages and comments, action plans, follow-ups and supervisor checks of a course."""
    return evaluation_summaries(session, [course_id])[course_id]
