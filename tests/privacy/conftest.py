"""A person with data in every table that can hold data about them, and helpers to look."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.routing import NoMatchFound

from app.accounts import auth
from app.accounts.models import Role, User
from app.audit import service as audit
from app.classes.models import ClassRegistration, ClassSession
from app.config import Settings
from app.content import store
from app.content.catalog import ContentCache
from app.content.models import Blob, CourseTrainer
from app.db import utcnow
from app.evaluation.models import (
    ActionPlan,
    FollowUpInterview,
    Observation,
    ObservationRating,
    ReactionSurvey,
)
from app.learning import completion as completion_service
from app.learning import progress
from app.learning.models import Assignment, Certificate, Completion, ExternalLearning
from app.reminders.models import ReminderDelivery
from app.web.deps import SESSION_COOKIE
from tests.factories import make_user
from tests.reports.test_export import _complete

NAME = "Ratna Dewi Lamasitudju"
EMAIL = "ratna.lamasitudju@palukota.go.id"
PDF = b"%PDF-1.4\n% sertifikat\n"
SUPERVISOR_NAME = "dr. Hasanuddin Lamakarate"
SUPERVISOR_NIP = "197503152000031002"


@dataclass
class Person:
    user: User
    nip: str
    certificate: Certificate
    completion: Completion


def _file(session: Session, text: str) -> str:
    data = PDF + text.encode()
    sha = hashlib.sha256(data).hexdigest()
    session.add(Blob(sha256=sha, size=len(data), data=data))
    return sha


def _external(session: Session, user: User, status: str, sha: str, **extra: object) -> None:
    session.add(
        ExternalLearning(
            user_id=user.id, title="Pelatihan Kearsipan Digital", organiser="ANRI",
            category="teknis", start_on=date(2026, 3, 2), end_on=date(2026, 3, 3), jp=8,
            certificate_number=f"ANRI/{status}/77", file_sha256=sha,
            file_name=f"sertifikat {NAME}.pdf", file_type="application/pdf", status=status,
            **extra,
        )
    )  # fmt: skip


def build_person(session: Session, settings: Settings) -> Person:
    """A learner (and trainer) with a row in every user-linked table, their name everywhere."""
    hr = make_user(session, roles={Role.HR}, password=None, full_name="Petugas BKPSDM")
    user = make_user(
        session, roles={Role.LEARNER, Role.TRAINER}, password=None, full_name=NAME, email=EMAIL,
        unit_name="Dinas Kesehatan", jabatan="Bidan Ahli Muda", golongan="III/c",
    )  # fmt: skip
    user.locale = "en"
    user.contract_start_on = date(2024, 3, 1)  # a career date: it goes with the identity
    nip = user.nip
    auth.open_session(session, settings, user, "10.1.2.3", "Mozilla/5.0 (Android)")
    auth.create_reset_token(session, settings, user)
    auth.record_failure(session, nip, "10.1.2.3")
    done = _complete(session, user, "PPP-101")
    certificate = session.scalars(
        select(Certificate).where(Certificate.completion_id == done.id)
    ).one()
    # Another course: enrolled and assigned by HR, one module completed offline.
    view = ContentCache().catalog(session).by_code["KOM-101"]
    session.add(
        Assignment(
            user_id=user.id, course_id=view.course_id, due_on=date(2026, 12, 31),
            assigned_by_id=hr.id, note=f"Wajib untuk {NAME} ({nip})",
        )
    )  # fmt: skip
    progress.enrol(session, user.id, view.course_id, source="assigned")
    progress.complete_module(
        session, user_id=user.id, course_id=view.course_id, slug=view.modules[0].slug,
        version_id=view.version_id, now=utcnow(), event_id="evt-1", source="offline",
    )  # fmt: skip
    _external(session, user, "verified", _file(session, f"{NAME} {nip}"), reviewed_by_id=hr.id)
    _external(session, user, "pending", _file(session, f"{NAME} pending"))
    _external(
        session, user, "rejected", _file(session, f"{nip} ditolak"),
        reject_reason=f"Nama {NAME} tidak terbaca",
    )  # fmt: skip
    session.add(
        ReactionSurvey(
            user_id=user.id, course_id=done.course_id, relevance=5, quality=4,
            applicability=4, comment=f"Saya {NAME}, sangat berguna.",
        )
    )  # fmt: skip
    session.add(
        ActionPlan(
            user_id=user.id, course_id=done.course_id, plan=f"{NAME} menata arsip puskesmas.",
            supervisor_name=SUPERVISOR_NAME, supervisor_nip=SUPERVISOR_NIP,
            supervisor_jabatan="Kepala Puskesmas", follow_up_on=date(2026, 6, 1),
            follow_up_at=utcnow(), follow_up_status="applied",
            follow_up_note=f"Sudah diterapkan oleh {NAME}.", supervisor_token_hash="a" * 64,
            supervisor_link_expires_at=utcnow() + timedelta(days=7),
            supervisor_verdict="fully", supervisor_comment=f"Benar, {NAME} menerapkannya.",
            supervisor_confirmed_at=utcnow(),
        )
    )  # fmt: skip
    observed = Observation(
        user_id=user.id, completion_id=done.id, observer_id=hr.id, observer_role="hr",
        observed_on=date(2026, 6, 2), note=f"{NAME} menyapa setiap pasien.",
    )  # fmt: skip
    session.add(observed)
    session.flush()
    session.add(
        ObservationRating(
            observation_id=observed.id, position=1, level=3,
            behaviour="Menjelaskan persyaratan layanan sesuai standar pelayanan.",
        )
    )  # fmt: skip
    session.add(
        FollowUpInterview(
            user_id=user.id, completion_id=done.id, interviewer_id=hr.id,
            interviewer_role="hr", interviewed_on=date(2026, 6, 3), interviewee="learner",
            skills_applied=f"{NAME} memakai daftar periksa berkas.",
            obstacles=f"Atasan {NAME} sering dinas luar.", support_needed="Printer loket.",
            note=f"Wawancara dengan {NAME}.",
        )
    )  # fmt: skip
    session.add(CourseTrainer(course_id=view.course_id, user_id=user.id))
    user.phone = "6281234567890"
    session.add(
        ReminderDelivery(
            dedupe_key="assignment-overdue:1:2026-12-31", channel="email",
            kind="assignment_overdue", user_id=user.id, recipient=EMAIL,
            subject="Pelatihan “Komunikasi” telah melewati tenggat", status="sent", attempts=1,
        )
    )  # fmt: skip
    lesson = ClassSession(
        title="Kelas Arsip", jp=2, category="teknis", starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=2), place="Aula", capacity=10,
    )  # fmt: skip
    session.add(lesson)
    session.flush()
    session.add(ClassRegistration(session_id=lesson.id, user_id=user.id, attendance="present"))
    # Events about them by someone else, one naming them in free text, one only by NIP.
    audit.record(
        session, "user.note", actor_id=hr.id, target_type="user", target_id=user.id,
        note=f"Pindah tugas: {NAME}", email=EMAIL,
    )  # fmt: skip
    audit.record(session, "roster.row_checked", actor_id=hr.id, nip=nip, row=7)
    session.commit()
    return Person(user=user, nip=nip, certificate=certificate, completion=done)


@pytest.fixture
def person(session: Session, settings: Settings, demo_content: store.ImportReport) -> Person:
    return build_person(session, settings)


@pytest.fixture
def admin(session: Session) -> User:
    return make_user(session, roles={Role.ADMIN}, password=None, full_name="Admin Diskominfo")


def sign_in(client: TestClient, session: Session, settings: Settings, user: User) -> None:
    """Log in by opening a server-side session directly (no password hashing)."""
    client.cookies.clear()
    token = auth.open_session(session, settings, user, None, None)
    session.commit()
    client.cookies.set(SESSION_COOKIE, token)


def revoke(session: Session, person: Person, admin: User) -> None:
    completion_service.revoke_certificate(
        session, person.certificate, actor_id=admin.id, reason=f"Salah nama {NAME}",
        now=utcnow(),
    )  # fmt: skip
    session.commit()


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    """The app with the privacy pages, until app/main.py includes them itself."""
    from app.privacy import routes as privacy_routes

    try:
        app.url_path_for("privacy_person", nip="0")
    except NoMatchFound:
        app.include_router(privacy_routes.router)
    return app
