"""The supervisor's (atasan's) confirmation of an action plan, through a one-time link.

Supervisors have no account: the learner creates a link, sends it (usually by WhatsApp), and
the link itself is the key, like a password-reset link. Only the token's SHA-256 is stored, so a
database leak yields no usable links; the link lasts SUPERVISOR_LINK_DAYS and works once. The
page behind it shows what a supervisor needs to judge the plan, and nothing else (no NIP).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.auth import token_digest
from app.accounts.models import Unit, User
from app.audit import service as audit
from app.config import Settings
from app.content.models import Course, CourseVersion
from app.db import utcnow
from app.errors import NotFound
from app.evaluation import service
from app.evaluation.models import ActionPlan
from app.evaluation.schemas import SupervisorInput
from app.i18n import gettext as _

SUPERVISOR_LINK_DAYS = 30


def _already_confirmed() -> service.EvaluationConflict:
    return service.EvaluationConflict(
        _("Atasan Anda sudah memberikan konfirmasi; tautan baru tidak diperlukan.")
    )


def check_link_allowed(state: service.LearnerEvaluation, today: date) -> None:
    """Conflict without a plan in its follow-up period, or once the supervisor has answered."""
    service.check_follow_up_period(state, today)
    if state.plan is not None and state.plan.supervisor_confirmed_at is not None:
        raise _already_confirmed()


def issue_supervisor_link(
    session: Session, user_id: int, course_id: int, today: date
) -> tuple[str, datetime]:
    """A new one-time link token for the supervisor (replacing any earlier one), and its expiry.

    Only the token's SHA-256 is kept, so the link cannot be shown again: a lost link is
    replaced by a new one.
    """
    plan = service.open_plan(session, user_id, course_id, today)
    if plan.supervisor_confirmed_at is not None:
        raise _already_confirmed()
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=SUPERVISOR_LINK_DAYS)
    plan.supervisor_token_hash = token_digest(token)
    plan.supervisor_link_expires_at = expires_at
    audit.record(
        session,
        "evaluation.supervisor_link_issued",
        actor_id=user_id,
        target_type="action_plan",
        target_id=plan.id,
        course_id=course_id,
    )
    return token, expires_at


def supervisor_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/atasan/{token}"


def whatsapp_share_url(
    settings: Settings,
    token: str,
    *,
    learner_name: str,
    course_title: str,
    supervisor_name: str | None,
    expires_on: date,
) -> str:
    """A wa.me link that opens WhatsApp with a polite request to the supervisor, link included."""
    # Learners write the name as they address the person ("Ibu Nurhayati, S.Sos."), so it
    # replaces "Bapak/Ibu" in the greeting rather than following it.
    greeting = (
        _("Yth. {name},").format(name=supervisor_name) if supervisor_name else _("Yth. Bapak/Ibu,")
    )
    message = _(
        "{greeting}\n\nSaya, {learner}, telah menyelesaikan pelatihan “{course}” di Lentera "
        "dan menyusun rencana aksi untuk diterapkan di tempat kerja. Mohon kesediaan Bapak/Ibu "
        "memberikan konfirmasi atas penerapannya melalui tautan berikut (tanpa perlu masuk "
        "akun, berlaku sampai {expires}):\n\n{url}\n\nTerima kasih atas perhatian dan "
        "bimbingan Bapak/Ibu."
    ).format(
        greeting=greeting,
        learner=learner_name,
        course=course_title,
        expires=service.long_date(expires_on),
        url=supervisor_url(settings, token),
    )
    return "https://wa.me/?text=" + quote(message, safe="")


@dataclass(frozen=True)
class SupervisorRequest:
    """What the supervisor's page may show. Deliberately no NIP and no ids of the learner."""

    plan_id: int
    learner_name: str
    unit_name: str | None
    course_title: str
    plan: str
    supervisor_name: str | None
    follow_up_status: str | None
    follow_up_note: str | None
    follow_up_at: datetime | None
    expires_at: datetime | None
    confirmed_at: datetime | None  # set once the link has been used
    verdict: str | None


def _link_not_valid() -> NotFound:
    return NotFound(
        _(
            "Tautan konfirmasi ini tidak berlaku: mungkin sudah kedaluwarsa, sudah diganti dengan "
            "tautan yang lebih baru, atau salah salin. Mohon minta tautan baru kepada pegawai "
            "yang bersangkutan."
        )
    )


def supervisor_request(session: Session, token: str) -> SupervisorRequest:
    """The request behind a supervisor link; NotFound for an unknown or expired link.

    A link that was used stays recognisable (its hash is kept) so it can say so.
    """
    if not token or len(token) > 100:
        raise _link_not_valid()
    # Only the columns the page may show are read: the NIP never leaves the database here.
    row = session.execute(
        select(
            ActionPlan,
            User.full_name,
            User.is_active,
            Unit.name,
            service.course_title_column(),
        )
        .join(User, User.id == ActionPlan.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .join(Course, Course.id == ActionPlan.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(ActionPlan.supervisor_token_hash == token_digest(token))
    ).first()
    if row is None:
        raise _link_not_valid()
    plan, full_name, is_active, unit_name, course_title = row
    expires_at = plan.supervisor_link_expires_at
    used = plan.supervisor_confirmed_at is not None
    if not used and (not is_active or expires_at is None or expires_at <= utcnow()):
        raise _link_not_valid()
    return SupervisorRequest(
        plan_id=plan.id,
        learner_name=full_name,
        unit_name=unit_name,
        course_title=course_title,
        plan=plan.plan,
        supervisor_name=plan.supervisor_name,
        follow_up_status=plan.follow_up_status,
        follow_up_note=plan.follow_up_note,
        follow_up_at=plan.follow_up_at,
        expires_at=expires_at,
        confirmed_at=plan.supervisor_confirmed_at,
        verdict=plan.supervisor_verdict,
    )


def _link_used() -> service.EvaluationConflict:
    return service.EvaluationConflict(
        _("Tautan ini sudah dipakai untuk memberikan konfirmasi. Terima kasih atas tanggapan Anda.")
    )


def check_unused(pending: SupervisorRequest) -> None:
    """Conflict once the link has been used."""
    if pending.confirmed_at is not None:
        raise _link_used()


def confirm_by_supervisor(session: Session, token: str, data: SupervisorInput) -> None:
    """Record the supervisor's verdict; the link works once."""
    pending = supervisor_request(session, token)
    check_unused(pending)
    changed = service.rowcount(
        session.execute(
            update(ActionPlan)
            .where(
                ActionPlan.id == pending.plan_id,
                ActionPlan.supervisor_token_hash == token_digest(token),
                ActionPlan.supervisor_confirmed_at.is_(None),
            )
            .values(
                supervisor_verdict=data.verdict,
                supervisor_comment=data.comment,
                supervisor_confirmed_at=utcnow(),
            )
        )
    )
    if not changed:
        raise _link_used()
    audit.record(
        session,
        "evaluation.supervisor_confirmed",
        target_type="action_plan",
        target_id=pending.plan_id,
        verdict=data.verdict,
    )
