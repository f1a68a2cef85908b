"""Course completion and certificates.

A course is complete when every module is complete and the counted final-test score reaches
the course's passing score. The completion is recorded exactly once (a unique row, inserted
with ON CONFLICT DO NOTHING), with its time, final score and the JP credited, and a
certificate is issued with it: its snapshot frozen and its signed PDF stored
(app.learning.certificate_issue). A correction is a re-issue: a new certificate for the same
completion, the old one revoked with the reason "diganti" and pointing to the new one.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.viewer import Person
from app.audit import service as audit
from app.content.catalog import CourseView
from app.content.format.specs import FINAL_TEST_KEY
from app.db import insert_or_ignore, utcnow
from app.i18n import gettext as _
from app.learning import (
    certificate_issue,
    certificate_snapshot,
    grading,
    progress,
    quizzes,
    score_policy,
)
from app.learning.models import Certificate, Completion, ModuleProgress
from app.learning.pdf_certificate import CertificateData

REPLACED_REASON = "diganti"
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
    final_score = passed_final_score(session, user.id, view)
    if final_score is None:
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


def passed_final_score(session: Session, user_id: int, view: CourseView) -> int | None:
    """The learner's counted final-test score in whole percent if it passes the course, else
    None (also the post-test of a class delivering the course: app.classes.post_test)."""
    attempts = quizzes.attempts_for(session, user_id, view.course_id, FINAL_TEST_KEY)
    counted = score_policy.counted_attempt(attempts, view.score_policy)
    if counted is None or counted.score is None:
        return None
    if not score_policy.passed(counted.score, view.passing_score):
        return None
    return grading.score_percent(counted.score)


# The random part of a certificate number: 14 characters of a 32-letter alphabet, 70 random
# bits, so the public verification page cannot be walked to find valid numbers (the old
# numbers carried 20 random bits: about half a million guesses found one; they still verify,
# as lookups are by the whole stored number). The course code is cut to 12 characters so a
# number always fits the 40-character column.
RANDOM_CHARACTERS = 14
_CODE_PART_LENGTH = 12


def certificate_number(code: str, completion: Completion) -> str:
    """A new certificate number for a completion of `code` (a course's or a class's code)."""
    year = clock.local_date(completion.completed_at).year
    random_part = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(RANDOM_CHARACTERS))
    course = code.replace("-", "")[:_CODE_PART_LENGTH]
    # Grouped by 5 so it can be read out and typed: LTR-2026-PPP101-K7QM2-XH9PA-4TCD.
    groups = "-".join(random_part[i : i + 5] for i in range(0, RANDOM_CHARACTERS, 5))
    return f"LTR-{year}-{course}-{groups}"


def _new_certificate(
    session: Session, completion: Completion, person: Person, view: CourseView, now: datetime
) -> Certificate:
    """A certificate row with its snapshot frozen and its signed PDF stored."""
    number = certificate_number(view.code, completion)
    data = certificate_snapshot.at_issue(
        number=number,
        person=person,
        view=view,
        started_at=completion.started_at,
        completed_at=completion.completed_at,
        final_score=completion.final_score,
        jp=completion.jp,
        issued_at=now,
        authority=certificate_issue.current().authority,
    )
    return certificate_from_data(session, completion, person, data, now)


def certificate_from_data(
    session: Session,
    completion: Completion,
    person: Person,
    data: CertificateData,
    now: datetime,
) -> Certificate:
    """A certificate row for `completion` printing `data`, its signed PDF stored (a course's
    or a class session's: app.classes builds its own `data`)."""
    certificate = Certificate(
        number=data.number,
        completion_id=completion.id,
        issued_at=now,
        full_name=person.full_name,
        nip=person.nip,
        employee_type=person.employee_type,
        golongan=person.golongan,
        jabatan=person.jabatan,
        unit_name=person.unit_name,
        course_code=data.course_code,
        course_title=data.course_title,
        category=data.category,
        jp=data.jp,
        completed_on=data.completed_on,
        final_score=data.final_score,
    )
    certificate_issue.issue_file(session, certificate, data)
    session.add(certificate)
    session.flush()
    return certificate


def issue_certificate(
    session: Session, completion: Completion, user: Person, view: CourseView
) -> Certificate:
    """Issue the certificate for a completion, freezing what it says and signing its PDF."""
    certificate = _new_certificate(session, completion, user, view, utcnow())
    audit.record(
        session,
        "certificate.issued",
        actor_id=user.id,
        target_type="certificate",
        target_id=certificate.number,
    )
    return certificate


@cache
def _current_certificate_statement() -> Select[Certificate]:
    # Built once with a bound id: the course page and the final test read it on each view.
    return (
        select(Certificate)
        .where(
            Certificate.completion_id == bindparam("completion_id", type_=Integer),
            Certificate.replaced_by_id.is_(None),
        )
        .order_by(Certificate.id.desc())
        .limit(1)
    )


def current_certificate(session: Session, completion_id: int) -> Certificate | None:
    """The certificate to show for a completion: the last of its re-issue chain."""
    return session.scalar(_current_certificate_statement(), {"completion_id": completion_id})


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


class ReissueError(ValueError):
    """The certificate cannot be re-issued; the message (Indonesian) says why."""


def reissue_certificate(
    session: Session,
    certificate: Certificate,
    *,
    person: Person,
    view: CourseView | None,
    actor_id: int,
    reason: str,
    now: datetime,
) -> Certificate:
    """Replace `certificate` by a new one for the same completion, from the person's current
    profile and today's settings; the old one is revoked as "diganti" and points to it.

    For a course completed online, `view` is the course version the person completed (its
    modules and minutes print). A class session's certificate (app.classes: its completion
    has `class_session_id`, with or without a course) takes no view: what was learnt prints
    as the old certificate froze it (`_class_reissue_data`). Either way the score, JP and
    dates come from the completion, never from today's course or class.
    """
    if certificate.revoked_at is not None:
        raise ReissueError(_("Sertifikat yang sudah dicabut tidak dapat diterbitkan ulang."))
    if not certificate.full_name:
        raise ReissueError(_("Data pribadi pemegang sertifikat ini telah dihapus."))
    completion = session.get(Completion, certificate.completion_id)
    assert completion is not None  # certificates are deleted with their completion
    if completion.class_session_id is None and view is None:
        raise ValueError("a course completion's certificate is re-issued from its course view")
    # Revoked first: a completion has at most one unrevoked certificate (a unique index).
    revoke_certificate(session, certificate, actor_id=actor_id, reason=REPLACED_REASON, now=now)
    session.flush()
    if completion.class_session_id is not None:
        data = _class_reissue_data(session, certificate, completion, person, now)
        new = certificate_from_data(session, completion, person, data, now)
    else:
        assert view is not None
        new = _new_certificate(session, completion, person, view, now)
    new.replaces_id = certificate.id
    certificate.replaced_by_id = new.id
    session.flush()
    audit.record(
        session,
        "certificate.reissued",
        actor_id=actor_id,
        target_type="certificate",
        target_id=new.number,
        replaces=certificate.number,
        reason=reason,
        user_id=completion.user_id,
    )
    return new


def _class_reissue_data(
    session: Session, old: Certificate, completion: Completion, person: Person, now: datetime
) -> CertificateData:
    """What a class certificate's replacement prints (`certificate_snapshot.reissued`): the
    class as the old certificate froze it, with the same kind of number (KELAS-{id})."""
    frozen = (
        certificate_snapshot.from_json(old.snapshot)
        if old.snapshot is not None
        else certificate_issue.legacy_snapshot(session, old)
    )
    return certificate_snapshot.reissued(
        frozen,
        number=certificate_number(old.course_code, completion),
        person=person,
        started_at=completion.started_at,
        completed_at=completion.completed_at,
        final_score=completion.final_score,
        jp=completion.jp,
        issued_at=now,
        authority=certificate_issue.current().authority,
    )
