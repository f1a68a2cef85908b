"""Storage for blended classes: a scheduled session and each person's registration in it.

A session is never deleted, only cancelled (its completions point to it). Registrations keep
their place in the waiting list by `registered_at` then id; attendance lives on the
registration (present, partial with minutes, absent; arrival time and lateness).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class ClassSession(Base):
    """A scheduled class: a course's classroom delivery or a stand-alone pelatihan klasikal."""

    __tablename__ = "class_sessions"
    __table_args__ = (
        CheckConstraint("jp > 0", name="jp_positive"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("registration IN ('open', 'assigned')", name="registration"),
        CheckConstraint("status IN ('scheduled', 'cancelled', 'finalised')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # The course this session delivers (its JP and category are copied at scheduling); None:
    # a stand-alone pelatihan klasikal with its own JP and category.
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), default=None, index=True
    )
    jp: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    registration: Mapped[str] = mapped_column(String(10), default="open")
    # Minutes after the start an arrival is still on time; None: the setting.
    late_after_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    # The session delivers a course with a final test, and credits only attendees who pass
    # it (app.classes.post_test).
    post_test_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    # A stand-alone class's observable behaviours (the level 3 checklist, like a course's
    # `perilaku_diamati`); None: no checklist. A class of a course uses the course's.
    observed_behaviours: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    cancel_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    finalised_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # The responsible trainer: with HR (and admins) the only one who may manage the session
    # (app.classes.owner). The scheduling trainer by default; HR may change it, or leave it
    # empty (then only HR manages).
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ClassRegistration(Base):
    """One person in one session: registered or waiting (or cancelled), and their attendance."""

    __tablename__ = "class_registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("status IN ('registered', 'waiting', 'cancelled')", name="status"),
        CheckConstraint(
            "attendance IS NULL OR attendance IN ('present', 'partial', 'absent')",
            name="attendance",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="registered")
    source: Mapped[str] = mapped_column(String(10), default="self")  # self | assigned
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    attendance: Mapped[str | None] = mapped_column(String(10), default=None)
    arrived_at: Mapped[datetime | None] = mapped_column(default=None)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    minutes_attended: Mapped[int | None] = mapped_column(Integer, default=None)
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Finalised with the attendance qualifying, credited once the course's final test (the
    # session's post-test) is passed (app.classes.post_test).
    awaits_post_test: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
