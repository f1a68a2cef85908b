"""How a quiz attempt is graded and counted, from the submit button to the credited JP.

Read this module first; each step names the module that owns it.

1. **Grading** (`app/learning/grading.py`, pure): the attempt's answers are compared with the
   quiz version the attempt was drawn from (parsed once per immutable version and cached,
   `quizzes.spec_for_version`). One point per question: single choice and Benar/Salah need
   exactly the correct option; a multiple-answer question is all or nothing (exactly the
   correct options, no partial credit); a short answer matches an accepted answer ignoring
   case, spaces and edge punctuation; an unanswered question is wrong. Score = correct / total.
2. **Before grading** (`app/learning/routes.py`): a submission with unanswered questions is
   shown again with the answers kept and the questions listed; only "Kirim tetap" (or answering
   them) grades it, so an empty page never uses up an attempt.
3. **The attempt row** (`app/learning/quizzes.submit_attempt`): the score is stored once on the
   attempt (a replayed submission changes nothing). A submission later than the time limit plus
   30 seconds is stored as `late`: graded for learning, never counted.
4. **Which attempt counts** (`counted_attempt` below): the course's `nilai_dihitung`, the best
   (`terbaik`, ties to the earliest) or the last (`terakhir`) on-time submitted attempt.
5. **Pass** (`passed` below): the counted final-test score, as a whole percentage rounded half
   up (`grading.score_percent`), reaches the course's `nilai_lulus`. Only the final test has a
   pass mark; the pre-test measures where a learner started (`course_rules.baseline_pretest`)
   and its gain against the counted final test is `gain_scores` below.
6. **Course completion** (`app/learning/completion.try_complete`): all modules complete and the
   final test passed; recorded once, with the score and the course's JP.
7. **Certificate** (`completion.issue_certificate`): issued with the completion, its content
   frozen and its PDF signed; a correction re-issues it, HR may revoke it.
8. **Credited JP** (`app/learning/credited.py`, the single source of truth): a completion
   counts towards the year's JP unless its certificate is revoked.

What a learner sees after an attempt (answers and explanations) follows the quiz's
`tampilkan_jawaban` (`answers_revealed` below).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.content.format.specs import ANSWER_REVEAL_VALUES, FINAL_TEST_KEY, PRETEST_KEY
from app.learning import course_rules, grading
from app.learning.models import QuizAttempt

BEST = "terbaik"
LAST = "terakhir"

# `tampilkan_jawaban` in a quiz's front matter: when the correct answers and explanations are
# shown on an attempt's result page.
REVEAL_EACH_ATTEMPT = "setiap_percobaan"  # after every submitted attempt
REVEAL_WHEN_DONE = "setelah_selesai"  # after passing, or once no attempt is left
REVEAL_NEVER = "tidak"
REVEAL_VALUES = ANSWER_REVEAL_VALUES  # the parser checks a quiz file against these
assert (REVEAL_EACH_ATTEMPT, REVEAL_WHEN_DONE, REVEAL_NEVER) == REVEAL_VALUES


def default_reveal(key: str) -> str:
    """The reveal policy of a quiz that does not state one.

    The pre-test and the final test show answers only when the learner is done with them, so
    a later attempt is never open-book; a module's practice quiz is there to learn from.
    """
    return REVEAL_WHEN_DONE if key in (PRETEST_KEY, FINAL_TEST_KEY) else REVEAL_EACH_ATTEMPT


def reveal_policy(key: str, stated: str | None) -> str:
    """The quiz's reveal policy: what its front matter states, else the default for its key."""
    return stated if stated in REVEAL_VALUES else default_reveal(key)


def counted_attempt(attempts: Sequence[QuizAttempt], policy: str) -> QuizAttempt | None:
    """The attempt whose score counts: best or last among submitted, on-time attempts."""
    valid = [a for a in attempts if a.submitted_at is not None and not a.late]
    if not valid:
        return None
    if policy == LAST:
        return max(valid, key=lambda a: a.number)
    return max(valid, key=lambda a: (a.score or 0.0, -a.number))


def passed(score: float | None, passing_score: int) -> bool:
    """Whether a 0-1 score reaches the pass mark (a whole percentage, as shown)."""
    return score is not None and grading.score_percent(score) >= passing_score


def attempts_left(attempts: Sequence[QuizAttempt], limit: int | None) -> int | None:
    """How many more attempts the learner may start; None when unlimited."""
    if limit is None:
        return None
    return max(0, limit - len(attempts))


def answers_revealed(policy: str, *, done: bool) -> bool:
    """Whether a submitted attempt shows the correct answers and explanations.

    `done`: the learner passed the test, has no attempt left, or (pre-test) it has closed.
    """
    if policy == REVEAL_EACH_ATTEMPT:
        return True
    if policy == REVEAL_WHEN_DONE:
        return done
    return False


@dataclass(frozen=True)
class GainScores:
    """A learner's pre-test baseline and counted final test, as 0-1 scores (None: missing)."""

    pre: float | None
    post: float | None

    def percent(self) -> dict[str, int | None]:
        """Whole percentages and their difference, as the learner's pages show them."""
        pre = grading.score_percent(self.pre) if self.pre is not None else None
        post = grading.score_percent(self.post) if self.post is not None else None
        gain = post - pre if pre is not None and post is not None else None
        return {"pre": pre, "post": post, "gain": gain}


def gain_scores(
    pre_attempts: Sequence[QuizAttempt],
    final_attempts: Sequence[QuizAttempt],
    policy: str,
    first_opened: datetime | None,
) -> GainScores:
    """Where one learner started and ended: the pre-test taken before studying (the baseline
    rule of `course_rules`) and the counted final test. The learner's own pages and the
    trainer's report both read gain through this function."""
    pre = course_rules.baseline_pretest(pre_attempts, first_opened)
    post = counted_attempt(final_attempts, policy)
    return GainScores(
        pre.score if pre is not None else None, post.score if post is not None else None
    )


def gain_by_learner(
    pre_attempts: Mapping[int, Sequence[QuizAttempt]],
    final_attempts: Mapping[int, Sequence[QuizAttempt]],
    policy: str,
    first_opened: Mapping[int, datetime],
) -> dict[int, GainScores]:
    """`gain_scores` for every learner who has both a baseline and a counted final test."""
    result = {}
    for user_id, finals in final_attempts.items():
        scores = gain_scores(
            pre_attempts.get(user_id, ()), finals, policy, first_opened.get(user_id)
        )
        if scores.pre is not None and scores.post is not None:
            result[user_id] = scores
    return result
