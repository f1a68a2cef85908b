"""Evaluation of every course for BKPSDM: one row per course for a year and, optionally, a unit.

What each column counts, for the year Y (local calendar year, `app.clock`) and the learner's
*current* unit kerja when a unit is chosen:

- learners: people who enrolled in the course in Y;
- completions: credited completions made in Y (`app.learning.credited`: a completion whose
  current certificate is revoked does not count);
- reaction (Kirkpatrick 1): reaction surveys submitted in Y, the mean of each 1-5 scale;
- learning gain (level 2): over the learners with a credited completion in Y, their pre-test
  and counted final test, read exactly as on the course report (`course_report.gain_stats`);
- application at work (level 3) and supervisors' answers: action plans written in Y, counted
  as on the course report (`app.evaluation.summary.plan_counts`);
- observations and follow-up interviews (level 3 seen by a trainer, HR or a supervisor):
  observations made (`observed_on`) and interviews held in Y, counted by
  `app.evaluation.observation_summary.observation_figures` like the course report's: learners
  observed, the mean over every rating on the 1-4 scale, the share of ratings at level 3 or
  above, interviews recorded. A course's completions through its classes count for the course.

Stand-alone classes (pelatihan klasikal without a course) get rows of their own
(`ClassEvaluation`): those finalised that started in Y, and any observed or interviewed in Y,
with their credited completions and the same observation figures.

Ten grouped queries whatever the number of courses and classes; no query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import User
from app.classes.models import ClassSession
from app.content.format.specs import FINAL_TEST_KEY, PRETEST_KEY
from app.content.models import Course, CourseVersion
from app.evaluation import observation_summary
from app.evaluation import summary as evaluation_summary
from app.evaluation.models import ActionPlan, ReactionSurvey
from app.evaluation.observation import class_code
from app.evaluation.observation_summary import ObservationFigures
from app.learning import credited
from app.learning.models import Completion, Enrolment, ModuleProgress, QuizAttempt
from app.reports import course_report

COLUMNS = [
    "Kode Kursus", "Judul Kursus", "Peserta", "Selesai", "Tanggapan Survei",
    "Relevansi (1-5)", "Kualitas (1-5)", "Dapat Diterapkan (1-5)", "Reaksi (1-5)",
    "Peserta dengan Tes Awal dan Akhir", "Kenaikan (poin)", "Kenaikan Ternormalisasi (g)",
    "Laporan Tindak Lanjut", "Diterapkan (%)", "Dikonfirmasi Atasan", "Bertentangan",
    "Menunggu Atasan", "Pegawai Diamati", "Rata-rata Pengamatan (1-4)",
    "Pengamatan Tingkat 3+ (%)", "Wawancara Tindak Lanjut",
]  # fmt: skip


def _r(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def _observation_cells(observed: ObservationFigures) -> list[object]:
    share = observed.applied_share
    return [
        observed.learners_observed, _r(observed.average),
        None if share is None else round(100 * share, 1), observed.interviews,
    ]  # fmt: skip


@dataclass(frozen=True)
class OverviewFilters:
    year: int
    unit_id: int | None = None

    def describe(self) -> dict[str, Any]:
        """The filters as recorded in the audit log."""
        return {"year": self.year, "unit_id": self.unit_id}


@dataclass(frozen=True)
class CourseEvaluation:
    """One course's evaluation in the year (and unit)."""

    course_id: int
    code: str
    title: str
    learners: int
    completions: int
    responses: int
    relevance_avg: float | None
    quality_avg: float | None
    applicability_avg: float | None
    gain: course_report.GainStats
    plans: evaluation_summary.PlanCounts
    observed: ObservationFigures

    @property
    def reaction_avg(self) -> float | None:
        """The mean of the three scales, as level 1 on the course report."""
        values = [v for v in (self.relevance_avg, self.quality_avg, self.applicability_avg) if v]
        return sum(values) / len(values) if values else None

    def export_row(self) -> list[object]:
        """The row as written in CSV/XLSX: ratios as percentages, averages to 2 places."""

        share = self.plans.applied_share
        return [
            self.code, self.title, self.learners, self.completions, self.responses,
            _r(self.relevance_avg), _r(self.quality_avg), _r(self.applicability_avg),
            _r(self.reaction_avg), self.gain.learners, _r(self.gain.gain_average, 1),
            _r(self.gain.normalized_average), self.plans.follow_ups,
            None if share is None else round(100 * share, 1),
            self.plans.supervisor_confirmed, self.plans.supervisor_contradicted,
            self.plans.supervisor_pending, *_observation_cells(self.observed),
        ]  # fmt: skip


@dataclass(frozen=True)
class ClassEvaluation:
    """One stand-alone class's completions and observation figures in the year (and unit)."""

    class_session_id: int
    title: str
    starts_at: datetime
    completions: int
    observed: ObservationFigures

    @property
    def code(self) -> str:
        return class_code(self.class_session_id)

    @property
    def held_on(self) -> date:
        """The local day the class was held."""
        return clock.local_date(self.starts_at)

    def export_row(self) -> list[object]:
        """The row in the file: the class's code and title, completions, observation cells
        (a class has no enrolments, survey, tests or action plans: those cells stay empty)."""
        return [
            self.code, self.title, None, self.completions, *[None] * 13,
            *_observation_cells(self.observed),
        ]  # fmt: skip


def _in_year(column: Any, year: int) -> ColumnElement[bool]:
    start, end = clock.year_bounds(year)
    return and_(column >= start, column < end)


def _in_unit(user_id: Any, unit_id: int | None) -> list[ColumnElement[bool]]:
    if unit_id is None:
        return []
    return [exists().where(User.id == user_id, User.unit_id == unit_id)]


def _counted_completion(user_id: Any, course_id: Any, filters: OverviewFilters) -> Any:
    # A credited completion in the year by this person of this course (in the unit).
    return exists().where(
        Completion.user_id == user_id,
        Completion.course_id == course_id,
        credited.completed_in(filters.year),
        credited.completion_counts(Completion.id),
        *_in_unit(Completion.user_id, filters.unit_id),
    )


def _grouped(session: Session, query: Any) -> dict[int, Any]:
    return {row[0]: row[1:] for row in session.execute(query)}


def _gains(
    session: Session, filters: OverviewFilters, policies: dict[int, str]
) -> dict[int, course_report.GainStats]:
    attempts: dict[int, dict[str, list[QuizAttempt]]] = defaultdict(lambda: defaultdict(list))
    for attempt in session.scalars(
        select(QuizAttempt)
        .where(
            QuizAttempt.quiz_key.in_([PRETEST_KEY, FINAL_TEST_KEY]),
            QuizAttempt.submitted_at.is_not(None),
            QuizAttempt.late.is_(False),
            _counted_completion(QuizAttempt.user_id, QuizAttempt.course_id, filters),
        )
        .order_by(QuizAttempt.id)
    ):
        attempts[attempt.course_id][attempt.quiz_key].append(attempt)
    opened: dict[int, dict[int, datetime]] = defaultdict(dict)
    for course_id, user_id, first in session.execute(
        select(
            ModuleProgress.course_id,
            ModuleProgress.user_id,
            func.min(ModuleProgress.first_opened_at),
        )
        .where(_counted_completion(ModuleProgress.user_id, ModuleProgress.course_id, filters))
        .group_by(ModuleProgress.course_id, ModuleProgress.user_id)
    ):
        opened[course_id][user_id] = first
    return {
        course_id: course_report.gain_stats(
            attempts[course_id][PRETEST_KEY],
            attempts[course_id][FINAL_TEST_KEY],
            policies.get(course_id, "terbaik"),
            opened[course_id],
        )
        for course_id in policies
    }


def _observed(
    session: Session, filters: OverviewFilters
) -> dict[observation_summary.Subject, ObservationFigures]:
    return observation_summary.observation_figures(
        session, year=filters.year, unit_id=filters.unit_id
    )


def course_evaluations(
    session: Session,
    filters: OverviewFilters,
    observed: dict[observation_summary.Subject, ObservationFigures] | None = None,
) -> list[CourseEvaluation]:
    """Every published course's evaluation for the year (and unit), ordered by code
    (`observed`: the year's observation figures, when the caller read them already)."""
    if observed is None:
        observed = _observed(session, filters)
    courses = session.execute(
        select(Course.id, Course.code, CourseVersion.title, CourseVersion.score_policy)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .order_by(Course.code)
    ).all()
    if not courses:
        return []
    course_ids = [row.id for row in courses]
    unit = filters.unit_id
    learners = _grouped(
        session,
        select(Enrolment.course_id, func.count(func.distinct(Enrolment.user_id)))
        .where(_in_year(Enrolment.enrolled_at, filters.year), *_in_unit(Enrolment.user_id, unit))
        .group_by(Enrolment.course_id),
    )
    completions = _grouped(
        session,
        select(Completion.course_id, func.count())
        .where(
            credited.completed_in(filters.year),
            credited.completion_counts(Completion.id),
            *_in_unit(Completion.user_id, unit),
        )
        .group_by(Completion.course_id),
    )
    reactions = _grouped(
        session,
        select(
            ReactionSurvey.course_id,
            func.count(),
            func.avg(ReactionSurvey.relevance),
            func.avg(ReactionSurvey.quality),
            func.avg(ReactionSurvey.applicability),
        )
        .where(
            _in_year(ReactionSurvey.submitted_at, filters.year),
            *_in_unit(ReactionSurvey.user_id, unit),
        )
        .group_by(ReactionSurvey.course_id),
    )
    plans = evaluation_summary.plan_counts(
        session,
        course_ids,
        [_in_year(ActionPlan.created_at, filters.year), *_in_unit(ActionPlan.user_id, unit)],
    )
    gains = _gains(session, filters, {row.id: row.score_policy for row in courses})

    def average(value: Any) -> float | None:
        return None if value is None else float(value)

    result = []
    for row in courses:
        responses, relevance, quality, applicability = reactions.get(row.id, (0, None, None, None))
        result.append(
            CourseEvaluation(
                course_id=row.id,
                code=row.code,
                title=row.title,
                learners=int(learners.get(row.id, (0,))[0]),
                completions=int(completions.get(row.id, (0,))[0]),
                responses=int(responses),
                relevance_avg=average(relevance),
                quality_avg=average(quality),
                applicability_avg=average(applicability),
                gain=gains[row.id],
                plans=plans[row.id],
                observed=observed.get(("course", row.id), ObservationFigures()),
            )
        )
    return result


def class_evaluations(
    session: Session,
    filters: OverviewFilters,
    observed: dict[observation_summary.Subject, ObservationFigures] | None = None,
) -> list[ClassEvaluation]:
    """Stand-alone classes finalised that started in the year, or observed or interviewed in
    it, oldest first, with their credited completions (in the unit) and observation figures."""
    if observed is None:
        observed = _observed(session, filters)
    observed_ids = [key for kind, key in observed if kind == "class"]
    completions = (
        select(func.count())
        .where(
            Completion.class_session_id == ClassSession.id,
            credited.completion_counts(Completion.id),
            *_in_unit(Completion.user_id, filters.unit_id),
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(ClassSession.id, ClassSession.title, ClassSession.starts_at, completions)
        .where(
            ClassSession.course_id.is_(None),
            (
                and_(
                    ClassSession.status == "finalised",
                    _in_year(ClassSession.starts_at, filters.year),
                )
            )
            | ClassSession.id.in_(observed_ids or [0]),
        )
        .order_by(ClassSession.starts_at, ClassSession.id)
    ).all()
    return [
        ClassEvaluation(
            class_session_id=class_id,
            title=title,
            starts_at=starts_at,
            completions=int(done or 0),
            observed=observed.get(("class", class_id), ObservationFigures()),
        )
        for class_id, title, starts_at, done in rows
    ]


def evaluations(
    session: Session, filters: OverviewFilters
) -> tuple[list[CourseEvaluation], list[ClassEvaluation]]:
    """The overview's course rows and stand-alone class rows, the figures read once."""
    observed = _observed(session, filters)
    return (
        course_evaluations(session, filters, observed),
        class_evaluations(session, filters, observed),
    )


def export_rows(
    rows: Sequence[CourseEvaluation], classes: Sequence[ClassEvaluation] = ()
) -> Iterator[list[object]]:
    """The rows of the CSV/XLSX file, in `COLUMNS` order: courses, then stand-alone classes."""
    yield from (row.export_row() for row in rows)
    yield from (row.export_row() for row in classes)
