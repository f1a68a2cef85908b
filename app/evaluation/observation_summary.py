"""Observation and interview figures (Kirkpatrick level 3), computed once here for every page.

The course report (one course, with its latest interview notes) and HR's evaluation overview
(every course and stand-alone class in a year, optionally one unit kerja) both read
`observation_figures`: two grouped queries whatever the number of courses, classes and
observations -- ratings by subject, behaviour and level; then observations (with learners
observed) and interviews by subject, in one UNION. A *subject* is what a completion is of
(`Subject`): its course (online or through a class that delivers it), else its stand-alone
class.

Behaviours are those rated (their text as kept on each rating), in the order of the current
list (`perilaku_diamati`, or the class's own); behaviours dropped since are listed after them.
"Applied" means a rating at `APPLIED_LEVEL` or above (3 konsisten, 4 menjadi teladan). Names
of learners and interviewers come only when the caller says the reader may see them
(`with_names`); otherwise they are None and the notes are anonymous like survey comments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, distinct, exists, func, literal, select, union_all
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.evaluation import observation_reads
from app.evaluation.models import FollowUpInterview, Observation, ObservationRating
from app.evaluation.observation_reads import InterviewView
from app.evaluation.observation_schemas import APPLIED_LEVEL, LEVELS
from app.learning.models import Completion

LATEST_INTERVIEWS = 5

# ("course", course id) or ("class", class session id) for a stand-alone class.
Subject = tuple[Literal["course", "class"], int]


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
    current: bool  # still in the course's (or class's) list
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
class ObservationFigures:
    """Observations and interviews of one subject (a course, or a stand-alone class)."""

    observations: int = 0
    learners_observed: int = 0
    behaviours: tuple[BehaviourFigures, ...] = ()
    interviews: int = 0

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


@dataclass(frozen=True)
class ObservationSummary(ObservationFigures):
    """A course's figures with its latest interview notes (the course report)."""

    course_id: int = 0
    latest_interviews: tuple[InterviewView, ...] = field(default=())  # newest first


def _subject(course_id: int | None, class_session_id: int | None) -> Subject:
    if course_id is not None:
        return ("course", course_id)
    assert class_session_id is not None  # a completion has a course or a class (a CHECK)
    return ("class", class_session_id)


def _in_year(column: Any, year: int) -> ColumnElement[bool]:
    return and_(column >= date(year, 1, 1), column < date(year + 1, 1, 1))


def _in_unit(user_id: Any, unit_id: int) -> ColumnElement[bool]:
    return exists().where(User.id == user_id, User.unit_id == unit_id)


def observation_figures(
    session: Session,
    *,
    course_id: int | None = None,
    year: int | None = None,
    unit_id: int | None = None,
    current_behaviours: Mapping[Subject, Sequence[str]] | None = None,
) -> dict[Subject, ObservationFigures]:
    """Figures per subject with any observation or interview, in two grouped queries.

    `course_id`: only that course's. `year`: observations observed and interviews held in
    that calendar year (plain dates). `unit_id`: learners now in that unit kerja.
    `current_behaviours`: each subject's current list, to order and mark behaviours.
    """
    subject_columns = (Completion.course_id, Completion.class_session_id)

    def scoped(query: Any, model: Any, on: Any) -> Any:
        query = query.join(Completion, Completion.id == model.completion_id)
        if course_id is not None:
            query = query.where(Completion.course_id == course_id)
        if year is not None:
            query = query.where(_in_year(on, year))
        if unit_id is not None:
            query = query.where(_in_unit(model.user_id, unit_id))
        return query.group_by(*subject_columns)

    ratings: defaultdict[Subject, defaultdict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0] * len(LEVELS))
    )
    rating_query = (
        select(*subject_columns, ObservationRating.behaviour, ObservationRating.level, func.count())
        .select_from(ObservationRating)
        .join(Observation, Observation.id == ObservationRating.observation_id)
    )
    for course, lesson, behaviour, level, n in session.execute(
        scoped(rating_query, Observation, Observation.observed_on).group_by(
            ObservationRating.behaviour, ObservationRating.level
        )
    ):
        ratings[_subject(course, lesson)][behaviour][LEVELS.index(level)] += n
    # Observations (with learners observed) and interviews counted in one round trip.
    observations = scoped(
        select(
            *subject_columns,
            literal("observations").label("kind"),
            func.count().label("n"),
            func.count(distinct(Observation.user_id)).label("learners"),
        ).select_from(Observation),
        Observation,
        Observation.observed_on,
    )
    interviews = scoped(
        select(
            *subject_columns,
            literal("interviews").label("kind"),
            func.count().label("n"),
            literal(0).label("learners"),
        ).select_from(FollowUpInterview),
        FollowUpInterview,
        FollowUpInterview.interviewed_on,
    )
    # A course delivered online and through classes is one subject: its groups add up (a
    # learner completes a course once, so learners observed do not overlap between groups).
    counted: defaultdict[Subject, list[int]] = defaultdict(lambda: [0, 0, 0])
    for course, lesson, kind, n, learners in session.execute(union_all(observations, interviews)):
        counts = counted[_subject(course, lesson)]
        if kind == "observations":
            counts[0] += n
            counts[1] += learners
        else:
            counts[2] += n
    figures = {}
    for subject, (n, learners, interviewed) in counted.items():
        levels: Mapping[str, list[int]] = ratings.get(subject, {})
        order = list(dict.fromkeys((current_behaviours or {}).get(subject, ())))
        rest = sorted(b for b in levels if b not in order)
        figures[subject] = ObservationFigures(
            observations=n,
            learners_observed=learners,
            behaviours=tuple(
                BehaviourFigures(b, b in order, tuple(levels.get(b, [0] * len(LEVELS))))
                for b in [*order, *rest]
            ),
            interviews=interviewed,
        )
    return figures


def empty(current_behaviours: Sequence[str] = ()) -> ObservationFigures:
    """The figures of a subject nobody observed yet (its behaviours listed, unrated)."""
    return ObservationFigures(
        behaviours=tuple(
            BehaviourFigures(b, True, (0,) * len(LEVELS)) for b in dict.fromkeys(current_behaviours)
        )
    )


def observation_summary(
    session: Session,
    course_id: int,
    current_behaviours: Sequence[str] = (),
    *,
    with_names: bool = False,
) -> ObservationSummary:
    """The course's observation figures and latest interview notes (names only `with_names`)."""
    subject: Subject = ("course", course_id)
    figures = observation_figures(
        session, course_id=course_id, current_behaviours={subject: current_behaviours}
    ).get(subject) or empty(current_behaviours)
    latest, _total = observation_reads.latest_interviews(
        session, Completion.course_id == course_id, LATEST_INTERVIEWS
    )
    if not with_names:
        latest = [replace(i, interviewer_name=None, learner_name=None) for i in latest]
    return ObservationSummary(
        observations=figures.observations,
        learners_observed=figures.learners_observed,
        behaviours=figures.behaviours,
        interviews=figures.interviews,
        course_id=course_id,
        latest_interviews=tuple(latest),
    )
