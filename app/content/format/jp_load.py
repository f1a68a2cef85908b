"""How a course's JP relates to the minutes its files plan (docs/content-format.md, section 5).

The planned learning load of a course is the sum of its modules' `menit` plus, for every test and
practice quiz, its `batas_waktu`, or one minute per question shown when it has no time limit.
One JP is 45 minutes, and `jp` x 45 must be within one JP of the load, on both sides:

- over: JP are credited towards the ASN's yearly development hours, so a course must not credit
  more than it asks. `jp` x 45 may exceed the load by less than 45 minutes (rounding up to whole
  JP), never more.
- under: a course that asks a JP or more beyond what it credits either under-credits its
  learners or plans inflated `menit`; both are mistakes worth a look. The load may exceed
  `jp` x 45 by less than 45 minutes (rounding down), never more.

So a load of 262 minutes accepts 5 or 6 JP (225 and 270 minutes), and a load of exactly 270
accepts only 6. Both sides are warnings, not errors: the trainer may have reasons, e.g. a
face-to-face session outside Lentera, or JP fixed by the training plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.content.format.problems import ProblemLog
from app.content.format.specs import ModuleSpec, QuizSpec
from app.i18n import gettext as _

JP_MINUTES = 45
MINUTES_PER_QUESTION = 1  # a quiz without a time limit: reading, answering, reading the explanation


@dataclass(frozen=True)
class PlannedLoad:
    module_minutes: int
    quiz_minutes: int

    @property
    def total(self) -> int:
        return self.module_minutes + self.quiz_minutes

    @property
    def highest_jp(self) -> int:
        """The most JP this load supports under the rule (at least 1)."""
        return max(1, (self.total + JP_MINUTES - 1) // JP_MINUTES)

    @property
    def lowest_jp(self) -> int:
        """The fewest JP this load supports under the rule (at least 1)."""
        return max(1, self.total // JP_MINUTES)

    def accepts(self, jp: int) -> bool:
        """Whether `jp` x 45 minutes is within one JP of this load, on either side."""
        return abs(jp * JP_MINUTES - self.total) < JP_MINUTES


def quiz_minutes(quiz: QuizSpec) -> int:
    """The minutes a quiz plans: its time limit, else one minute per question shown."""
    if quiz.time_limit_minutes is not None:
        return quiz.time_limit_minutes
    shown = quiz.draw_count if quiz.draw_count is not None else len(quiz.questions)
    return shown * MINUTES_PER_QUESTION


def planned_load(
    modules: Sequence[ModuleSpec], pretest: QuizSpec | None, final_test: QuizSpec
) -> PlannedLoad:
    quizzes = [q for q in (pretest, final_test) if q is not None]
    quizzes += [m.practice_quiz for m in modules if m.practice_quiz is not None]
    return PlannedLoad(
        module_minutes=sum(m.minutes for m in modules),
        quiz_minutes=sum(quiz_minutes(q) for q in quizzes),
    )


def check_jp_load(
    jp: int, load: PlannedLoad, path: str, line: int | None, problems: ProblemLog
) -> None:
    """Warn when `jp` x 45 minutes and the planned load differ by one JP or more, either way."""
    if load.accepts(jp):
        return
    facts = dict(
        jp=jp,
        jp_minutes=jp * JP_MINUTES,
        total=load.total,
        modules=load.module_minutes,
        quizzes=load.quiz_minutes,
    )
    if jp * JP_MINUTES > load.total:
        message = _(
            "jp: {jp} berarti {jp_minutes} menit, tetapi beban belajar kursus ini {total} menit "
            "(modul {modules} menit, tes dan kuis {quizzes} menit). JP yang diakui melebihi "
            "waktu belajarnya satu JP atau lebih: tulis jp: {suggested}, atau perbaiki "
            "perkiraan menit modul bila memang terlalu kecil."
        ).format(suggested=load.highest_jp, **facts)
    else:
        suggested = (
            str(load.highest_jp)
            if load.lowest_jp == load.highest_jp
            else _("{low} atau jp: {high}").format(low=load.lowest_jp, high=load.highest_jp)
        )
        message = _(
            "jp: {jp} berarti {jp_minutes} menit, tetapi beban belajar kursus ini {total} menit "
            "(modul {modules} menit, tes dan kuis {quizzes} menit). Waktu belajarnya melebihi "
            "JP yang diakui satu JP atau lebih: tulis jp: {suggested}, atau perbaiki "
            "perkiraan menit modul bila memang terlalu besar."
        ).format(suggested=suggested, **facts)
    problems.warning(path, line, message)
