"""SIASN export batches: each SIASN export HR downloads is recorded, so the next one can hold
only what changed since ("changes since the last SIASN export").

A batch records who exported, when, with which filters and how many rows. The "changes
since" filter takes the moment of the newest batch and lists the credited completions
completed at or after it, and those whose current certificate was (re-)issued at or after
it (a re-issued certificate appears again with its new number, so HR can correct SIASN).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.audit import service as audit
from app.db import Base, utcnow


class SiasnExportBatch(Base):
    """One SIASN export as it was downloaded."""

    __tablename__ = "siasn_export_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    via: Mapped[str] = mapped_column(String(10))  # web or cli
    format: Mapped[str] = mapped_column(String(10))  # csv, xlsx, zip-csv, zip-xlsx
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(Integer)


def last_export_at(session: Session) -> datetime | None:
    """When the newest SIASN export batch was recorded, or None before the first."""
    return session.scalar(
        select(SiasnExportBatch.created_at).order_by(SiasnExportBatch.id.desc()).limit(1)
    )


def record_batch(
    session: Session,
    *,
    actor_id: int | None,
    via: str,
    fmt: str,
    filters: dict[str, Any],
    row_count: int,
) -> SiasnExportBatch:
    """Record a SIASN export batch, audited as `export.siasn_batch`."""
    batch = SiasnExportBatch(
        created_at=utcnow(), actor_id=actor_id, via=via, format=fmt, filters=filters,
        row_count=row_count,
    )  # fmt: skip
    session.add(batch)
    session.flush()
    audit.record(
        session, "export.siasn_batch", actor_id=actor_id, target_type="siasn_export_batch",
        target_id=batch.id, via=via, format=fmt, filters=filters, rows=row_count,
    )  # fmt: skip
    return batch
