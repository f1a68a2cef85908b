"""Storage for people, their roles and their login state."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow


class Role(enum.StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    HR = "hr"
    ADMIN = "admin"


class EmployeeType(enum.StrEnum):
    PNS = "PNS"
    PPPK = "PPPK"


class Unit(Base):
    """A unit kerja (work unit): a dinas, badan, kecamatan or kelurahan."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("employee_type IN ('PNS', 'PPPK')", name="employee_type"),
        CheckConstraint("length(nip) = 18", name="nip_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The NIP (or NI PPPK) is personal data: it encodes birth date and gender. Never show it
    # unmasked outside the person's own pages and HR's.
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    employee_type: Mapped[str] = mapped_column(String(4))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    # A mobile number for WhatsApp, normalised to 62... (app/accounts/phones.py).
    phone: Mapped[str | None] = mapped_column(String(16), default=None)
    # The person turned email reminders off (app/reminders); WhatsApp links are HR's to send.
    email_reminders_off: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL"), index=True, default=None
    )
    jabatan: Mapped[str | None] = mapped_column(String(200), default=None)
    golongan: Mapped[str | None] = mapped_column(String(10), default=None)
    # PPPK only: the contract's start (TMT kontrak). When known, the PPPK's JP is counted
    # per contract year from it instead of per calendar year (app.learning.credited).
    contract_start_on: Mapped[date | None] = mapped_column(Date, default=None)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Demo accounts have published passwords: they can only log in while demo mode is on.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(5), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )

    @property
    def unit_name(self) -> str | None:
        return self.unit.name if self.unit else None

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles: set[Role]) -> None:
        keep = {row.role for row in self.role_rows if Role(row.role) in roles}
        self.role_rows = [row for row in self.role_rows if row.role in keep] + [
            UserRole(role=role.value) for role in sorted(roles) if role.value not in keep
        ]


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint("role IN ('learner', 'trainer', 'hr', 'admin')", name="role"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class AuthSession(Base):
    """A server-side login session; the cookie carries a token whose SHA-256 is the id."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    client_address: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)


class AuthGeneration(Base):
    """A single row whose `value` grows with every change that ends or alters a login session.

    Bumped in the same transaction as the change (logout, password, roles, deactivation, a
    profile or unit edit: `app.accounts.session_cache`), so a process that caches resolved
    sessions and sees the value move knows its cache may be stale and drops it.
    """

    __tablename__ = "auth_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class LoginFailure(Base):
    """One failed login, counted per account and per client address within a window.

    Kept in the database rather than in memory so the limit holds across worker processes
    and app instances. A login failure is two rows: `nip:<NIP>` and `ip:<address>`, both with
    the NIP tried in `nip`, so a successful login can forgive that NIP's own failures at the
    address (`app.accounts.auth._forgive`). Other throttles sharing the table leave `nip` empty.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    nip: Mapped[str | None] = mapped_column(String(100), default=None)


class PasswordResetToken(Base):
    """A one-time password link; only the token's SHA-256 is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
