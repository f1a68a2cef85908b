"""Recording audit events inside the caller's transaction, hash-chained at its commit.

`record()` adds the event to the caller's session: it commits with the change it describes, or
rolls back with it. Just before the session commits, `_seal` gives the transaction's events
their place in the chain: it bumps the one-row chain head (a row lock on PostgreSQL, the write
lock on SQLite), reads the previous hash from it, hashes each event (app/audit/chain.py) and
stores the new head. Concurrent transactions, in any process or instance, wait for each other
at that row, so two can never chain to the same predecessor; a transaction that rolls back
releases its numbers with it, leaving no gap.

Sealing at the commit, not at `record()`, keeps that lock for milliseconds (the sealing and the
commit) instead of the rest of the request, and makes it the last lock every writing
transaction takes, so it cannot be part of a deadlock cycle with the rows the request changed.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, event, update
from sqlalchemy.orm import Session

from app.audit import chain
from app.audit.models import AuditChainHead, AuditEvent
from app.db import insert_or_ignore, utcnow

_PENDING = "lentera.audit_pending"


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: object = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event; it commits (or rolls back) with the change it describes.

    Details should carry ids rather than personal data, and free text only under `reason`,
    `note`, `comment` or `plan`, which anonymisation blanks (it can rewrite a sealed entry only
    through `redact`, recording the new hash in the chain).
    """
    audit_event = AuditEvent(
        at=utcnow(),
        action=action,
        actor_id=actor_id,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=chain.normalise(details),
        salt=chain.new_salt(),
    )
    session.add(audit_event)
    session.info.setdefault(_PENDING, []).append(audit_event)
    return audit_event


def entry_hash(audit_event: AuditEvent) -> str:
    """The hash of `audit_event` as it is now, linked to its stored previous hash."""
    assert audit_event.seq is not None and audit_event.prev_hash is not None
    return chain.entry_hash(
        seq=audit_event.seq,
        at=audit_event.at,
        actor_id=audit_event.actor_id,
        action=audit_event.action,
        target_type=audit_event.target_type,
        target_id=audit_event.target_id,
        details=audit_event.details,
        salt=audit_event.salt,
        prev=audit_event.prev_hash,
    )


def redact(
    audit_event: AuditEvent, *, details: dict[str, Any], target_id: str | None
) -> str | None:
    """Rewrite an entry's details and target (anonymisation only); its new hash, if sealed.

    The entry keeps its stored hash, which the next entry links to; the caller records the new
    hash in its own (chained) `privacy.anonymised` event, under `redacted`, and
    `lentera audit verify` accepts the rewritten entry only against that hash. A new salt makes
    the stored hash of the original useless for confirming a guessed NIP or name.
    """
    audit_event.details = chain.normalise(details)
    audit_event.target_id = target_id
    if audit_event.entry_hash is None:  # not sealed yet: sealed as it is now at the commit
        return None
    audit_event.salt = chain.new_salt()
    return entry_hash(audit_event)


def _head() -> Table:
    return cast(Table, AuditChainHead.__table__)


def _take_numbers(session: Session, count: int) -> tuple[int, str]:
    """Reserve `count` numbers at the chain head (locking it); (last number, previous hash)."""
    head = _head()
    bump = (
        update(head)
        .where(head.c.id == 1)
        .values(seq=head.c.seq + count)
        .returning(head.c.seq, head.c.head_hash)
    )
    row = session.execute(bump).first()
    if row is None:  # a database whose head row was lost: start it again, once
        insert_or_ignore(session, AuditChainHead, {"id": 1, "seq": 0, "head_hash": chain.GENESIS})
        row = session.execute(bump).one()
    return int(row[0]), str(row[1])


def seal(session: Session) -> int:
    """Chain the session's unsealed events (called just before commit); how many were sealed."""
    queued: list[AuditEvent] = session.info.pop(_PENDING, [])
    # Events rolled back with a savepoint are no longer in the session: they take no number.
    pending = [e for e in queued if e in session and e.entry_hash is None]
    if not pending:
        return 0
    session.flush()  # the request's own writes first: the head lock is the last one taken
    last, prev = _take_numbers(session, len(pending))
    number = last - len(pending)
    for audit_event in pending:
        number += 1
        audit_event.seq = number
        audit_event.prev_hash = prev
        audit_event.entry_hash = prev = entry_hash(audit_event)
    head = _head()
    session.execute(update(head).where(head.c.id == 1).values(head_hash=prev))
    session.flush()
    return len(pending)


@event.listens_for(Session, "before_commit")
def _seal(session: Session) -> None:
    if session.info.get(_PENDING):
        seal(session)
