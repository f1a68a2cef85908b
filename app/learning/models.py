"""Storage for what learners do: enrolments, assignments, progress, attempts, completions,
certificates and learning done elsewhere.

Everything is keyed by stable content identities (course id, module slug, quiz key), never by
a version row, so records survive republishing; the version a learner actually saw or answered
is kept beside it for the record.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow


class Enrolment(Base):
    """A learner taking a course: by their own choice or because HR assigned it."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    # self | assigned | class (a class session of the course attended, app.classes)
    source: Mapped[str] = mapped_column(String(10), default="self")


class LearningPath(Base):
    """A learning path (jalur belajar): ordered courses assigned to everyone in a target group.

    The group is read from the roster: employee type (None: PNS and PPPK), unit kerja (None:
    every unit), a jabatan pattern (None: any jabatan; the rule of
    `app.learning.assignments.jabatan_condition`) and a golongan range (with a type only).
    Courses are kept by code, in order.
    """

    __tablename__ = "learning_paths"
    __table_args__ = (
        CheckConstraint("employee_type IN ('PNS', 'PPPK')", name="employee_type"),
        CheckConstraint("due_days >= 1", name="due_days_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    course_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    employee_type: Mapped[str | None] = mapped_column(String(4), default=None)
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL"), default=None
    )
    jabatan_pattern: Mapped[str | None] = mapped_column(String(200), default=None)
    # A golongan range on the employee type's scale (`golongan.between`), only with a type;
    # None on both sides: any golongan.
    golongan_from: Mapped[str | None] = mapped_column(String(10), default=None)
    golongan_to: Mapped[str | None] = mapped_column(String(10), default=None)
    due_days: Mapped[int] = mapped_column(Integer, default=30)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The slug of the file `content/jalur/<slug>.yaml` the path comes from: such a path is owned
    # by its file (`lentera content reload` writes it; the web shows it read-only). None: made
    # on the web.
    source_file: Mapped[str | None] = mapped_column(String(100), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Assignment(Base):
    """Mandatory training: HR assigns a course to a person, with a due date."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # When assigned to a whole unit kerja, which one (the members at that moment got a row each).
    via_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL"), default=None
    )
    note: Mapped[str | None] = mapped_column(String(300), default=None)
    # Made by a learning path's sync (HR sees where it came from); None when HR assigned it.
    via_path_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_paths.id", ondelete="SET NULL"), index=True, default=None
    )


class ModuleProgress(Base):
    """One learner's state in one module: first opened, completed (set once, never unset)."""

    __tablename__ = "module_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "module_slug"),
        # For the HR dashboard's "active learners per week" (a recent time range): the time
        # first, then user_id so the count is read from the index alone, never the rows.
        Index("ix_module_progress_first_opened_at", "first_opened_at", "user_id"),
        Index("ix_module_progress_completed_at", "completed_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(String(120))
    first_opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", ondelete="SET NULL"), default=None
    )
    # Study time (app/learning/study_time.py): seconds credited from ended visits and offline
    # reading, and when the open visit began (the page last served), NULL when none is open.
    study_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    visit_started_at: Mapped[datetime | None] = mapped_column(default=None)


class ProgressEvent(Base):
    """A progress event as the client sent it; its id makes replays harmless (idempotency)."""

    __tablename__ = "progress_events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))  # completed | read (a mark refused as early)
    occurred_at: Mapped[datetime]
    # Reading time the device reported with the event, as credited after clamping.
    seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(10), default="web")  # web | offline


class QuizAttempt(Base):
    """One attempt at a quiz: what was drawn, what was answered, the score; never rewritten."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # Also serves a learner's attempts at one quiz (its leading columns): no second index.
        UniqueConstraint("user_id", "course_id", "quiz_key", "number"),
        Index("ix_quiz_attempts_submitted_at", "submitted_at", "user_id"),  # weekly activity
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    quiz_key: Mapped[str] = mapped_column(String(120))
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"))
    number: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(32))
    drawn: Mapped[list[Any]] = mapped_column(JSON)  # [[question_id, [option ids...]], ...]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)  # 0..1
    correct_count: Mapped[int | None] = mapped_column(Integer, default=None)
    total: Mapped[int | None] = mapped_column(Integer, default=None)
    late: Mapped[bool] = mapped_column(Boolean, default=False)


class Completion(Base):
    """A course or a class completed: recorded exactly once per learner and course, and once
    per learner and class session.

    A course completed online has `course_id` only. A class session that delivers a course
    (app.classes) records the course's completion with `class_session_id` beside it (one
    completion per course: attending and finishing online never count twice). A stand-alone
    pelatihan klasikal has `class_session_id` only (`course_id` NULL).
    """

    __tablename__ = "completions"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        UniqueConstraint(
            "user_id", "class_session_id", name="uq_completions_user_id_class_session_id"
        ),
        CheckConstraint(
            "course_id IS NOT NULL OR class_session_id IS NOT NULL", name="course_or_class"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True, default=None
    )
    class_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("class_sessions.id"), index=True, default=None
    )
    course_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", ondelete="SET NULL"), default=None
    )
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    final_score: Mapped[int] = mapped_column(Integer)  # 0..100
    jp: Mapped[int] = mapped_column(Integer)


class Certificate(Base):
    """A certificate for a completion. What it prints is frozen at issue time (`snapshot`), and
    its signed PDF is stored once (`pdf_sha256`, in `blobs`) and served as it is.

    A completion can have several certificates: a correction re-issues a new number and revokes
    the old one with the reason "diganti", linking both ways. At most one certificate of a
    completion is unrevoked at a time. The current certificate of a completion, the one to
    list, is the one with `replaced_by_id` NULL; the completion counts as long as that
    certificate is not revoked.

    The identity and course columns (full_name ... final_score) repeat the snapshot's values for
    queries, exports and the public verification page.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("snapshot_source IN ('issued', 'migrated')", name="snapshot_source"),
        Index(
            "uq_certificates_unrevoked_completion",
            "completion_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    completion_id: Mapped[int] = mapped_column(
        ForeignKey("completions.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    full_name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str] = mapped_column(String(18))
    employee_type: Mapped[str] = mapped_column(String(4))
    golongan: Mapped[str | None] = mapped_column(String(10), default=None)
    jabatan: Mapped[str | None] = mapped_column(String(200), default=None)
    unit_name: Mapped[str | None] = mapped_column(String(200), default=None)
    course_code: Mapped[str] = mapped_column(String(32))
    course_title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(20))
    jp: Mapped[int] = mapped_column(Integer)
    completed_on: Mapped[date] = mapped_column(Date)
    final_score: Mapped[int] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    revoke_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    # Everything the PDF prints (app.learning.certificate_snapshot); NULL only on rows written
    # outside Lentera's issue path, which get a "migrated" snapshot at their first download.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    snapshot_source: Mapped[str | None] = mapped_column(String(10), default=None)
    # The signed PDF, rendered once; NULL until then (certificates from before migration 0007
    # get theirs at the first download) and after the holder is anonymised.
    pdf_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("blobs.sha256"), default=None, index=True
    )
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL"), default=None
    )
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL"), default=None
    )
    replaced_by: Mapped[Certificate | None] = relationship(
        foreign_keys=[replaced_by_id], remote_side=[id], viewonly=True, lazy="select"
    )

    @property
    def latest(self) -> Certificate:
        """The end of this certificate's re-issue chain (itself when never replaced)."""
        certificate = self
        for _ in range(100):  # a chain is short; the bound only guards against a cycle
            if certificate.replaced_by is None:
                break
            certificate = certificate.replaced_by
        return certificate


class ExternalLearning(Base):
    """Learning done elsewhere (a workshop, ASN Unggul...), counted once HR verifies it."""

    __tablename__ = "external_learning"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'verified', 'rejected')", name="status"),
        CheckConstraint("jp > 0", name="jp_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    organiser: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date, index=True)
    jp: Mapped[int] = mapped_column(Integer)
    certificate_number: Mapped[str | None] = mapped_column(String(100), default=None)
    file_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    file_name: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    reject_reason: Mapped[str | None] = mapped_column(Text, default=None)
