"""A course's observation and interview figures (Kirkpatrick level 3), computed once here.

Two queries whatever the number of observations: ratings grouped by behaviour and level (with
the observations and learners observed), and the latest interview notes (with their number).
Behaviours are those rated (their text as kept on each rating), in the order of the course's
current `perilaku_diamati`; behaviours dropped from the course since are listed after them.

"Applied" means a rating at `APPLIED_LEVEL` or above (3 konsisten, 4 menjadi teladan). Names
of learners and interviewers come only when the caller says the reader may see them
(`with_names`); otherwise they are None and the notes are anonymous like survey comments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.evaluation import observation
from app.evaluation.models import Observation, ObservationRating
from app.evaluation.observation import InterviewView
from app.evaluation.observation_schemas import APPLIED_LEVEL, LEVELS

LATEST_INTERVIEWS = 5


def _share(distribution: Sequence[int]) -> float | None:
    total = sum(distribution)
    applied = sum(
        n for level, n in zip(LEVELS, distribution, strict=True) if level >= APPLIED_LEVEL
    )
    return applied / total if total else None


def _average(distribution: Sequence[int]) -> float | None:
    total = sum(distribution)
    weighted = sum(level * n for level, n in zip(LEVELS, distribution, strict=True))
    return weighted / total if total else None


@dataclass(frozen=True)
class BehaviourFigures:
    behaviour: str
    current: bool  # still in the course's `perilaku_diamati`
    distribution: tuple[int, ...]  # ratings at levels 1..4

    @property
    def ratings(self) -> int:
        return sum(self.distribution)

    @property
    def average(self) -> float | None:
        """Mean level, 1..4 (None without ratings)."""
        return _average(self.distribution)

    @property
    def applied_share(self) -> float | None:
        """Ratings at level 3 or above, 0..1 (None without ratings)."""
        return _share(self.distribution)


@dataclass(frozen=True)
class ObservationSummary:
    """Observations and interviews of one course."""

    course_id: int
    observations: int
    learners_observed: int
    behaviours: tuple[BehaviourFigures, ...]
    interviews: int
    latest_interviews: tuple[InterviewView, ...]  # newest first, at most LATEST_INTERVIEWS

    @property
    def distribution(self) -> tuple[int, ...]:
        """Every rating of every behaviour, at levels 1..4."""
        return tuple(sum(b.distribution[i] for b in self.behaviours) for i in range(len(LEVELS)))

    @property
    def ratings(self) -> int:
        return sum(self.distribution)

    @property
    def average(self) -> float | None:
        """Mean level over every rating, 1..4."""
        return _average(self.distribution)

    @property
    def applied_share(self) -> float | None:
        """Ratings at level 3 or above over every rating, 0..1."""
        return _share(self.distribution)


def observation_summary(
    session: Session,
    course_id: int,
    current_behaviours: Sequence[str] = (),
    *,
    with_names: bool = False,
) -> ObservationSummary:
    """The course's observation figures and latest interview notes (names only `with_names`)."""
    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(LEVELS))
    of_course = Observation.course_id == course_id
    # The observation counts ride along as scalar subqueries (a course's ratings exist only
    # with its observations), so the figures cost one query and the notes a second.
    observed_sq = select(func.count()).where(of_course).scalar_subquery()
    learners_sq = (
        select(func.count(distinct(Observation.user_id))).where(of_course).scalar_subquery()
    )
    rows = session.execute(
        select(
            ObservationRating.behaviour,
            ObservationRating.level,
            func.count(),
            observed_sq,
            learners_sq,
        )
        .join(Observation, Observation.id == ObservationRating.observation_id)
        .where(of_course)
        .group_by(ObservationRating.behaviour, ObservationRating.level)
    ).all()
    for behaviour, level, n, _observed, _learners in rows:
        counts[behaviour][LEVELS.index(level)] += n
    observed, learners = (rows[0][3], rows[0][4]) if rows else (0, 0)
    order = list(dict.fromkeys(current_behaviours))
    rest = sorted(b for b in counts if b not in order)
    behaviours = tuple(
        BehaviourFigures(b, b in current_behaviours, tuple(counts.get(b, [0] * len(LEVELS))))
        for b in [*order, *rest]
    )
    latest, interview_count = observation.latest_interviews(session, course_id, LATEST_INTERVIEWS)
    if not with_names:
        latest = [replace(i, interviewer_name=None, learner_name=None) for i in latest]
    return ObservationSummary(
        course_id=course_id,
        observations=observed,
        learners_observed=learners,
        behaviours=behaviours,
        interviews=interview_count,
        latest_interviews=tuple(latest),
    )
