"""Who manages a class session, and HR naming its responsible trainer.

HR and admins manage every session. A trainer manages only the sessions they are the
responsible trainer of (`ClassSession.trainer_id`): the trainer who schedules a session is its
responsible trainer until HR names another (or none: then only HR manages it). Other trainers
see the session like a learner does; every page and form that changes it, or shows its roll
or its attendance code, refuses them (app.classes.manage_routes asks `manages`).

One responsible trainer, not a list: the roll, the code screen and the finalisation that
issues certificates are answered for by one person, and HR can hand a session over when that
person is away. Being the creator gives no lasting right of its own, so HR's handover is
complete.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User, UserRole
from app.accounts.viewer import Viewer
from app.audit import service as audit
from app.classes.models import ClassSession
from app.classes.service import ClassRuleError
from app.i18n import gettext as _


def manages_all(viewer: Viewer) -> bool:
    """Whether the viewer manages every session (HR and admins)."""
    return viewer.has_role(Role.HR, Role.ADMIN)


def manages(viewer: Viewer, row: ClassSession) -> bool:
    """Whether the viewer may change the session, mark its roll or show its code."""
    if manages_all(viewer):
        return True
    return viewer.has_role(Role.TRAINER) and row.trainer_id == viewer.id


def default_trainer(viewer: Viewer) -> int | None:
    """The responsible trainer of a session the viewer schedules: themself, if a trainer."""
    return viewer.id if viewer.has_role(Role.TRAINER) else None


def not_yours_message() -> str:
    return _(
        "Kelas ini dikelola oleh pelatih lain. Anda dapat melihat jadwalnya, tetapi tidak "
        "dapat mengubah, mengisi presensi, atau memfinalkannya. Hubungi BKPSDM bila Anda perlu "
        "mengelolanya."
    )


@dataclass(frozen=True)
class Trainer:
    id: int
    full_name: str
    nip: str


def trainers(session: Session) -> list[Trainer]:
    """Active users holding the trainer role, by name: who HR may name responsible."""
    rows = session.execute(
        select(User.id, User.full_name, User.nip)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.TRAINER.value, User.is_active.is_(True))
        .order_by(User.full_name, User.id)
    )
    return [Trainer(uid, name, nip) for uid, name, nip in rows]


def trainer_name(session: Session, row: ClassSession) -> str | None:
    """The responsible trainer's name, if the session has one."""
    if row.trainer_id is None:
        return None
    return session.scalar(select(User.full_name).where(User.id == row.trainer_id))


def change_trainer(
    session: Session, row: ClassSession, trainer_id: int | None, *, actor_id: int
) -> None:
    """HR names the responsible trainer (None: nobody, HR manages alone); audited."""
    if trainer_id is not None and trainer_id not in {t.id for t in trainers(session)}:
        raise ClassRuleError(_("Pilih pengguna aktif yang memiliki peran pelatih."))
    if trainer_id == row.trainer_id:
        return
    previous, row.trainer_id = row.trainer_id, trainer_id
    audit.record(
        session, "class.trainer_changed", actor_id=actor_id, target_type="class_session",
        target_id=row.id, user_id=trainer_id, previous_user_id=previous,
    )  # fmt: skip
