"""How fresh the catalogue must be: publishes on this process at once, others within seconds.

Every request used to read `content_state.generation` to learn whether another instance had
published; that was one query per request on the hottest pages. A `ContentCache` now re-reads it
at most every `recheck_seconds` (LENTERA_CONTENT_RECHECK_SECONDS), and at once after this
process committed a change to content, so a trainer who publishes sees the result on their next
page while other instances follow within the interval.
"""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session

_CHANGED = "lentera.content_changed"
_lock = threading.Lock()
_local_changes = 0


def note_content_changed(session: Session) -> None:
    """Mark the session's transaction as changing what learners see (read at its commit)."""
    session.info[_CHANGED] = True


def local_changes() -> int:
    """How many transactions that changed content this process has committed."""
    return _local_changes


@event.listens_for(Session, "after_commit")
def _count_committed_change(session: Session) -> None:
    global _local_changes
    if session.info.pop(_CHANGED, False):
        with _lock:
            _local_changes += 1


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_change(session: Session) -> None:
    session.info.pop(_CHANGED, None)
