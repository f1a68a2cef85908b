"""Storage for the Kirkpatrick levels after a course: reaction (level 1) and application at work
(level 3, through an action plan, the learner's follow-up and the supervisor's confirmation).
Learning (level 2) is the pre-test / final-test gain, kept with the quiz attempts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class ReactionSurvey(Base):
    """The learner's reaction to a course, once per course (1-5 scales and a comment)."""

    __tablename__ = "reaction_surveys"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        CheckConstraint(
            "relevance BETWEEN 1 AND 5 AND quality BETWEEN 1 AND 5 "
            "AND applicability BETWEEN 1 AND 5",
            name="scales",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    relevance: Mapped[int] = mapped_column(Integer)
    quality: Mapped[int] = mapped_column(Integer)
    applicability: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActionPlan(Base):
    """What the learner will apply at work, followed up after `follow_up_on`."""

    __tablename__ = "action_plans"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        CheckConstraint(
            "follow_up_status IS NULL OR follow_up_status IN ('applied', 'partly', 'not_applied')",
            name="follow_up_status",
        ),
        CheckConstraint(
            "supervisor_verdict IS NULL "
            "OR supervisor_verdict IN ('none', 'partly', 'mostly', 'fully')",
            name="supervisor_verdict",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    plan: Mapped[str] = mapped_column(Text)
    supervisor_name: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    follow_up_on: Mapped[date] = mapped_column(Date, index=True)
    follow_up_at: Mapped[datetime | None] = mapped_column(default=None)
    follow_up_status: Mapped[str | None] = mapped_column(String(12), default=None)
    follow_up_note: Mapped[str | None] = mapped_column(Text, default=None)
    # The supervisor (atasan) the link is bound to, as the learner named them (name and jabatan
    # from the roster when their NIP is in it). Personal data of the supervisor: exported to
    # them and blanked when either person is anonymised (see app/privacy).
    supervisor_nip: Mapped[str | None] = mapped_column(String(18), index=True, default=None)
    supervisor_jabatan: Mapped[str | None] = mapped_column(String(200), default=None)
    # The one-time link for the supervisor, who has no account: only its hash is kept.
    supervisor_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    supervisor_link_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # Wrong NIPs typed on the current link; it locks at confirmation.NIP_MAX_ATTEMPTS.
    supervisor_nip_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # none / partly / mostly / fully (app/evaluation/confirmation.py).
    supervisor_verdict: Mapped[str | None] = mapped_column(String(12), default=None)
    supervisor_comment: Mapped[str | None] = mapped_column(Text, default=None)
    # When the supervisor answered (whatever the verdict).
    supervisor_confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    # An answer from before links were bound to a named supervisor: nobody's identity was
    # checked, so it is reported apart and never counts as a confirmation.
    supervisor_legacy: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Observation(Base):
    """An observer's checklist of a learner's behaviour at work after a completion.

    Keyed on the completion (a course completed online or through its class, or a stand-alone
    class attended): one per observer and completion; its author edits it (audited) rather
    than adding another, so each observer counts once in the figures. The behaviours rated
    are those of the course version (`perilaku_diamati`) or of the stand-alone class
    (`class_sessions.observed_behaviours`) when it was filled, kept on the ratings.
    `user_id` repeats the completion's learner: whose data the row is (app/privacy).
    """

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("completion_id", "observer_id"),
        CheckConstraint(
            "observer_role IN ('trainer', 'hr', 'admin', 'supervisor')", name="observer_role"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id", ondelete="CASCADE"))
    observer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The capacity the observer acted in (app/evaluation/observation.py).
    observer_role: Mapped[str] = mapped_column(String(12))
    # The course version whose behaviours were rated; None for a stand-alone class.
    course_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", ondelete="SET NULL"), default=None
    )
    observed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ObservationRating(Base):
    """One behaviour of an observation on the 4-level scale (1 belum tampak .. 4 teladan)."""

    __tablename__ = "observation_ratings"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 4", name="level"),)

    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1 for the first behaviour
    behaviour: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)


class FollowUpInterview(Base):
    """A structured follow-up interview about applying a completed course or class, as recorded.

    Interviews are events: several per completion, each kept as written (a correction is a
    new note), newest first in reports. `user_id` repeats the completion's learner.
    """

    __tablename__ = "follow_up_interviews"
    __table_args__ = (
        CheckConstraint(
            "interviewer_role IN ('trainer', 'hr', 'admin', 'supervisor')",
            name="interviewer_role",
        ),
        CheckConstraint(
            "interviewee IN ('learner', 'supervisor', 'colleague', 'other')", name="interviewee"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    completion_id: Mapped[int] = mapped_column(
        ForeignKey("completions.id", ondelete="CASCADE"), index=True
    )
    interviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    interviewer_role: Mapped[str] = mapped_column(String(12))
    interviewed_on: Mapped[date] = mapped_column(Date)
    interviewee: Mapped[str] = mapped_column(String(12))
    skills_applied: Mapped[str] = mapped_column(Text)
    obstacles: Mapped[str | None] = mapped_column(Text, default=None)
    support_needed: Mapped[str | None] = mapped_column(Text, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
