"""Logging in and out: server-side sessions, login throttling, one-time reset links."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.accounts import nip as nip_rules
from app.accounts.models import AuthSession, LoginFailure, PasswordResetToken, User
from app.accounts.passwords import verify_password
from app.audit import service as audit
from app.config import Settings
from app.db import utcnow

# Sessions are touched at most this often, so reading pages does not write on every request.
TOUCH_INTERVAL = timedelta(minutes=1)


def token_digest(token: str) -> str:
    """What is stored for a bearer token: its SHA-256, so a database leak yields no tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


class LoginThrottled(Exception):
    def __init__(self, retry_after_minutes: int) -> None:
        super().__init__(retry_after_minutes)
        self.retry_after_minutes = retry_after_minutes


@dataclass
class LoginResult:
    user: User
    token: str


def _failure_keys(nip: str, client_address: str | None) -> list[str]:
    keys = [f"nip:{nip}"]
    if client_address:
        keys.append(f"ip:{client_address}")
    return keys


def check_throttle(
    session: Session, settings: Settings, nip: str, client_address: str | None
) -> None:
    """Raise LoginThrottled while the account or the address has too many recent failures."""
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    limits = {
        f"nip:{nip}": settings.login_max_failures_per_account,
        f"ip:{client_address}": settings.login_max_failures_per_address,
    }
    rows = session.execute(
        select(LoginFailure.key, func.count(), func.min(LoginFailure.at))
        .where(LoginFailure.key.in_(_failure_keys(nip, client_address)), LoginFailure.at > since)
        .group_by(LoginFailure.key)
    ).all()
    for key, count, oldest in rows:
        if count >= limits[key]:
            free_at = oldest + timedelta(minutes=settings.login_window_minutes)
            minutes = max(1, int((free_at - utcnow()).total_seconds() // 60) + 1)
            raise LoginThrottled(minutes)


def record_failure(session: Session, nip: str, client_address: str | None) -> None:
    """Count a failed attempt against the account and the address."""
    for key in _failure_keys(nip, client_address):
        session.add(LoginFailure(key=key))


def authenticate(
    session: Session,
    settings: Settings,
    *,
    nip: str,
    password: str,
    client_address: str | None,
    user_agent: str | None,
) -> LoginResult | None:
    """Check the credentials and open a session; None for any wrong NIP/password.

    The caller commits failures too: a failed attempt must be counted even though no session
    is created, so this never raises for bad credentials.
    """
    nip = nip_rules.normalize(nip)
    check_throttle(session, settings, nip, client_address)
    user = session.scalar(select(User).where(User.nip == nip))
    password_ok = verify_password(password, user.password_hash if user else None)
    allowed = (
        user is not None and password_ok and user.is_active and (settings.demo or not user.is_demo)
    )
    if not allowed or user is None:
        record_failure(session, nip, client_address)
        return None
    # A success wipes the account's failures (not the address's: one address may be guessing
    # many accounts).
    session.execute(delete(LoginFailure).where(LoginFailure.key == f"nip:{nip}"))
    token = open_session(session, settings, user, client_address, user_agent)
    audit.record(session, "auth.login", actor_id=user.id, target_type="user", target_id=user.id)
    return LoginResult(user=user, token=token)


def open_session(
    session: Session,
    settings: Settings,
    user: User,
    client_address: str | None,
    user_agent: str | None,
) -> str:
    """Create a server-side session and return the cookie token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AuthSession(
            id=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours),
            client_address=client_address,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    return token


def resolve_session(session: Session, settings: Settings, token: str) -> User | None:
    """The active user behind a cookie token, or None if it is unknown, expired or idle."""
    auth = session.get(AuthSession, token_digest(token))
    if auth is None:
        return None
    now = utcnow()
    idle_limit = auth.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if now >= auth.expires_at or now >= idle_limit:
        session.delete(auth)
        return None
    user = session.get(User, auth.user_id)
    if user is None or not user.is_active or (user.is_demo and not settings.demo):
        session.delete(auth)
        return None
    if now - auth.last_seen_at > TOUCH_INTERVAL:
        auth.last_seen_at = now
    return user


def close_session(session: Session, token: str) -> None:
    """Logout: the session row is deleted, so the cookie is worthless even if kept."""
    session.execute(delete(AuthSession).where(AuthSession.id == token_digest(token)))


def create_reset_token(session: Session, settings: Settings, user: User) -> str:
    """A one-time password link token, valid for `reset_link_hours`; older ones are revoked."""
    session.execute(
        delete(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            id=token_digest(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(hours=settings.reset_link_hours),
        )
    )
    return token


def reset_link(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/atur-sandi/{token}"


def find_reset_token(session: Session, token: str) -> PasswordResetToken | None:
    """The unused, unexpired reset token row, or None."""
    row = session.get(PasswordResetToken, token_digest(token))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row
