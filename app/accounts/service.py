"""Users: create, update, look up, set passwords."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts import auth, emails
from app.accounts import golongan as golongan_rules
from app.accounts import nip as nip_rules
from app.accounts.models import AuthSession, EmployeeType, Role, Unit, User
from app.accounts.passwords import check_policy, hash_password
from app.accounts.viewer import Viewer
from app.audit import service as audit
from app.db import utcnow
from app.errors import AppError, NotFound
from app.i18n import gettext as _


@dataclass
class UserData:
    """A validated profile, as entered on the CLI, a form or a roster row."""

    nip: str
    employee_type: EmployeeType
    full_name: str
    email: str | None = None
    unit_name: str | None = None
    jabatan: str | None = None
    golongan: str | None = None
    roles: set[Role] = field(default_factory=lambda: {Role.LEARNER})
    contract_start_on: date | None = None  # PPPK: TMT kontrak (JP per contract year)
    phone: str | None = None  # WhatsApp, 62... (roster column); None keeps the known number


# Run in the request's transaction after HR changes one person on the web (their jabatan, unit,
# golongan, or active status), with HR's id. Other domains react this way (learning paths
# re-sync the person) because accounts imports no other domain: `app.main` and the CLI register
# them, as they do the roster import's hooks (`roster.after_import`).
PersonChanged = Callable[[Session, User, int | None], None]
_after_change: list[PersonChanged] = []


def after_person_change(hook: PersonChanged) -> None:
    """Register `hook` to run after one person's profile or status changed (once, however often
    registered)."""
    if hook not in _after_change:
        _after_change.append(hook)


def _person_changed(session: Session, user: User, actor_id: int | None) -> None:
    session.flush()
    for hook in _after_change:
        hook(session, user, actor_id)


def get_by_nip(session: Session, nip: str) -> User | None:
    """The user with this NIP, or None."""
    return session.scalar(select(User).where(User.nip == nip_rules.normalize(nip)))


def get_or_create_unit(session: Session, name: str, cache: dict[str, Unit] | None = None) -> Unit:
    """The unit kerja with this name (whitespace-normalised), created when new."""
    clean = " ".join(name.split())
    if cache is not None and clean in cache:
        return cache[clean]
    unit = session.scalar(select(Unit).where(Unit.name == clean))
    if unit is None:
        unit = Unit(name=clean)
        session.add(unit)
        session.flush()
    if cache is not None:
        cache[clean] = unit
    return unit


def build_user_data(
    *,
    nip: str,
    full_name: str,
    employee_type: str | None = None,
    email: str | None = None,
    unit_name: str | None = None,
    jabatan: str | None = None,
    golongan: str | None = None,
    roles: set[Role] | None = None,
) -> UserData:
    """Validate raw profile fields; raises InvalidNIP / InvalidGolongan / ValueError."""
    info = nip_rules.parse(nip, employee_type or None)
    name = " ".join(full_name.split())
    if not name:
        raise ValueError(_("Nama wajib diisi."))
    clean_email = emails.normalize(email)  # InvalidEmail is a ValueError, like the others here
    return UserData(
        nip=info.nip,
        employee_type=info.employee_type,
        full_name=name,
        email=clean_email,
        unit_name=" ".join((unit_name or "").split()) or None,
        jabatan=" ".join((jabatan or "").split()) or None,
        golongan=golongan_rules.normalize(golongan or "", info.employee_type),
        roles=roles or {Role.LEARNER},
    )


def apply_profile(session: Session, user: User, data: UserData, units: dict[str, Unit]) -> None:
    """Copy a validated profile onto a user (roles excluded: those change only explicitly)."""
    user.employee_type = data.employee_type.value
    user.full_name = data.full_name
    user.email = data.email
    user.jabatan = data.jabatan
    user.golongan = data.golongan
    user.unit = get_or_create_unit(session, data.unit_name, units) if data.unit_name else None
    if data.contract_start_on is not None:  # a roster without the column keeps what is known
        user.contract_start_on = data.contract_start_on
    if data.phone is not None:  # likewise the WhatsApp number (learners may set it themselves)
        user.phone = data.phone


def create_user(
    session: Session,
    data: UserData,
    *,
    password: str | None = None,
    actor_id: int | None = None,
    is_demo: bool = False,
) -> User:
    """Create a user; raises ValueError if the NIP exists or the password is weak."""
    if get_by_nip(session, data.nip) is not None:
        raise ValueError(_("NIP {nip} sudah terdaftar.").format(nip=data.nip))
    user = User(nip=data.nip, employee_type=data.employee_type.value, full_name=data.full_name)
    apply_profile(session, user, data, {})
    user.is_demo = is_demo
    user.set_roles(data.roles)
    if password is not None:
        if not is_demo:
            check_policy(password, nip=data.nip, full_name=data.full_name)
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.created",
        actor_id=actor_id,
        target_type="user",
        target_id=user.id,
        roles=sorted(r.value for r in data.roles),
    )
    return user


def set_password(
    session: Session, user: User, password: str, *, actor_id: int | None, via: str | None = None
) -> None:
    """Set a new password (policy-checked) and end every session the user had.

    `via` says how ("reset_link" when a one-time link was used, "profile"), for the audit.
    """
    check_policy(password, nip=user.nip, full_name=user.full_name)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    audit.record(
        session, "user.password_set", actor_id=actor_id, target_type="user", target_id=user.id,
        **({"via": via} if via else {}),
    )  # fmt: skip


class ResetLinkUsed(AppError):
    """Another request used this one-time link first (a double click, a second tab)."""

    status_code = 409


def set_password_by_link(session: Session, token: str, password: str) -> User:
    """Set a password through a one-time link: the link is used up atomically, by one request.

    Raises WeakPassword (nothing used up, the person may try another password), NotFound for an
    unknown, used or expired link, or ResetLinkUsed when a parallel request won the race.
    """
    row = auth.find_reset_token(session, token)
    user = session.get(User, row.user_id) if row else None
    if row is None or user is None or not user.is_active:
        raise NotFound(reset_link_invalid_message())
    check_policy(password, nip=user.nip, full_name=user.full_name)
    if not auth.consume_reset_token(session, token):
        raise ResetLinkUsed(
            _(
                "Tautan ini baru saja dipakai untuk mengatur kata sandi (mungkin di tab atau "
                "perangkat lain), jadi kata sandi tidak diubah lagi. Masuk dengan kata sandi yang "
                "sudah diatur, atau minta tautan baru kepada admin atau BKPSDM."
            )
        )
    set_password(session, user, password, actor_id=user.id, via="reset_link")
    return user


def reset_link_invalid_message() -> str:
    """What a used, expired or mistyped one-time link says."""
    return _(
        "Tautan ini tidak berlaku: sudah dipakai, sudah kedaluwarsa, atau salah ketik. "
        "Minta tautan baru kepada admin atau BKPSDM."
    )


def set_roles(session: Session, user: User, roles: set[Role], *, actor_id: int) -> bool:
    """Change a user's roles; their sessions end so the new rights apply at once."""
    before = user.roles
    if before == roles:
        return False
    user.set_roles(roles)
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    audit.record(
        session,
        "user.roles_changed",
        actor_id=actor_id,
        target_type="user",
        target_id=user.id,
        before=sorted(r.value for r in before),
        after=sorted(r.value for r in roles),
    )
    return True


def set_active(session: Session, user: User, active: bool, *, actor_id: int) -> None:
    """Deactivate (sessions end, login refused) or reactivate an account; nothing is deleted."""
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    audit.record(
        session,
        "user.activated" if active else "user.deactivated",
        actor_id=actor_id,
        target_type="user",
        target_id=user.id,
    )
    _person_changed(session, user, actor_id)


@dataclass(frozen=True)
class JobData:
    """What HR corrects on one person's page: where they work, their jabatan and golongan."""

    unit_name: str | None
    jabatan: str | None
    golongan: str | None


def job_data(user: User, unit_name: str, jabatan: str, golongan: str) -> JobData:
    """Validate the typed job data for `user` (golongan on their type's scale); raises
    InvalidGolongan."""
    kind = EmployeeType(user.employee_type)
    return JobData(
        unit_name=" ".join(unit_name.split()) or None,
        jabatan=" ".join(jabatan.split()) or None,
        golongan=golongan_rules.normalize(golongan, kind),
    )


def update_job(
    session: Session, user: User, data: JobData, *, actor_id: int
) -> dict[str, str | None]:
    """Set a person's unit kerja, jabatan and golongan as the roster import would (the unit is
    made when new); audited with before and after, and the change hooks run. Returns what
    changed, {} when nothing did."""
    before = {
        "unit": user.unit.name if user.unit else None,
        "jabatan": user.jabatan,
        "golongan": user.golongan,
    }
    after = {"unit": data.unit_name, "jabatan": data.jabatan, "golongan": data.golongan}
    changed = {key: after[key] for key in after if after[key] != before[key]}
    if not changed:
        return {}
    user.unit = get_or_create_unit(session, data.unit_name) if data.unit_name else None
    user.jabatan = data.jabatan
    user.golongan = data.golongan
    audit.record(
        session,
        "user.job_changed",
        actor_id=actor_id,
        target_type="user",
        target_id=user.id,
        before={key: before[key] for key in changed},
        after=changed,
    )
    _person_changed(session, user, actor_id)
    return changed


def set_phone(session: Session, user: User, phone: str | None, *, actor_id: int) -> bool:
    """Set the WhatsApp number (already normalised, see phones.py); audited when it changed."""
    if user.phone == phone:
        return False
    user.phone = phone
    audit.record(
        session, "user.phone_changed", actor_id=actor_id, target_type="user", target_id=user.id,
        removed=phone is None,
    )  # fmt: skip
    return True


def set_email_reminders(session: Session, user: User, wanted: bool, *, actor_id: int) -> bool:
    """Turn the person's email reminders on or off; audited when it changed."""
    if user.email_reminders_off == (not wanted):
        return False
    user.email_reminders_off = not wanted
    audit.record(
        session, "user.email_reminders_changed", actor_id=actor_id, target_type="user",
        target_id=user.id, email_reminders=wanted,
    )  # fmt: skip
    return True


def unlock(session: Session, user: User, *, actor_id: int) -> int:
    """Clear the failed-login counter of an account (the lockout); returns how many were cleared."""
    from app.accounts.models import LoginFailure

    result = session.execute(delete(LoginFailure).where(LoginFailure.key == f"nip:{user.nip}"))
    audit.record(session, "user.unlocked", actor_id=actor_id, target_type="user", target_id=user.id)
    return int(getattr(result, "rowcount", 0) or 0)


# Roles that open other people's records or the system itself: their accounts are admin-only.
PRIVILEGED_ROLES = frozenset({Role.TRAINER, Role.HR, Role.ADMIN})


def management_refusal(actor: Viewer | User, person: User) -> str | None:
    """Why `actor` may not reset, unlock, (de)activate or change the roles of `person`, or None.

    The account-takeover boundary. Nobody manages their own account through the person pages
    (not even an admin: a second person must be involved, and the profile page is for one's own
    password). HR manages learner-only accounts; an account holding a trainer, HR or admin
    role is managed by admins only, because a reset link for it would let an HR officer log in
    as a colleague and act with their rights (approve their own external learning through
    another HR account, say). Operators with shell access keep `lentera reset-password`.
    """
    if actor.id == person.id:
        return _(
            "Anda tidak dapat mengubah akun Anda sendiri di halaman ini. Ganti kata sandi Anda di "
            "halaman Profil; untuk hal lain mintalah bantuan admin."
        )
    if not actor.has_role(Role.ADMIN) and person.has_role(*PRIVILEGED_ROLES):
        return _(
            "Akun ini memegang peran pengajar, BKPSDM, atau admin: hanya admin yang dapat "
            "membuat tautan kata sandi, membuka kunci, atau mengubah status akun ini."
        )
    return None
