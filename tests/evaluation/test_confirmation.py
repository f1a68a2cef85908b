"""The rule reading a supervisor's verdict against the learner's own report (pure)."""

import pytest

from app.evaluation import confirmation
from app.evaluation.confirmation import agreement


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        ("not_applied", "fully"),  # the learner says not yet, the atasan says fully
        ("not_applied", "mostly"),
        ("applied", "none"),  # the learner says applied, the atasan saw nothing
        ("partly", "none"),
    ],
)
def test_answers_at_the_opposite_end_of_the_learners_report_contradict_it(
    status: str, verdict: str
) -> None:
    assert agreement(status, verdict) == "contradicted"


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        ("applied", "fully"),
        ("applied", "mostly"),
        ("applied", "partly"),
        ("partly", "partly"),
        ("partly", "mostly"),
        ("partly", "fully"),
        ("not_applied", "none"),
        ("not_applied", "partly"),
    ],
)
def test_a_difference_of_degree_still_confirms_the_report(status: str, verdict: str) -> None:
    assert agreement(status, verdict) == "confirmed"


def test_unknown_statuses_or_verdicts_are_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError):
        agreement("applied", "confirmed")  # an old yes/no value
    with pytest.raises(ValueError):
        agreement("maybe", "fully")


def test_a_link_allows_a_few_wrong_nips_then_none() -> None:
    assert confirmation.attempts_left(0) == confirmation.NIP_MAX_ATTEMPTS
    assert confirmation.attempts_left(confirmation.NIP_MAX_ATTEMPTS - 1) == 1
    assert confirmation.attempts_left(confirmation.NIP_MAX_ATTEMPTS) == 0
    assert confirmation.attempts_left(99) == 0
