"""Walking the audit hash chain: is every entry as it was recorded, and is none missing?"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit import chain
from app.audit.models import AuditChainHead, AuditEvent

BATCH = 2000
ANONYMISED = "privacy.anonymised"


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    problem: str
    entry_id: int | None = None
    seq: int | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class ChainReport:
    entries: int
    redacted: int
    head_seq: int
    head_hash: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


_COLUMNS = (
    AuditEvent.id,
    AuditEvent.seq,
    AuditEvent.at,
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.target_type,
    AuditEvent.target_id,
    AuditEvent.details,
    AuditEvent.salt,
    AuditEvent.prev_hash,
    AuditEvent.entry_hash,
)


def _rows(session: Session, up_to: int) -> Iterator[Any]:
    """Entries 1..up_to in chain order, a batch at a time (flat memory)."""
    after = 0
    while True:
        batch = session.execute(
            select(*_COLUMNS)
            .where(AuditEvent.seq > after, AuditEvent.seq <= up_to)
            .order_by(AuditEvent.seq)
            .limit(BATCH)
        ).all()
        yield from batch
        if len(batch) < BATCH:
            return
        after = batch[-1].seq


def _redactions(session: Session, up_to: int) -> dict[int, str]:
    """Entry number -> the hash anonymisation gave it when it rewrote the entry (latest wins)."""
    found: dict[int, str] = {}
    rows = session.scalars(
        select(AuditEvent.details)
        .where(AuditEvent.action == ANONYMISED, AuditEvent.seq <= up_to)
        .order_by(AuditEvent.seq)
    )
    for details in rows:
        redacted = details.get("redacted") if isinstance(details, dict) else None
        if isinstance(redacted, dict):
            for seq, digest in redacted.items():
                if str(seq).isdigit() and isinstance(digest, str):
                    found[int(seq)] = digest
    return found


def _recomputed(row: Any) -> str:
    return chain.entry_hash(
        seq=row.seq,
        at=row.at,
        actor_id=row.actor_id,
        action=row.action,
        target_type=row.target_type,
        target_id=row.target_id,
        details=row.details,
        salt=row.salt,
        prev=row.prev_hash or "",
    )


def _check(row: Any, expected_seq: int, prev: str | None, redactions: dict[int, str]) -> str | None:
    """What is wrong with this entry, or None."""
    if row.seq != expected_seq:
        missing = (
            f"entri nomor {expected_seq}"
            if row.seq == expected_seq + 1
            else f"entri nomor {expected_seq}-{row.seq - 1}"
        )
        return f"{missing} sebelum entri ini tidak ada (dihapus)"
    if row.prev_hash != prev:
        return (
            "tautan ke entri sebelumnya tidak cocok (prev_hash tersimpan "
            f"{row.prev_hash}, hash entri sebelumnya {prev}): entri sebelumnya diganti atau "
            "tautannya diubah"
        )
    computed = _recomputed(row)
    if row.seq in redactions:
        if computed != redactions[row.seq]:
            return (
                "isi entri tidak cocok dengan hash yang dicatat saat anonimisasi: "
                "diubah setelah dianonimkan"
            )
    elif computed != row.entry_hash:
        return (
            "isi entri (waktu, pelaku, aksi, sasaran, rincian) tidak cocok dengan hash-nya "
            "sendiri: diubah setelah dicatat"
        )
    return None


def verify(session: Session) -> ChainReport:
    """Walk the whole chain from its first entry to the head; report the first break."""
    head = session.execute(
        select(AuditChainHead.seq, AuditChainHead.head_hash).where(AuditChainHead.id == 1)
    ).first()
    head_seq, head_hash = (int(head[0]), str(head[1])) if head else (0, chain.GENESIS)
    redactions = _redactions(session, head_seq)

    def report(broken: Break | None, entries: int) -> ChainReport:
        return ChainReport(entries, len(redactions), head_seq, head_hash, broken)

    unsealed = session.execute(
        select(AuditEvent.id, AuditEvent.at)
        .where(AuditEvent.seq.is_(None))
        .order_by(AuditEvent.id)
        .limit(1)
    ).first()
    if unsealed is not None:
        problem = "entri tanpa nomor dan hash rantai (ditambahkan di luar Lentera)"
        return report(Break(problem, unsealed.id, None, unsealed.at), 0)
    expected, entries = 1, 0
    prev: str | None = chain.GENESIS
    for row in _rows(session, head_seq):
        fault = _check(row, expected, prev, redactions)
        if fault:
            return report(Break(fault, row.id, row.seq, row.at), entries)
        prev, expected, entries = row.entry_hash, row.seq + 1, entries + 1
    if entries != head_seq:
        problem = (
            f"kepala rantai mencatat {head_seq} entri, tetapi entri terakhir bernomor "
            f"{expected - 1}: entri terbaru dihapus"
        )
        return report(Break(problem), entries)
    if prev != head_hash:
        problem = f"hash kepala rantai {head_hash} tidak sama dengan hash entri terakhir {prev}"
        return report(Break(problem), entries)
    beyond = session.scalar(select(func.min(AuditEvent.id)).where(AuditEvent.seq > head_seq))
    if beyond is not None:
        problem = "ada entri bernomor di atas kepala rantai: kepala rantai dimundurkan"
        return report(Break(problem, beyond), entries)
    return report(None, entries)
