"""Fixtures for the learning record and external learning: demo courses, people, rows."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.content.models import Blob, Course
from app.learning.models import Certificate, Completion, ExternalLearning
from tests.factories import make_user

_numbers = itertools.count(1)
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def learner(session: Session) -> User:
    return make_user(session, full_name="Nur Aisyah Lamarauna", unit_name="Dinas Kesehatan")


@pytest.fixture
def hr(session: Session) -> User:
    return make_user(session, roles={Role.HR}, full_name="Petugas BKPSDM")


Complete = Callable[..., Completion]


@pytest.fixture
def complete(session: Session, demo_content: Any) -> Complete:
    """Record a completion of a demo course (and its certificate when `certificate` is set)."""

    def _complete(
        user: User,
        code: str,
        completed_at: datetime,
        *,
        score: int = 88,
        certificate: str | None = None,
        revoked: bool = False,
    ) -> Completion:
        course = session.scalars(select(Course).where(Course.code == code)).one()
        version = course.current_version
        assert version is not None
        row = Completion(
            user_id=user.id,
            course_id=course.id,
            course_version_id=version.id,
            completed_at=completed_at,
            final_score=score,
            jp=version.jp,
        )
        session.add(row)
        session.flush()
        if certificate is not None:
            session.add(
                Certificate(
                    number=certificate,
                    completion_id=row.id,
                    full_name=user.full_name,
                    nip=user.nip,
                    employee_type=user.employee_type,
                    course_code=code,
                    course_title=version.title,
                    category=version.category,
                    jp=version.jp,
                    completed_on=completed_at.date(),
                    final_score=score,
                    revoked_at=completed_at if revoked else None,
                )
            )
        session.commit()
        return row

    return _complete


AddExternal = Callable[..., ExternalLearning]


@pytest.fixture
def add_external(session: Session) -> AddExternal:
    """Store an external-learning row directly, with a file of its own."""

    def _add(
        user: User,
        *,
        status: str = "pending",
        end_on: date,
        start_on: date | None = None,
        jp: int = 8,
        title: str = "Pelatihan Kearsipan Digital",
        organiser: str = "ANRI",
        category: str = "teknis",
        certificate_number: str | None = None,
        reject_reason: str | None = None,
        submitted_at: datetime | None = None,
    ) -> ExternalLearning:
        data = PDF_BYTES + f"% {next(_numbers)}\n".encode()
        sha = hashlib.sha256(data).hexdigest()
        session.add(Blob(sha256=sha, size=len(data), data=data))
        fields: dict[str, Any] = {}
        if submitted_at is not None:
            fields["submitted_at"] = submitted_at
        row = ExternalLearning(
            user_id=user.id,
            title=title,
            organiser=organiser,
            category=category,
            start_on=start_on or end_on,
            end_on=end_on,
            jp=jp,
            certificate_number=certificate_number,
            file_sha256=sha,
            file_name="sertifikat.pdf",
            file_type="application/pdf",
            status=status,
            reject_reason=reject_reason,
            **fields,
        )
        session.add(row)
        session.commit()
        return row

    return _add
