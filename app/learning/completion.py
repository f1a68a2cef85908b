"""Course completion and certificates.

A course is complete when every module is complete and the counted final-test score reaches
the course's passing score. The completion is recorded exactly once (a unique row, inserted
with ON CONFLICT DO NOTHING), with its time, final score and the JP credited, and a
certificate is issued with it.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.golongan import pangkat_golongan
from app.accounts.viewer import Person
from app.audit import service as audit
from app.config import Settings
from app.content.catalog import CourseView
from app.content.specs import FINAL_TEST_KEY
from app.db import insert_or_ignore
from app.learning import grading, progress, quizzes
from app.learning.models import Certificate, Completion, ModuleProgress
from app.learning.pdf_certificate import CertificateData

WITA = ZoneInfo("Asia/Makassar")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def try_complete(
    session: Session, user: Person, view: CourseView, now: datetime
) -> Completion | None:
    """Record the completion if the rule is met now; returns the completion if there is one."""
    existing = session.scalar(
        select(Completion).where(
            Completion.user_id == user.id, Completion.course_id == view.course_id
        )
    )
    if existing is not None:
        return existing
    state = progress.course_progress(session, user.id, view)
    if not state.all_modules_done:
        return None
    attempts = quizzes.attempts_for(session, user.id, view.course_id, FINAL_TEST_KEY)
    counted = quizzes.counted_attempt(attempts, view.score_policy)
    if counted is None or counted.score is None:
        return None
    final_score = grading.score_percent(counted.score)
    if final_score < view.passing_score:
        return None
    started = session.scalar(
        select(ModuleProgress.first_opened_at)
        .where(ModuleProgress.user_id == user.id, ModuleProgress.course_id == view.course_id)
        .order_by(ModuleProgress.first_opened_at)
        .limit(1)
    )
    inserted = insert_or_ignore(
        session,
        Completion,
        {
            "user_id": user.id,
            "course_id": view.course_id,
            "course_version_id": view.version_id,
            "started_at": started,
            "completed_at": now,
            "final_score": final_score,
            "jp": view.jp,
        },
    )
    completion = session.scalar(
        select(Completion).where(
            Completion.user_id == user.id, Completion.course_id == view.course_id
        )
    )
    assert completion is not None
    if inserted:
        audit.record(
            session,
            "completion.recorded",
            actor_id=user.id,
            target_type="course",
            target_id=view.code,
            user_id=user.id,
            final_score=final_score,
            jp=view.jp,
        )
        issue_certificate(session, completion, user, view)
    return completion


def _certificate_number(view: CourseView, completion: Completion) -> str:
    year = completion.completed_at.astimezone(WITA).year
    check = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(4))
    # The random part keeps numbers from being enumerated on the public verification page.
    return f"LTR-{year}-{view.code.replace('-', '')}-{completion.id:05d}-{check}"


def issue_certificate(
    session: Session, completion: Completion, user: Person, view: CourseView
) -> Certificate:
    """Issue the certificate for a completion, freezing what it says."""
    certificate = Certificate(
        number=_certificate_number(view, completion),
        completion_id=completion.id,
        full_name=user.full_name,
        nip=user.nip,
        employee_type=user.employee_type,
        golongan=user.golongan,
        jabatan=user.jabatan,
        unit_name=user.unit_name,
        course_code=view.code,
        course_title=view.title,
        category=view.category,
        jp=completion.jp,
        completed_on=completion.completed_at.astimezone(WITA).date(),
        final_score=completion.final_score,
    )
    session.add(certificate)
    session.flush()
    audit.record(
        session,
        "certificate.issued",
        actor_id=user.id,
        target_type="certificate",
        target_id=certificate.number,
    )
    return certificate


def revoke_certificate(
    session: Session, certificate: Certificate, *, actor_id: int, reason: str, now: datetime
) -> None:
    """Revoke a certificate: its verification page says so from now on."""
    certificate.revoked_at = now
    certificate.revoked_by_id = actor_id
    certificate.revoke_reason = reason
    audit.record(
        session,
        "certificate.revoked",
        actor_id=actor_id,
        target_type="certificate",
        target_id=certificate.number,
        reason=reason,
    )


def verify_url(settings: Settings, number: str) -> str:
    return f"{settings.base_url.rstrip('/')}/verifikasi/{number}"


def certificate_data(certificate: Certificate, settings: Settings) -> CertificateData:
    """What the PDF prints: the frozen certificate plus the issuing unit's settings."""
    return CertificateData(
        number=certificate.number,
        full_name=certificate.full_name,
        nip=certificate.nip,
        employee_type=certificate.employee_type,
        pangkat_golongan=pangkat_golongan(certificate.golongan),
        jabatan=certificate.jabatan or "-",
        unit_kerja=certificate.unit_name or "-",
        instansi=settings.instansi_name,
        course_title=certificate.course_title,
        course_code=certificate.course_code,
        category=certificate.category,
        jp=certificate.jp,
        completed_on=certificate.completed_on,
        final_score=certificate.final_score,
        issuer=settings.issuer_name,
        signatory_name=settings.signatory_name,
        signatory_title=settings.signatory_title,
        verify_url=verify_url(settings, certificate.number),
    )
