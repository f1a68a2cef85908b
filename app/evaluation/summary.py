"""Evaluation numbers for trainer and HR reports: reaction, follow-up, supervisor checks.

Two queries whatever the number of courses (the surveys, and the plans grouped by course,
follow-up status, verdict and link state); comments carry no names.

Supervisors' answers are read against the learner's own report (`confirmation.agreement`):
confirmed, contradicted and pending are counted apart, and legacy answers (from before links
were bound to a named supervisor) are counted apart again and confirm nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from app.evaluation import confirmation, schemas
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
    # Verified supervisors' answers (NIP checked), read against the learner's report.
    supervisor_confirmed: int
    supervisor_contradicted: int
    # Links bound to a named supervisor and not answered yet (expired or locked included).
    supervisor_pending: int
    # Answers from before links were bound (migration 0009): unverified, never confirmations.
    supervisor_legacy: int
    # Verified answers per level of the scale, in `confirmation.VERDICTS` order.
    supervisor_scale: tuple[tuple[str, int], ...]

    @property
    def supervisor_scale_rows(self) -> tuple[tuple[str, str, int], ...]:
        """(verdict, its label in the current language, count), for templates."""
        labels = schemas.verdict_labels()
        return tuple((verdict, labels[verdict], n) for verdict, n in self.supervisor_scale)

    @property
    def supervisor_answers(self) -> int:
        """Verified supervisors' answers, whatever the verdict."""
        return sum(count for _verdict, count in self.supervisor_scale)

    @property
    def follow_ups(self) -> int:
        """Action plans whose follow-up the learner has reported."""
        return self.applied + self.partly + self.not_applied

    @property
    def follow_up_rate(self) -> float | None:
        """Reported follow-ups per action plan, 0..1 (None without plans)."""
        return self.follow_ups / self.action_plans if self.action_plans else None


@dataclass
class _PlanCounts:
    plans: int = 0
    pending: int = 0
    legacy: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    agreement: Counter[str] = field(default_factory=Counter)
    scale: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class PlanCounts:
    """Level 3 of one course: follow-ups reported and supervisors' answers read against them."""

    action_plans: int
    applied: int
    partly: int
    not_applied: int
    supervisor_confirmed: int
    supervisor_contradicted: int
    supervisor_pending: int

    @property
    def follow_ups(self) -> int:
        return self.applied + self.partly + self.not_applied

    @property
    def applied_share(self) -> float | None:
        """Follow-ups applied fully or partly, 0..1 (None without follow-ups)."""
        return (self.applied + self.partly) / self.follow_ups if self.follow_ups else None


def plan_counts(
    session: Session,
    course_ids: list[int],
    scope: Sequence[ColumnElement[bool]] = (),
    *,
    joins: Sequence[tuple[Any, ColumnElement[bool]]] = (),
) -> dict[int, PlanCounts]:
    """Level 3 per course in one grouped query, over the action plans matching `scope`.

    `joins` (table, on-clause) let `scope` reach other tables, e.g. the learner's unit.
    """
    counts = _plan_counts(session, course_ids, scope, joins)
    return {
        course_id: PlanCounts(
            action_plans=c.plans,
            applied=c.statuses["applied"],
            partly=c.statuses["partly"],
            not_applied=c.statuses["not_applied"],
            supervisor_confirmed=c.agreement["confirmed"],
            supervisor_contradicted=c.agreement["contradicted"],
            supervisor_pending=c.pending,
        )
        for course_id, c in counts.items()
    }


def _plan_counts(
    session: Session,
    course_ids: list[int],
    scope: Sequence[ColumnElement[bool]] = (),
    joins: Sequence[tuple[Any, ColumnElement[bool]]] = (),
) -> dict[int, _PlanCounts]:
    """Action plans per course, counted by follow-up status, verdict and link state."""
    pending = case(
        (
            and_(
                ActionPlan.supervisor_token_hash.is_not(None),
                ActionPlan.supervisor_confirmed_at.is_(None),
            ),
            1,
        ),
        else_=0,
    ).label("pending")
    counts = {course_id: _PlanCounts() for course_id in course_ids}
    query = select(
        ActionPlan.course_id,
        ActionPlan.follow_up_status,
        ActionPlan.supervisor_verdict,
        ActionPlan.supervisor_legacy,
        pending,
        func.count(),
    )
    for table, on in joins:
        query = query.join(table, on)
    for course_id, status, verdict, legacy, is_pending, n in session.execute(
        query.where(ActionPlan.course_id.in_(course_ids), *scope).group_by(
            ActionPlan.course_id,
            ActionPlan.follow_up_status,
            ActionPlan.supervisor_verdict,
            ActionPlan.supervisor_legacy,
            pending,
        )
    ):
        c = counts[course_id]
        c.plans += n
        if status is not None:
            c.statuses[status] += n
        if is_pending:
            c.pending += n
        if verdict is None:
            continue
        if legacy:
            c.legacy += n
            continue
        c.scale[verdict] += n
        # An answer without the learner's report cannot happen since links wait for the report
        # (0009); such a row would be in the scale only.
        if status is not None:
            c.agreement[confirmation.agreement(status, verdict)] += n
    return counts


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

    plans = _plan_counts(session, course_ids)
    summaries = {}
    for course_id in course_ids:
        rows = surveys[course_id]
        n = len(rows)

        def average(index: int, rows: list[Any] = rows, n: int = n) -> float | None:
            return sum(row[index] for row in rows) / n if n else None

        counts = plans[course_id]
        summaries[course_id] = EvaluationSummary(
            course_id=course_id,
            responses=n,
            relevance_avg=average(0),
            quality_avg=average(1),
            applicability_avg=average(2),
            comments=tuple(SurveyComment(row[3], row[4]) for row in rows if row[3]),
            action_plans=counts.plans,
            applied=counts.statuses["applied"],
            partly=counts.statuses["partly"],
            not_applied=counts.statuses["not_applied"],
            supervisor_confirmed=counts.agreement["confirmed"],
            supervisor_contradicted=counts.agreement["contradicted"],
            supervisor_pending=counts.pending,
            supervisor_legacy=counts.legacy,
            supervisor_scale=tuple(
                (verdict, counts.scale[verdict]) for verdict in confirmation.VERDICTS
            ),
        )
    return summaries


def course_evaluation_summary(session: Session, course_id: int) -> EvaluationSummary:
    """Survey averages and comments, action plans, follow-ups and supervisor checks of a course."""
    return evaluation_summaries(session, [course_id])[course_id]
