"""The validated, rendered form of a course: frozen dataclasses, no I/O.

A spec is what the loader hands to the rest of Lentera: the publishing service stores it as a
published version, the web pages show its HTML, the learning domain grades against its
questions. HTML in a spec is already sanitised. Ids of questions, options and choices are short
hashes of their normalised text, so a republished course with cosmetic edits (case, spacing,
surrounding punctuation) keeps them and learners' attempts stay attached to the right question.
`dataclasses.asdict(spec)` gives a JSON-serialisable dict.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

# Bump when a change to the renderer or parser changes the HTML or ids for the same sources, so
# stored versions can tell that a re-render is due even though `content_hash` is unchanged.
ENGINE_VERSION = "3"

Category = Literal["teknis", "manajerial", "sosial kultural"]
Level = Literal["dasar", "menengah", "lanjut"]
ScorePolicy = Literal["terbaik", "terakhir"]
ModuleKind = Literal["bacaan", "latihan", "simulasi", "studi kasus"]
QuestionKind = Literal["single", "multiple", "true_false", "short"]

PRETEST_KEY = "tes-awal"
FINAL_TEST_KEY = "tes-akhir"

# Study-time rule defaults (see app/learning/study_time.py and docs/content-format.md): a module
# can be marked complete after this share of its estimated minutes; the pre-test, when a course
# has one, must be taken before the first module unless the course says otherwise.
DEFAULT_MIN_TIME_PERCENT = 30
DEFAULT_PRETEST_REQUIRED = True
# Defaults of the optional catalogue keys of kursus.yaml (docs/content-format.md, section 2).
DEFAULT_LEVEL: Level = "dasar"
DEFAULT_VERSION = "1.0"
DEFAULT_SCORE_POLICY: ScorePolicy = "terbaik"


def normalise_answer(text: str) -> str:
    """Case-fold, collapse whitespace and strip surrounding punctuation, for matching answers."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    start, end = 0, len(folded)
    while start < end and _is_edge_junk(folded[start]):
        start += 1
    while end > start and _is_edge_junk(folded[end - 1]):
        end -= 1
    return folded[start:end]


def _is_edge_junk(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("P")


def short_hash(text: str, length: int = 12) -> str:
    """A short, stable id for `text`: the first hex digits of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def text_id(text: str) -> str:
    """The stable id of a question stem, an option or a choice: hash of its normalised text."""
    return short_hash(normalise_answer(_strip_markup(text)))


def question_id(title: str, stem: str = "") -> str:
    """The stable id of a question: hash of its normalised heading and extra stem text."""
    return short_hash(normalise_answer(_strip_markup(title)) + "\n" + normalise_answer(stem))


def _strip_markup(text: str) -> str:
    # Emphasis markers and backticks are cosmetic: "**Benar**" and "Benar" are the same option.
    return re.sub(r"[*_`~]+", "", text)


class TocEntry(NamedTuple):
    level: int  # 2 or 3
    anchor: str
    text: str


@dataclass(frozen=True)
class OptionSpec:
    id: str
    html: str
    correct: bool
    feedback_html: str = ""  # shown after the attempt to a learner who chose this option


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    kind: QuestionKind
    stem_html: str
    options: tuple[OptionSpec, ...]
    accepted_answers: tuple[str, ...]  # as written; compare with `normalise_answer` on both sides
    explanation_html: str  # "" when the trainer wrote none (a warning is reported)
    line: int  # line of the `## ` heading in the source file

    @property
    def correct_option_ids(self) -> frozenset[str]:
        return frozenset(option.id for option in self.options if option.correct)


# `tampilkan_jawaban` of a quiz file: when a result page shows the correct answers and
# explanations (after every attempt, once the learner passed or has no attempt left, never).
# The default for a quiz that does not say is in app/learning/score_policy.py.
ANSWER_REVEAL_VALUES = ("setiap_percobaan", "setelah_selesai", "tidak")


@dataclass(frozen=True)
class QuizSpec:
    key: str  # "tes-awal", "tes-akhir" or the module slug for a practice quiz
    title: str
    draw_count: int | None  # draw this many at random; None: all (order shuffled per attempt)
    time_limit_minutes: int | None
    max_attempts: int | None
    questions: tuple[QuestionSpec, ...]
    content_hash: str
    # `tampilkan_jawaban` as written; None: the default for the key (app/learning/score_policy).
    answer_reveal: str | None = None

    def question(self, question_id: str) -> QuestionSpec | None:
        """The question with this id, or None (e.g. removed in a later version)."""
        return next((q for q in self.questions if q.id == question_id), None)


ChoiceRating = Literal["baik", "cukup", "kurang"]


@dataclass(frozen=True)
class ChoiceSpec:
    id: str
    label: str  # plain text of the `### Pilihan:` heading
    consequence_html: str
    feedback_html: str
    next: str | None  # id of the next situation; None ends the scenario
    # `Nilai:` under the choice: how good a choice the trainer thinks it is (for reports).
    rating: ChoiceRating | None = None


@dataclass(frozen=True)
class SituationSpec:
    id: str
    html: str
    choices: tuple[ChoiceSpec, ...]  # empty for an ending situation
    title: str = ""  # `Judul:` line under `## Situasi: id`, shown as its heading; "" if none

    @property
    def is_ending(self) -> bool:
        return not self.choices


@dataclass(frozen=True)
class SimulationSpec:
    intro_html: str
    start: str
    situations: Mapping[str, SituationSpec]  # in file order; do not mutate


@dataclass(frozen=True)
class ModuleSpec:
    slug: str  # the file stem, e.g. "01-dasar-hukum-dan-asas": stable and unique in the course
    position: int
    title: str
    minutes: int
    kind: ModuleKind
    html: str  # the body; for a simulation, its introduction (the same as simulation.intro_html)
    toc: tuple[TocEntry, ...]
    practice_quiz: QuizSpec | None
    simulation: SimulationSpec | None
    word_count: int
    content_hash: str  # of the module source and its practice quiz source
    # `waktu_minimal_persen` in the module's front matter; None: the course's value applies.
    min_time_percent: int | None = None


@dataclass(frozen=True)
class SourceSpec:
    """One regulation or reference under `sumber:` in kursus.yaml."""

    title: str  # `judul`
    date: str | None  # `tanggal`, ISO "YYYY-MM-DD"
    url: str | None  # `tautan`, http(s)


@dataclass(frozen=True)
class CourseSpec:
    code: str
    title: str
    summary: str
    category: Category
    jp: int
    level: Level
    authors: tuple[str, ...]
    version: str
    passing_score: int
    score_policy: ScorePolicy
    prerequisites: tuple[str, ...]
    modules: tuple[ModuleSpec, ...]  # ordered by position
    pretest: QuizSpec | None
    final_test: QuizSpec
    folder: str
    assets: tuple[str, ...]  # referenced images and attachments, relative to the course folder
    content_hash: str  # of every source file of the course, images and attachments included
    pretest_required: bool = DEFAULT_PRETEST_REQUIRED  # `tes_awal_wajib`; needs a tes-awal.md
    min_time_percent: int = DEFAULT_MIN_TIME_PERCENT  # `waktu_minimal_persen`
    jenis_diklat_siasn: int | None = None  # `jenis_diklat_siasn`; None: the settings decide
    sources: tuple[SourceSpec, ...] = ()  # `sumber`
    valid_as_of: str | None = None  # `berlaku_per`, ISO "YYYY-MM-DD"
    intro_html: str = ""  # `pengantar.md`, rendered; "" when the course has none
    observed_behaviours: tuple[str, ...] = ()  # `perilaku_diamati`; () when not written

    def module(self, slug: str) -> ModuleSpec | None:
        """The module with this slug, or None."""
        return next((m for m in self.modules if m.slug == slug), None)

    def quizzes(self) -> Iterator[QuizSpec]:
        """Every quiz of the course: pre-test, practice quizzes in module order, final test."""
        if self.pretest is not None:
            yield self.pretest
        for module in self.modules:
            if module.practice_quiz is not None:
                yield module.practice_quiz
        yield self.final_test
