"""The supervisor's side of the one-time link: who may answer, the NIP check, the answer.

The link is bound to the supervisor the learner named (`supervisor.py`). Before the questions
are shown, whoever opened it types their own NIP, which must be the bound one:
- a wrong NIP is counted; after `confirmation.NIP_MAX_ATTEMPTS` the link locks, and only a new
  link from the learner (which resets the count) can be answered;
- the learner's own NIP is refused with its own message (counted and audited);
- a request carrying the learner's logged-in session is refused outright (403), whatever NIP.
The answer posts the NIP again and is recorded only if it still matches, with the bound name,
NIP and jabatan, the 4-level verdict, an optional comment and the time, once.

This does not make forgery impossible: the learner typed the supervisor's NIP and could type it
again in another browser. It makes it deliberate: the record names a real person (from the
roster where possible) who can deny it, and the trainer report sets answers that contradict
the learner's own report apart instead of counting them as confirmations.

The page shows what a supervisor needs to judge the plan, and nothing else: never the
learner's NIP, nor the bound NIP (showing it would answer the question it asks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.auth import token_digest
from app.accounts.models import Unit, User
from app.audit import service as audit
from app.content.models import Course, CourseVersion
from app.db import utcnow
from app.errors import Forbidden, NotFound
from app.evaluation import confirmation, service
from app.evaluation.models import ActionPlan
from app.evaluation.schemas import InvalidInput, SupervisorInput
from app.i18n import gettext as _


@dataclass(frozen=True)
class SupervisorRequest:
    """What the supervisor's page may show. Deliberately no NIP and no ids of the learner."""

    plan_id: int
    learner_name: str
    unit_name: str | None
    course_title: str
    plan: str
    supervisor_name: str | None
    supervisor_jabatan: str | None
    follow_up_status: str | None
    follow_up_note: str | None
    follow_up_at: datetime | None
    expires_at: datetime | None
    confirmed_at: datetime | None  # set once the link has been used
    verdict: str | None
    attempts_left: int  # wrong NIPs the link still allows

    @property
    def locked(self) -> bool:
        """Too many wrong NIPs: the link cannot be answered any more."""
        return self.confirmed_at is None and self.attempts_left == 0


@dataclass(frozen=True)
class _Parties:
    """Who the link is about and who it is for: for the checks, never for the page."""

    learner_id: int
    learner_nip: str
    supervisor_nip: str | None


class SelfConfirmation(Forbidden):
    """The learner tried to answer their own supervisor link."""


class WrongNIP(InvalidInput):
    """The NIP typed is not the bound supervisor's; `locked` once no attempt is left."""

    def __init__(self, message: str, *, locked: bool) -> None:
        super().__init__({"nip": message})
        self.locked = locked


def _link_not_valid() -> NotFound:
    return NotFound(
        _(
            "Tautan konfirmasi ini tidak berlaku: mungkin sudah kedaluwarsa, sudah diganti dengan "
            "tautan yang lebih baru, atau salah salin. Mohon minta tautan baru kepada pegawai "
            "yang bersangkutan."
        )
    )


def _load(session: Session, token: str) -> tuple[SupervisorRequest, _Parties]:
    if not token or len(token) > 100:
        raise _link_not_valid()
    row = session.execute(
        select(
            ActionPlan,
            User.full_name,
            User.nip,
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
    plan, full_name, learner_nip, is_active, unit_name, course_title = row
    expires_at = plan.supervisor_link_expires_at
    used = plan.supervisor_confirmed_at is not None
    if not used and (not is_active or expires_at is None or expires_at <= utcnow()):
        raise _link_not_valid()
    request = SupervisorRequest(
        plan_id=plan.id,
        learner_name=full_name,
        unit_name=unit_name,
        course_title=course_title,
        plan=plan.plan,
        supervisor_name=plan.supervisor_name,
        supervisor_jabatan=plan.supervisor_jabatan,
        follow_up_status=plan.follow_up_status,
        follow_up_note=plan.follow_up_note,
        follow_up_at=plan.follow_up_at,
        expires_at=expires_at,
        confirmed_at=plan.supervisor_confirmed_at,
        verdict=plan.supervisor_verdict,
        attempts_left=confirmation.attempts_left(plan.supervisor_nip_failures),
    )
    return request, _Parties(plan.user_id, learner_nip, plan.supervisor_nip)


def supervisor_request(session: Session, token: str, viewer_id: int | None) -> SupervisorRequest:
    """The request behind a link; NotFound for an unknown or expired link, SelfConfirmation
    when `viewer_id` (the logged-in user, if any) is the learner.

    A link that was used stays recognisable (its hash is kept) so it can say so.
    """
    request, parties = _load(session, token)
    if viewer_id is not None and viewer_id == parties.learner_id:
        raise SelfConfirmation(
            _(
                "Tautan ini untuk atasan Anda, bukan untuk Anda: konfirmasi tidak dapat "
                "diberikan dari akun Anda sendiri. Kirimkan tautan ini kepada atasan Anda."
            )
        )
    return request


def _link_used() -> service.EvaluationConflict:
    return service.EvaluationConflict(
        _("Tautan ini sudah dipakai untuk memberikan konfirmasi. Terima kasih atas tanggapan Anda.")
    )


def _locked_message() -> str:
    return _(
        "Tautan ini dikunci karena sudah {n} kali NIP yang dimasukkan tidak cocok dengan atasan "
        "yang ditunjuk. Mohon minta pegawai yang bersangkutan membuat tautan baru."
    ).format(n=confirmation.NIP_MAX_ATTEMPTS)


def _link_locked() -> service.EvaluationConflict:
    return service.EvaluationConflict(_locked_message())


def check_answerable(pending: SupervisorRequest) -> None:
    """Conflict once the link has been used, or while it is locked."""
    if pending.confirmed_at is not None:
        raise _link_used()
    if pending.locked:
        raise _link_locked()


def _count_failure(session: Session, token: str, plan_id: int) -> int:
    """Count one wrong NIP on the unanswered link; the attempts left afterwards."""
    session.execute(
        update(ActionPlan)
        .where(
            ActionPlan.id == plan_id,
            ActionPlan.supervisor_token_hash == token_digest(token),
            ActionPlan.supervisor_confirmed_at.is_(None),
        )
        .values(supervisor_nip_failures=ActionPlan.supervisor_nip_failures + 1)
        .execution_options(synchronize_session=False)
    )
    failures = session.scalar(
        select(ActionPlan.supervisor_nip_failures).where(ActionPlan.id == plan_id)
    )
    return confirmation.attempts_left(failures or 0)


def verify_nip(session: Session, token: str, nip: str) -> None:
    """Check the NIP typed on the link against the bound supervisor's, counting wrong ones.

    SelfConfirmation for the learner's own NIP, WrongNIP for any other mismatch; both are
    counted, so the caller must let the transaction commit (render a page, do not raise on).
    """
    pending, parties = _load(session, token)
    check_answerable(pending)
    if parties.supervisor_nip is not None and nip == parties.supervisor_nip:
        return
    left = _count_failure(session, token, pending.plan_id)
    if left == 0:
        audit.record(
            session,
            "evaluation.supervisor_link_locked",
            target_type="action_plan",
            target_id=pending.plan_id,
        )
    if nip == parties.learner_nip:
        audit.record(
            session,
            "evaluation.supervisor_self_confirmation_refused",
            target_type="action_plan",
            target_id=pending.plan_id,
        )
        raise SelfConfirmation(
            _(
                "NIP yang dimasukkan adalah NIP pegawai yang dinilai. Konfirmasi harus "
                "diberikan oleh atasannya sendiri, dengan NIP atasan tersebut."
            )
        )
    if left == 0:
        raise WrongNIP(_locked_message(), locked=True)
    raise WrongNIP(
        _(
            "NIP ini tidak cocok dengan atasan yang ditunjuk oleh pegawai. Periksa kembali NIP "
            "Anda; sisa percobaan: {n}. Jika Anda bukan atasan yang dimaksud, mohon tidak "
            "mengisi konfirmasi ini."
        ).format(n=left),
        locked=False,
    )


def confirm_by_supervisor(session: Session, token: str, nip: str, data: SupervisorInput) -> None:
    """Record the bound supervisor's verdict: the NIP must match, and the link works once."""
    verify_nip(session, token, nip)
    pending, _parties = _load(session, token)
    changed = service.rowcount(
        session.execute(
            update(ActionPlan)
            .where(
                ActionPlan.id == pending.plan_id,
                ActionPlan.supervisor_token_hash == token_digest(token),
                ActionPlan.supervisor_nip == nip,
                ActionPlan.supervisor_nip_failures < confirmation.NIP_MAX_ATTEMPTS,
                ActionPlan.supervisor_confirmed_at.is_(None),
            )
            .values(
                supervisor_verdict=data.verdict,
                supervisor_comment=data.comment,
                supervisor_confirmed_at=utcnow(),
                supervisor_legacy=False,
            )
            .execution_options(synchronize_session=False)
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
