"""The learner's side of the supervisor's (atasan's) confirmation: naming the supervisor and
creating the one-time link. The supervisor's side (the page behind the link) is in
`supervisor_answer.py`; how a verdict is read against the learner's report in `confirmation.py`.

Supervisors need no account: the learner creates a link, sends it (usually by WhatsApp), and
the link itself is the key, like a password-reset link. Only the token's SHA-256 is stored, so a
database leak yields no usable links; the link lasts SUPERVISOR_LINK_DAYS and works once.

The link is bound to a named supervisor: the learner gives the supervisor's NIP (checked as a
NIP; never their own) and name. When the NIP is in the roster (the users table, active
accounts), the roster's name and jabatan are recorded instead of what the learner typed, so the
record names the person HR knows. The link can only be created once the learner has reported
their own follow-up, because the supervisor's answer is read against that report.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import token_digest
from app.accounts.models import User
from app.accounts.viewer import Person
from app.audit import service as audit
from app.config import Settings
from app.db import utcnow
from app.evaluation import service
from app.evaluation.schemas import InvalidInput, SupervisorBindingInput
from app.i18n import gettext as _

SUPERVISOR_LINK_DAYS = 30


def _already_confirmed() -> service.EvaluationConflict:
    return service.EvaluationConflict(
        _("Atasan Anda sudah memberikan konfirmasi; tautan baru tidak diperlukan.")
    )


def _report_first() -> service.EvaluationConflict:
    return service.EvaluationConflict(
        _(
            "Laporkan dahulu hasil penerapan rencana aksi Anda. Atasan akan menilai penerapan "
            "tersebut, jadi tautan untuk atasan hanya dapat dibuat setelah laporan Anda tersimpan."
        )
    )


def check_link_allowed(state: service.LearnerEvaluation, today: date) -> None:
    """Conflict outside the follow-up period, before the learner's report, or once answered."""
    service.check_follow_up_period(state, today)
    assert state.plan is not None  # check_follow_up_period raised otherwise
    if state.plan.supervisor_confirmed_at is not None:
        raise _already_confirmed()
    if state.plan.follow_up_status is None:
        raise _report_first()


@dataclass(frozen=True)
class NamedSupervisor:
    """The supervisor a link is bound to, as it will be recorded."""

    nip: str
    name: str
    jabatan: str | None
    in_roster: bool


def name_supervisor(
    session: Session, learner: Person, data: SupervisorBindingInput
) -> NamedSupervisor:
    """Who the link is for: the roster's record for the NIP, or what the learner typed.

    InvalidInput when the NIP is the learner's own, or when it is not in the roster and no name
    was given.
    """
    if data.nip == learner.nip:
        raise InvalidInput(
            {
                "supervisor_nip": _(
                    "Ini NIP Anda sendiri. Isikan NIP atasan langsung Anda: penerapan rencana "
                    "aksi harus dikonfirmasi oleh orang lain."
                )
            }
        )
    found = session.execute(
        select(User.full_name, User.jabatan).where(User.nip == data.nip, User.is_active)
    ).first()
    if found is not None:
        full_name, jabatan = found
        return NamedSupervisor(data.nip, full_name, jabatan or data.jabatan, in_roster=True)
    if not data.name:
        raise InvalidInput(
            {
                "supervisor_name": _(
                    "NIP ini tidak ada dalam data pegawai Lentera, jadi nama atasan wajib diisi."
                )
            }
        )
    return NamedSupervisor(data.nip, data.name, data.jabatan, in_roster=False)


@dataclass(frozen=True)
class IssuedLink:
    token: str
    expires_at: datetime
    supervisor: NamedSupervisor


def issue_supervisor_link(
    session: Session,
    learner: Person,
    course_id: int,
    today: date,
    data: SupervisorBindingInput,
) -> IssuedLink:
    """A new one-time link bound to the named supervisor, replacing any earlier link.

    Only the token's SHA-256 is kept, so the link cannot be shown again: a lost (or locked)
    link is replaced by a new one, which also resets the count of wrong NIPs.
    """
    plan = service.open_plan(session, learner.id, course_id, today)
    if plan.supervisor_confirmed_at is not None:
        raise _already_confirmed()
    if plan.follow_up_status is None:
        raise _report_first()
    named = name_supervisor(session, learner, data)
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=SUPERVISOR_LINK_DAYS)
    plan.supervisor_token_hash = token_digest(token)
    plan.supervisor_link_expires_at = expires_at
    plan.supervisor_nip = named.nip
    plan.supervisor_name = named.name
    plan.supervisor_jabatan = named.jabatan
    plan.supervisor_nip_failures = 0
    # No NIP in the audit details: the plan row holds it, and is blanked on anonymisation.
    audit.record(
        session,
        "evaluation.supervisor_link_issued",
        actor_id=learner.id,
        target_type="action_plan",
        target_id=plan.id,
        course_id=course_id,
        supervisor_in_roster=named.in_roster,
    )
    return IssuedLink(token, expires_at, named)


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
