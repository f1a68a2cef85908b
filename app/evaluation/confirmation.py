"""The supervisor's (atasan's) verdict and how it is read against the learner's own report.

The rule, in one place (pure functions, no database):

- The supervisor answers on a 4-level scale: ``none`` (tidak diterapkan), ``partly``
  (sebagian), ``mostly`` (sebagian besar), ``fully`` (sepenuhnya).
- A verified answer either *confirms* or *contradicts* the learner's follow-up report
  (applied / partly / not_applied). It contradicts it when the two are at opposite ends:
  the learner says the plan was applied (fully or partly) and the supervisor saw nothing of it
  (``none``), or the learner says it was not applied and the supervisor says it mostly or fully
  was. Every other pair is a difference of degree and confirms. A contradicted answer is never
  counted as a confirmation; reports show it separately.
- Answers given before Lentera bound links to a named supervisor (the old yes/no question) were
  carried over as ``fully`` (yes: "Sudah diterapkan") and ``none`` (no: "Belum terlihat") and
  marked *legacy*: nobody's identity was checked, so they confirm nothing and are counted
  apart from verified answers.
- On the link, the supervisor types their own NIP before seeing the questions; after
  ``NIP_MAX_ATTEMPTS`` wrong NIPs the link locks and the learner must create a new one.
"""

from __future__ import annotations

from typing import Literal

VERDICTS = ("none", "partly", "mostly", "fully")
# The old yes/no answers, as migration 0009 carried them over (marked legacy).
LEGACY_VERDICTS = {"confirmed": "fully", "not_seen": "none"}
NIP_MAX_ATTEMPTS = 5

Agreement = Literal["confirmed", "contradicted"]

# The learner's statuses that claim the plan was (at least partly) applied.
_CLAIMS_APPLIED = {"applied", "partly"}


def agreement(follow_up_status: str, verdict: str) -> Agreement:
    """Whether the supervisor's verdict confirms or contradicts the learner's follow-up report."""
    if follow_up_status not in ("applied", "partly", "not_applied"):
        raise ValueError(f"unknown follow-up status: {follow_up_status!r}")
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict: {verdict!r}")
    if follow_up_status in _CLAIMS_APPLIED and verdict == "none":
        return "contradicted"
    if follow_up_status == "not_applied" and verdict in ("mostly", "fully"):
        return "contradicted"
    return "confirmed"


def attempts_left(failures: int) -> int:
    """Wrong-NIP attempts a link still allows (0: locked)."""
    return max(NIP_MAX_ATTEMPTS - failures, 0)
