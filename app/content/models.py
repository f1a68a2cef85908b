"""Storage for published content: courses, their immutable versions, and the files behind them.

`content/` on disk (or an uploaded .zip) is the source trainers edit; what learners see is a
published version in the database, so every worker process and every app instance sharing the
database serves the same thing. Versions are never modified after they are written: publishing
adds a version and moves the course's `current_version_id`; rolling back moves it back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow


class Course(Base):
    """A course's stable identity: its code. Progress and attempts hang on this, not a version."""

    __tablename__ = "courses"
    __table_args__ = (CheckConstraint("status IN ('active', 'archived')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    folder: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="active")
    # use_alter: courses and versions point at each other.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True, ondelete="SET NULL"), default=None
    )
    # Hash of the sources last imported from content/ on disk: a reload publishes only when the
    # disk changed since, so it never undoes a trainer's rollback or web upload by itself.
    disk_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(default=None)

    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], lazy="joined"
    )


class CourseTrainer(Base):
    """The trainers who own a course: they may publish it and see its reports."""

    __tablename__ = "course_trainers"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CourseVersion(Base):
    """One immutable, rendered version of a course, as validated at import or upload."""

    __tablename__ = "course_versions"
    __table_args__ = (
        UniqueConstraint("course_id", "number"),
        CheckConstraint("source IN ('disk', 'upload')", name="source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20), index=True)
    jp: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(10))
    authors: Mapped[list[str]] = mapped_column(JSON)
    version_label: Mapped[str] = mapped_column(String(40))
    passing_score: Mapped[int] = mapped_column(Integer)
    score_policy: Mapped[str] = mapped_column(String(10))
    prerequisites: Mapped[list[str]] = mapped_column(JSON)
    total_minutes: Mapped[int] = mapped_column(Integer)
    # Study rules (app/learning/course_rules.py, study_time.py); versions published before
    # these existed carry the defaults, as a re-import of the same files would.
    pretest_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    min_time_percent: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # SIASN's kind of training for this course (`jenis_diklat_siasn`); NULL: the settings decide.
    jenis_diklat_siasn: Mapped[int | None] = mapped_column(Integer, default=None)
    # `sumber` and `berlaku_per` of kursus.yaml and the rendered `pengantar.md`; NULL in
    # versions published before they existed (shown as none).
    sources: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    valid_as_of: Mapped[date | None] = mapped_column(Date, default=None)
    intro_html: Mapped[str | None] = mapped_column(Text, default=None)
    # `perilaku_diamati`: the behaviours of the observation checklist; NULL when not written.
    observed_behaviours: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # NULL while a draft (uploaded, previewable, not yet published).
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )

    modules: Mapped[list[ModuleVersion]] = relationship(
        order_by="ModuleVersion.position", lazy="raise", cascade="all, delete-orphan"
    )
    quizzes: Mapped[list[QuizVersion]] = relationship(lazy="raise", cascade="all, delete-orphan")


class ModuleVersion(Base):
    """A module as published in one course version; `slug` is the stable key for progress."""

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("course_version_id", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE")
    )
    slug: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    html: Mapped[str] = mapped_column(Text)
    toc: Mapped[list[Any]] = mapped_column(JSON)
    simulation: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    word_count: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    min_time_percent: Mapped[int | None] = mapped_column(Integer, default=None)  # None: course's


class QuizVersion(Base):
    """A quiz (pre-test, final test or a module's practice quiz) in one course version."""

    __tablename__ = "quiz_versions"
    __table_args__ = (UniqueConstraint("course_version_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    draw_count: Mapped[int | None] = mapped_column(Integer, default=None)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    max_attempts: Mapped[int | None] = mapped_column(Integer, default=None)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    # `tampilkan_jawaban` as written in the quiz file; None: the default for its key.
    answer_reveal: Mapped[str | None] = mapped_column(String(20), default=None)


class Blob(Base):
    """File bytes, stored once by SHA-256 however many versions use them."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CourseVersionFile(Base):
    """Every source file of a version (Markdown, YAML, images, PDFs), so any version can be
    served, previewed, re-validated with one changed module, rolled back or backed up."""

    __tablename__ = "course_version_files"

    course_version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(300), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)


class ContentProblemReport(Base):
    """The latest validation report of a course folder that failed to load (for trainers)."""

    __tablename__ = "content_problem_reports"

    folder: Mapped[str] = mapped_column(String(200), primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), default=None)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ContentState(Base):
    """A single row whose `generation` grows with every publish, rollback or archive.

    Each process caches the catalogue per generation, so a publish on one worker or instance is
    seen by all the others on their next request, without a restart or a message bus.
    """

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
