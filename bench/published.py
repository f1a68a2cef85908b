"""The published courses as the generator uses them: ids, modules, and pre-graded attempts.

Quiz attempts are drawn and graded by the application's own code (`app.learning.grading`) from
the stored quiz versions, a few variants per quiz at several levels of correctness, so every
generated attempt, score and completion agrees with what the app would have recorded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from app.content import store
from app.content.models import QuizVersion
from app.db import make_sessionmaker, session_scope
from app.learning import grading
from app.learning.quizzes import quiz_spec
from bench import courses as course_files

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONTENT = ROOT / "content"


@dataclass(frozen=True)
class Variant:
    """One drawn attempt with one set of answers, graded by the real grading code."""

    drawn: list[Any]
    answers: dict[str, Any]
    score: float
    correct: int
    total: int


@dataclass(frozen=True)
class QuizInfo:
    version_id: int
    key: str
    time_limit: int | None
    variants: tuple[Variant, ...]

    def pick(self, rng: random.Random, low: float = 0.0, high: float = 1.0) -> Variant:
        fitting = [v for v in self.variants if low <= v.score <= high]
        return rng.choice(fitting or list(self.variants))


def _variants(row: QuizVersion, rng: random.Random, seeds: int = 3) -> tuple[Variant, ...]:
    spec = quiz_spec(row)
    out: list[Variant] = []
    for n in range(seeds):
        drawn = grading.draw_questions(spec, f"bench-{row.id}-{n}")
        for share in (0.3, 0.5, 0.65, 0.75, 0.85, 1.0):
            answers: dict[str, Any] = {}
            right = set(rng.sample(range(len(drawn)), k=round(share * len(drawn))))
            for i, item in enumerate(drawn):
                question = spec.question(item.question_id)
                assert question is not None
                answers[item.question_id] = _answer(question, i in right)
            graded = grading.grade(
                spec, drawn, {k: tuple(v) if isinstance(v, list) else v for k, v in answers.items()}
            )
            out.append(
                Variant(
                    drawn=[[d.question_id, list(d.option_ids)] for d in drawn],
                    answers=answers,
                    score=graded.score,
                    correct=graded.correct_count,
                    total=graded.total,
                )
            )
    return tuple(out)


def _answer(question: Any, right: bool) -> Any:
    if question.kind == "short":
        return question.accepted_answers[0] if right else "tidak tahu"
    correct = [o.id for o in question.options if o.correct]
    wrong = [o.id for o in question.options if not o.correct]
    return correct if right or not wrong else wrong[:1]


# --- the generator -----------------------------------------------------------------------


@dataclass(frozen=True)
class CourseInfo:
    course_id: int
    code: str
    version_id: int
    title: str
    category: str
    jp: int
    passing: int
    policy: str
    slugs: tuple[str, ...]
    prerequisites: tuple[str, ...]
    quizzes: dict[str, QuizInfo]


def publish_courses(engine: Engine, generated: int, root: Path) -> None:
    """Write `generated` course folders next to the demo courses and import them all."""
    course_files.write_library(root, generated, demo_content=DEMO_CONTENT)
    with session_scope(make_sessionmaker(engine)) as session:
        report = store.import_library(session, root)
    if report.broken:
        raise RuntimeError(f"generated content did not load: {sorted(report.broken)}")


def load_courses(engine: Engine, rng: random.Random) -> list[CourseInfo]:
    """Every published course with its modules and quizzes (variants pre-graded)."""
    from app.content.catalog import ContentCache

    infos: list[CourseInfo] = []
    with make_sessionmaker(engine)() as session:
        catalog = ContentCache().catalog(session)
        for view in sorted(catalog.by_code.values(), key=lambda v: v.course_id):
            rows = session.scalars(
                select(QuizVersion)
                .where(QuizVersion.course_version_id == view.version_id)
                .order_by(QuizVersion.key)  # the same random draws on every database
            ).all()
            quizzes = {
                row.key: QuizInfo(row.id, row.key, row.time_limit_minutes, _variants(row, rng))
                for row in rows
            }
            infos.append(
                CourseInfo(
                    course_id=view.course_id,
                    code=view.code,
                    version_id=view.version_id,
                    title=view.title,
                    category=view.category,
                    jp=view.jp,
                    passing=view.passing_score,
                    policy=view.score_policy,
                    slugs=tuple(m.slug for m in view.modules),
                    prerequisites=view.prerequisites,
                    quizzes=quizzes,
                )
            )
    return infos
