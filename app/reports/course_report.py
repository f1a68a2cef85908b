"""A course's report for its trainers: who enrolled, where learners stop, how the final test
goes, what they learned (pre/post gain), how each quiz question works, and the evaluation.

The page costs a fixed handful of queries however many learners a course has (modules,
enrolments with completions, module progress grouped by module, the course's attempts, the quiz
versions they answered, and the evaluation service's two); everything else is computed here in
Python. Loading a course's submitted attempts in one query is fine up to tens of thousands of
attempts: 20,000 attempts at a 16-question test take about 7 s on a slow test machine, most of it
decoding the attempts' stored JSON (drawn questions and answers), a third the item analysis.
Beyond that, cache the report per course or compute it overnight rather than per request.

Readings use stated thresholds (shown on the page) so trainers in different programmes read
the numbers the same way:
- Reaction (Kirkpatrick 1), mean of the three 1-5 scales: >= 4.0 good, >= 3.0 fair, else poor.
- Learning (level 2), mean normalized gain g: >= 0.7 high, >= 0.3 medium, else low (Hake 1998).
- Application (level 3), share of reported follow-ups applied fully or partly: >= 70% good,
  >= 40% fair, else low.
- Pace: completions made unusually fast, by `app/reports/pace.is_unusually_fast`.

Gain starts from each learner's pre-test taken before their first module was opened, chosen by
`app/learning/score_policy.gain_scores`, the same function as the learner's own page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.content.format.specs import FINAL_TEST_KEY, PRETEST_KEY, QuizSpec
from app.content.models import Course, CourseVersion, ModuleVersion, QuizVersion
from app.evaluation import summary as evaluation_summary
from app.evaluation.summary import EvaluationSummary
from app.learning import course_rules, grading, quizzes, score_policy
from app.learning.models import Completion, Enrolment, ModuleProgress, QuizAttempt
from app.reports import item_analysis, pace
from app.reports.item_analysis import QuizAnalysis
from app.reports.pace import PaceRow

REACTION_GOOD = 4.0
REACTION_FAIR = 3.0
GAIN_HIGH = 0.7
GAIN_MEDIUM = 0.3
APPLIED_GOOD = 0.7
APPLIED_FAIR = 0.4
SCORE_BINS = 10  # 0-9, 10-19, ..., 90-100

Level = Literal["baik", "cukup", "kurang", "tanpa_data"]


@dataclass(frozen=True)
class VersionNote:
    number: int
    label: str
    published_at: datetime | None


@dataclass(frozen=True)
class EnrolmentStats:
    total: int
    self_enrolled: int
    assigned: int
    completed: int  # enrolled learners who completed the course
    average_days: float | None  # enrolment to completion, over those who completed

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.total if self.total else None


@dataclass(frozen=True)
class FunnelStep:
    slug: str
    title: str
    order: int  # 1 for the course's first module
    opened: int
    completed: int
    lost: int  # completed the step before (or enrolled, for the first) but not this one

    def share(self, count: int, enrolled: int) -> float | None:
        return count / enrolled if enrolled else None


@dataclass(frozen=True)
class FinalTestStats:
    passing_score: int | None  # percent, of the current version
    takers: int  # learners with a counted (submitted, on-time) attempt
    passed: int
    average: float | None  # percent, of counted attempts
    bins: tuple[int, ...]  # counted scores per 10-point bin, the last one 90-100

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.takers if self.takers else None

    @property
    def largest_bin(self) -> int:
        return max(self.bins, default=0)


@dataclass(frozen=True)
class GainStats:
    learners: int  # with both a pre-test and a counted final test
    pre_average: float | None  # percent
    post_average: float | None
    gain_average: float | None  # percentage points
    normalized_average: float | None  # Hake's g, over learners whose pre-test was below 100%
    normalized_learners: int


@dataclass(frozen=True)
class Reading:
    level: Level
    value: float | None  # reaction 1-5; learning g; application share 0..1
    basis: int  # responses, learners or follow-ups the value rests on


@dataclass(frozen=True)
class CourseReport:
    code: str
    title: str
    version: VersionNote | None
    enrolments: EnrolmentStats
    funnel: tuple[FunnelStep, ...]
    final: FinalTestStats
    gain: GainStats
    quizzes: tuple[QuizAnalysis, ...]  # pre-test, practice quizzes in module order, final test
    evaluation: EvaluationSummary
    reaction: Reading
    learning: Reading
    application: Reading
    fast: tuple[PaceRow, ...] = ()  # completions made unusually fast (see app/reports/pace.py)

    @property
    def largest_drop(self) -> FunnelStep | None:
        """The module where most learners stopped, or None when nobody stopped."""
        step = max(self.funnel, key=lambda s: s.lost, default=None)
        return step if step is not None and step.lost > 0 else None


def build_course_report(session: Session, course: Course) -> CourseReport:
    """Everything on the trainer's course report page, in a fixed number of queries."""
    version = course.current_version
    modules = _modules(session, version)
    enrolments = _enrolments(session, course.id)
    funnel = _funnel(session, course.id, modules, enrolments.total)
    attempts = _attempts(session, course.id)
    by_key: defaultdict[str, list[QuizAttempt]] = defaultdict(list)
    for attempt in attempts:
        by_key[attempt.quiz_key].append(attempt)
    policy = version.score_policy if version else "terbaik"
    final = final_test_stats(
        by_key[FINAL_TEST_KEY], policy, version.passing_score if version else None
    )
    gain = gain_stats(
        by_key[PRETEST_KEY],
        by_key[FINAL_TEST_KEY],
        policy,
        course_rules.first_opened_by_learner(session, course.id),
    )
    analyses = _item_analyses(session, course, [slug for slug, _title in modules], by_key)
    evaluation = evaluation_summary.course_evaluation_summary(session, course.id)
    return CourseReport(
        code=course.code,
        title=version.title if version else course.code,
        version=VersionNote(version.number, version.version_label, version.published_at)
        if version
        else None,
        enrolments=enrolments,
        funnel=funnel,
        final=final,
        gain=gain,
        quizzes=analyses,
        evaluation=evaluation,
        reaction=reaction_reading(evaluation),
        learning=learning_reading(gain),
        application=application_reading(evaluation),
        fast=tuple(pace.fast_completions(session, course_id=course.id)),
    )


def _modules(session: Session, version: CourseVersion | None) -> list[tuple[str, str]]:
    """(slug, title) of the version's modules in course order; not their HTML."""
    if version is None:
        return []
    rows = session.execute(
        select(ModuleVersion.slug, ModuleVersion.title)
        .where(ModuleVersion.course_version_id == version.id)
        .order_by(ModuleVersion.position)
    )
    return [(slug, title) for slug, title in rows]


def _enrolments(session: Session, course_id: int) -> EnrolmentStats:
    rows = session.execute(
        select(Enrolment.source, Enrolment.enrolled_at, Completion.completed_at)
        .outerjoin(
            Completion,
            (Completion.user_id == Enrolment.user_id) & (Completion.course_id == course_id),
        )
        .where(Enrolment.course_id == course_id)
    ).all()
    days = [
        max((done - enrolled).total_seconds(), 0) / 86400
        for _source, enrolled, done in rows
        if done is not None
    ]
    return EnrolmentStats(
        total=len(rows),
        self_enrolled=sum(1 for source, _e, _d in rows if source != "assigned"),
        assigned=sum(1 for source, _e, _d in rows if source == "assigned"),
        completed=len(days),
        average_days=sum(days) / len(days) if days else None,
    )


def _funnel(
    session: Session, course_id: int, modules: Sequence[tuple[str, str]], enrolled: int
) -> tuple[FunnelStep, ...]:
    counts = {
        slug: (int(opened), int(completed))
        for slug, opened, completed in session.execute(
            select(
                ModuleProgress.module_slug,
                func.count(),
                func.count(ModuleProgress.completed_at),
            )
            .join(
                Enrolment,
                (Enrolment.user_id == ModuleProgress.user_id)
                & (Enrolment.course_id == ModuleProgress.course_id),
            )
            .where(ModuleProgress.course_id == course_id)
            .group_by(ModuleProgress.module_slug)
        )
    }
    steps = []
    before = enrolled
    for order, (slug, title) in enumerate(modules, start=1):
        opened, completed = counts.get(slug, (0, 0))
        steps.append(
            FunnelStep(
                slug=slug,
                title=title,
                order=order,
                opened=opened,
                completed=completed,
                lost=max(before - completed, 0),
            )
        )
        before = completed
    return tuple(steps)


def _attempts(session: Session, course_id: int) -> list[QuizAttempt]:
    # Every submitted, on-time attempt of the course, all quizzes, in one query; the analysis
    # is in Python (see the module docstring for how far this goes).
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.course_id == course_id,
                QuizAttempt.submitted_at.is_not(None),
                QuizAttempt.late.is_(False),
            )
            .order_by(QuizAttempt.id)
        )
    )


def _by_learner(attempts: Sequence[QuizAttempt]) -> dict[int, list[QuizAttempt]]:
    grouped: defaultdict[int, list[QuizAttempt]] = defaultdict(list)
    for attempt in attempts:
        grouped[attempt.user_id].append(attempt)
    return grouped


def final_test_stats(
    attempts: Sequence[QuizAttempt], policy: str, passing_score: int | None
) -> FinalTestStats:
    """Pass rate and 10-point score distribution of the counted final-test attempts."""
    scores = []
    passed = 0
    for own in _by_learner(attempts).values():
        counted = score_policy.counted_attempt(own, policy)
        if counted is not None and counted.score is not None:
            scores.append(grading.score_percent(counted.score))
            # The pass rule has one owner: the same call the learner's result page makes.
            passed += passing_score is not None and score_policy.passed(
                counted.score, passing_score
            )
    bins = [0] * SCORE_BINS
    for score in scores:
        bins[min(score // 10, SCORE_BINS - 1)] += 1
    return FinalTestStats(
        passing_score=passing_score,
        takers=len(scores),
        passed=passed,
        average=sum(scores) / len(scores) if scores else None,
        bins=tuple(bins),
    )


def gain_stats(
    pre_attempts: Sequence[QuizAttempt],
    final_attempts: Sequence[QuizAttempt],
    policy: str,
    first_opened: Mapping[int, datetime],
) -> GainStats:
    """Average pre-test, final test, gain and normalized gain over learners who have both.

    `first_opened`: when each learner first opened a module of the course.
    """
    # As on the learner's course page: the pre-test taken before studying is where they
    # started, the final test's counted attempt is where they ended (one rule, one function).
    by_learner = score_policy.gain_by_learner(
        _by_learner(pre_attempts), _by_learner(final_attempts), policy, first_opened
    )
    pairs = [
        (g.pre, g.post) for g in by_learner.values() if g.pre is not None and g.post is not None
    ]
    if not pairs:
        return GainStats(0, None, None, None, None, 0)
    gains = [grading.learning_gain(a, b) for a, b in pairs]
    normalized = [g for g in (grading.normalized_gain(a, b) for a, b in pairs) if g is not None]
    n = len(pairs)
    return GainStats(
        learners=n,
        pre_average=sum(a for a, _ in pairs) * 100 / n,
        post_average=sum(b for _, b in pairs) * 100 / n,
        gain_average=sum(g for g in gains if g is not None) / n,
        normalized_average=sum(normalized) / len(normalized) if normalized else None,
        normalized_learners=len(normalized),
    )


def _item_analyses(
    session: Session,
    course: Course,
    module_slugs: list[str],
    by_key: Mapping[str, list[QuizAttempt]],
) -> tuple[QuizAnalysis, ...]:
    answered = select(QuizAttempt.quiz_version_id).where(
        QuizAttempt.course_id == course.id,
        QuizAttempt.submitted_at.is_not(None),
        QuizAttempt.late.is_(False),
    )
    rows = session.scalars(
        select(QuizVersion).where(
            or_(
                QuizVersion.id.in_(answered.distinct()),
                QuizVersion.course_version_id == course.current_version_id,
            )
        )
    ).all()
    specs: defaultdict[str, dict[int, QuizSpec]] = defaultdict(dict)
    for row in rows:
        specs[row.key][row.id] = quizzes.quiz_spec(row)
    # Pre-test, practice quizzes in module order, final test; quizzes only older versions had
    # (a module since removed) come before the final test, by key.
    rank = {key: index for index, key in enumerate([PRETEST_KEY, *module_slugs])}
    keys = sorted(
        specs,
        key=lambda k: (k == FINAL_TEST_KEY, k not in rank, rank.get(k, 0), k),
    )
    return tuple(item_analysis.analyse_quiz(specs[key], by_key.get(key, [])) for key in keys)


def _level(value: float | None, good: float, fair: float) -> Level:
    if value is None:
        return "tanpa_data"
    if value >= good:
        return "baik"
    return "cukup" if value >= fair else "kurang"


def reaction_reading(summary: EvaluationSummary) -> Reading:
    """Level 1: the mean of the three survey scales (1-5), read against the thresholds."""
    averages = [
        a
        for a in (summary.relevance_avg, summary.quality_avg, summary.applicability_avg)
        if a is not None
    ]
    value = sum(averages) / len(averages) if averages else None
    return Reading(_level(value, REACTION_GOOD, REACTION_FAIR), value, summary.responses)


def learning_reading(gain: GainStats) -> Reading:
    """Level 2: the mean normalized gain g, read against Hake's bands."""
    value = gain.normalized_average
    return Reading(_level(value, GAIN_HIGH, GAIN_MEDIUM), value, gain.normalized_learners)


def application_reading(summary: EvaluationSummary) -> Reading:
    """Level 3: the share of reported follow-ups applied fully or partly."""
    reported = summary.follow_ups
    value = (summary.applied + summary.partly) / reported if reported else None
    return Reading(_level(value, APPLIED_GOOD, APPLIED_FAIR), value, reported)
