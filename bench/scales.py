"""How much data the generator makes: the named scales."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """How much to generate. `courses` counts the 3 demo courses."""

    name: str
    users: int
    courses: int
    enrolments: int
    completions: int
    progress_events: int
    units: int = 60
    hr_users: int = 5
    trainers: int = 10
    pppk_share: float = 0.15
    assigned_share: float = 0.12  # enrolments that come from an HR assignment
    practice_share: float = 0.15  # completed modules with a practice quiz that were attempted
    evaluation_share: float = 0.8  # completions followed by a survey and an action plan
    external_share: float = 0.08  # people who reported learning done elsewhere
    learning_detail: bool = True  # module progress, events and quiz attempts

    @property
    def generated_courses(self) -> int:
        return self.courses - 3


SCALES = {
    # Issue 7's default: 10,000 ASN, 50 courses of 8 modules, 1M progress events, 200k
    # completions. 26 enrolments a person so that 200k of them can be complete.
    "default": Scale("default", 10_000, 50, 260_000, 200_000, 1_000_000),
    # Fast enough for the test suite (query plans), big enough that PostgreSQL plans index
    # lookups rather than scanning small tables.
    "small": Scale("small", 2_000, 20, 16_000, 8_000, 40_000),
    # The export benchmark: >= 1,000,000 enrolments (the export's rows). Learning detail is
    # left out: the export does not read it, and it would triple the generation time.
    "export": Scale(
        "export", 25_000, 50, 1_050_000, 400_000, 0, evaluation_share=0.0, learning_detail=False
    ),
    # A few seconds; for smoke tests of the harness itself.
    "tiny": Scale("tiny", 300, 8, 1_200, 500, 2_000),
}
