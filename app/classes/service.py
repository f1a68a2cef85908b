"""Scheduling classes and registering for them, with a waiting list.

A session has `capacity` seats. Registering takes a seat while one is free, else a place at
the end of the waiting list (status "waiting"). When a registered person cancels (or is taken
off), the first waiting person, by registration time then id, gets the seat at once
(`promote`); raising the capacity promotes as many as the new seats allow. A session "by
assignment" takes no self-registration: the trainer or HR adds people by NIP. Cancelling a
session keeps every row (completions would point to it) and is audited, as is every edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.classes.models import ClassRegistration, ClassSession
from app.db import utcnow
from app.i18n import gettext as _

CATEGORIES = ("teknis", "manajerial", "sosial kultural")
REGISTERED = "registered"
WAITING = "waiting"
CANCELLED = "cancelled"


class ClassRuleError(ValueError):
    """A class action refused; the message (Indonesian) says why. Nothing changed."""


@dataclass(frozen=True)
class SessionValues:
    """What a session is scheduled or edited with (already checked by the form)."""

    title: str
    description: str
    course_id: int | None
    jp: int
    category: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    capacity: int
    registration: str  # open | assigned
    late_after_minutes: int | None
    post_test_required: bool = False  # only for a course with a final test (forms.py)
    # A stand-alone class's observed behaviours (app/classes/forms.py); None: no checklist.
    observed_behaviours: list[str] | None = None


def schedule(
    session: Session, values: SessionValues, *, actor_id: int, trainer_id: int | None = None
) -> ClassSession:
    """Schedule a new session (audited); `trainer_id`: its responsible trainer, if any."""
    row = ClassSession(**values.__dict__, created_by_id=actor_id, trainer_id=trainer_id)
    session.add(row)
    session.flush()
    audit.record(
        session, "class.scheduled", actor_id=actor_id, target_type="class_session",
        target_id=row.id, starts_at=row.starts_at.isoformat(), capacity=row.capacity,
        trainer_id=trainer_id,
    )  # fmt: skip
    return row


def _require_open(row: ClassSession) -> None:
    if row.status == "cancelled":
        raise ClassRuleError(_("Kelas ini sudah dibatalkan."))
    if row.status == "finalised":
        raise ClassRuleError(_("Kelas ini sudah difinalkan; datanya tidak dapat diubah lagi."))


def edit(session: Session, row: ClassSession, values: SessionValues, *, actor_id: int) -> None:
    """Change a scheduled session (audited with the fields changed); more seats promote."""
    _require_open(row)
    changed = {
        key: str(value) for key, value in values.__dict__.items() if getattr(row, key) != value
    }
    for key, value in values.__dict__.items():
        setattr(row, key, value)
    session.flush()
    audit.record(
        session, "class.edited", actor_id=actor_id, target_type="class_session",
        target_id=row.id, fields=sorted(changed),
    )  # fmt: skip
    promote(session, row, actor_id=actor_id)


def set_behaviours(
    session: Session, row: ClassSession, behaviours: list[str] | None, *, actor_id: int
) -> None:
    """Set a stand-alone class's observed behaviours, also once it is finalised: observers
    come after the class (audited with how many). A class of a course uses the course's."""
    if row.course_id is not None:
        raise ClassRuleError(
            _("Kelas sebuah kursus memakai perilaku_diamati kursus itu; kosongkan daftar perilaku.")
        )
    if row.status == "cancelled":
        raise ClassRuleError(_("Kelas ini sudah dibatalkan."))
    row.observed_behaviours = behaviours
    session.flush()
    audit.record(
        session, "class.behaviours_set", actor_id=actor_id, target_type="class_session",
        target_id=row.id, count=len(behaviours or ()),
    )  # fmt: skip


def cancel_session(session: Session, row: ClassSession, *, actor_id: int, reason: str) -> None:
    """Cancel a scheduled session (audited with the reason)."""
    _require_open(row)
    if not reason.strip():
        raise ClassRuleError(_("Tuliskan alasan pembatalan kelas."))
    row.status = "cancelled"
    row.cancel_reason = reason.strip()[:300]
    audit.record(
        session, "class.cancelled", actor_id=actor_id, target_type="class_session",
        target_id=row.id, reason=row.cancel_reason,
    )  # fmt: skip


def seats_taken(session: Session, session_id: int) -> int:
    """How many people hold a seat (registered) in the session."""
    return (
        session.scalar(
            select(func.count()).where(
                ClassRegistration.session_id == session_id,
                ClassRegistration.status == REGISTERED,
            )
        )
        or 0
    )


def registration_of(session: Session, session_id: int, user_id: int) -> ClassRegistration | None:
    """The person's registration row in the session, if any (cancelled ones too)."""
    return session.scalar(
        select(ClassRegistration).where(
            ClassRegistration.session_id == session_id, ClassRegistration.user_id == user_id
        )
    )


def _lock(session: Session, row: ClassSession) -> None:
    """Serialise seat-taking per session, then reload the row (status, capacity) as it is now.

    Two last-seat registrations must not both count a free seat. A no-op UPDATE of the row
    does it on both databases, as the content lock does (`store.lock_content`): PostgreSQL
    locks the row until the commit; SQLite, which ignores FOR UPDATE and whose Python driver
    reads outside any transaction until the first write, takes the database's write lock
    (and the process's writer queue, app.db) before anything is counted.
    """
    session.flush()  # the reload below must not drop this transaction's own changes
    session.execute(
        update(ClassSession)
        .where(ClassSession.id == row.id)
        .values(capacity=ClassSession.capacity, updated_at=ClassSession.updated_at)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)


def register(
    session: Session, row: ClassSession, user_id: int, *, actor_id: int, source: str = "self"
) -> ClassRegistration:
    """Give the person a seat, or a place on the waiting list when the session is full."""
    _lock(session, row)  # first: the status and capacity checked are the current ones
    _require_open(row)
    if source == "self" and row.registration != "open":
        raise ClassRuleError(_("Pendaftaran kelas ini melalui penugasan oleh pelatih atau BKPSDM."))
    existing = registration_of(session, row.id, user_id)
    if existing is not None and existing.status != CANCELLED:
        return existing
    status = REGISTERED if seats_taken(session, row.id) < row.capacity else WAITING
    if existing is None:
        existing = ClassRegistration(session_id=row.id, user_id=user_id)
        session.add(existing)
    existing.status, existing.source = status, source
    existing.registered_at = utcnow()
    session.flush()
    audit.record(
        session, "class.registered", actor_id=actor_id, target_type="class_session",
        target_id=row.id, user_id=user_id, status=status, source=source,
    )  # fmt: skip
    return existing


def unregister(session: Session, row: ClassSession, user_id: int, *, actor_id: int) -> None:
    """Cancel the person's registration; the first on the waiting list takes the seat."""
    _lock(session, row)
    _require_open(row)
    existing = registration_of(session, row.id, user_id)
    if existing is None or existing.status == CANCELLED:
        raise ClassRuleError(_("Anda tidak terdaftar di kelas ini."))
    existing.status = CANCELLED
    existing.attendance = None
    session.flush()
    audit.record(
        session, "class.unregistered", actor_id=actor_id, target_type="class_session",
        target_id=row.id, user_id=user_id,
    )  # fmt: skip
    promote(session, row, actor_id=actor_id)


def waiting_list(session: Session, session_id: int) -> list[ClassRegistration]:
    """The waiting list in order: registration time, then id."""
    return list(
        session.scalars(
            select(ClassRegistration)
            .where(ClassRegistration.session_id == session_id, ClassRegistration.status == WAITING)
            .order_by(ClassRegistration.registered_at, ClassRegistration.id)
        )
    )


def promote(session: Session, row: ClassSession, *, actor_id: int | None) -> list[int]:
    """Give free seats to the waiting list in order; the promoted user ids."""
    free = row.capacity - seats_taken(session, row.id)
    promoted = []
    for waiting in waiting_list(session, row.id)[: max(0, free)]:
        waiting.status = REGISTERED
        promoted.append(waiting.user_id)
        audit.record(
            session, "class.promoted", actor_id=actor_id, target_type="class_session",
            target_id=row.id, user_id=waiting.user_id,
        )  # fmt: skip
    session.flush()
    return promoted
