"""Logging in and out: server-side sessions, login throttling, one-time reset links."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.accounts import nip as nip_rules
from app.accounts import session_cache
from app.accounts.models import (
    AuthSession,
    LoginFailure,
    PasswordResetToken,
    Role,
    Unit,
    User,
    UserRole,
)
from app.accounts.passwords import verify_password
from app.accounts.session_cache import CachedSession, SessionCache
from app.accounts.viewer import Viewer
from app.audit import service as audit
from app.config import Settings
from app.db import session_scope, utcnow, write_at_commit

# Sessions are touched at most this often, so reading pages does not write on every request.
# Learners read a module for minutes before the next request, so with a short interval nearly
# every page view would be a write (measured: 1,086 touches in 1,202 requests). Five minutes
# against the default idle limit of 120 costs nothing in precision; a short idle limit
# shortens it (`_touch_interval`).
TOUCH_INTERVAL = timedelta(minutes=5)


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
        session.add(LoginFailure(key=key, nip=nip))


def _advisory_lock_id(key: str) -> int:
    # PostgreSQL advisory locks take a signed 64-bit id; a collision only serialises two keys.
    return int.from_bytes(
        hashlib.sha256(b"lentera-login:" + key.encode()).digest()[:8], "big", signed=True
    )


def reserve_attempt(
    factory: sessionmaker[Session], settings: Settings, nip: str, client_address: str | None
) -> list[int]:
    """Count this attempt as a failure *before* the password is checked; the rows' ids.

    The check and the count are one atomic step, committed at once in a short transaction of
    its own, so parallel guesses (any worker, any instance) line up: with a limit of 5, at most
    5 attempts per window ever reach the password check, and a correct guess after them is
    refused. Checking the password first and counting after (as before) let 23 of 30 parallel
    guesses through. A successful login then takes its reservation back (`_forgive`).

    Serialised per key by a transaction-scoped advisory lock on PostgreSQL; on SQLite the
    transaction's first statement is a write, which takes the database's write lock, so the
    count below always sees every committed reservation. Raises LoginThrottled (and counts
    nothing) when a limit is reached, so refused attempts do not extend the lockout.
    """
    keys = _failure_keys(nip, client_address)
    window_start = utcnow() - timedelta(minutes=settings.login_window_minutes)
    with session_scope(factory) as session:
        if session.get_bind().dialect.name == "postgresql":
            for key in sorted(keys):  # one order everywhere: no deadlock between two keys
                session.execute(select(func.pg_advisory_xact_lock(_advisory_lock_id(key))))
        # Failures older than the window count for nothing: drop them (data minimisation).
        # On SQLite this write comes first on purpose: see the docstring.
        session.execute(
            delete(LoginFailure).where(LoginFailure.key.in_(keys), LoginFailure.at <= window_start)
        )
        check_throttle(session, settings, nip, client_address)
        rows = [LoginFailure(key=key, nip=nip) for key in keys]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def _forgive(session: Session, nip: str, client_address: str | None, reserved: list[int]) -> None:
    # A success wipes the account's failures, this attempt's reservation, and the NIP's own
    # earlier failures from this address: its owner's typos. Many people share one address
    # (an office behind NAT, a mobile carrier's CGNAT), and their forgiven typos must not add
    # up to pause everyone there. The address's failures on *other* NIPs stay: it may be
    # guessing accounts, and a login that succeeds proves nothing about those.
    forgiven = [LoginFailure.key == f"nip:{nip}", LoginFailure.id.in_(reserved)]
    if client_address:
        forgiven.append(and_(LoginFailure.key == f"ip:{client_address}", LoginFailure.nip == nip))
    session.execute(delete(LoginFailure).where(or_(*forgiven)))


def authenticate(
    session: Session,
    settings: Settings,
    *,
    nip: str,
    password: str,
    client_address: str | None,
    user_agent: str | None,
    reserve_with: sessionmaker[Session],
) -> LoginResult | None:
    """Check the credentials and open a session; None for any wrong NIP/password.

    The attempt is counted as a failure before the password is checked, through
    `reserve_with` (the app's sessionmaker: its own short transaction, see `reserve_attempt`),
    and taken back on success. Unknown NIPs cost the same (a reservation and a dummy hash).
    Call it before `session` writes anything: on SQLite the reservation needs the write lock.
    """
    nip = nip_rules.normalize(nip)
    reserved = reserve_attempt(reserve_with, settings, nip, client_address)
    user = session.scalar(select(User).where(User.nip == nip))
    password_ok = verify_password(password, user.password_hash if user else None)
    allowed = (
        user is not None and password_ok and user.is_active and (settings.demo or not user.is_demo)
    )
    if not allowed or user is None:
        return None  # the reservation stays: it is the failure
    _forgive(session, nip, client_address, reserved)
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


_SESSION_COLUMNS = (
    AuthSession.last_seen_at,
    AuthSession.expires_at,
    User.id,
    User.nip,
    User.full_name,
    User.employee_type,
    User.unit_id,
    Unit.name,
    User.jabatan,
    User.golongan,
    User.email,
    User.locale,
    User.is_active,
    User.is_demo,
    UserRole.role,
)


def resolve_session(
    session: Session, settings: Settings, token: str, cache: SessionCache | None = None
) -> Viewer | None:
    """The active user behind a cookie token, or None if it is unknown, expired or idle.

    Every page asks this. With a `cache` (the app's, `app.accounts.session_cache`), a session
    resolved within the touch interval is answered from memory while the database's auth
    generation stays put; otherwise it is one Core statement (one row per role) rather than
    three ORM loads. The "last seen" touch is queued for the request's commit
    (`write_at_commit`), so a page that only reads never holds SQLite's write lock while it
    renders.
    """
    digest = token_digest(token)
    now = utcnow()
    touch_interval = _touch_interval(settings)
    epoch = 0
    if cache is not None:
        epoch = cache.sync(session)
        hit = cache.get(digest)
        if hit is not None and _trusted(hit, now, touch_interval):
            return hit.viewer
    rows = session.execute(
        select(*_SESSION_COLUMNS)
        .join(User, User.id == AuthSession.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(AuthSession.id == digest)
    ).all()
    if not rows:
        return None
    first = rows[0]
    idle_limit = first.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    usable = first.is_active and (settings.demo or not first.is_demo)
    if now >= first.expires_at or now >= idle_limit or not usable:
        # Neutral for the session cache: every process sees the same expiry from the same
        # timestamps, and a deactivation bumped the generation when it was made.
        session.execute(
            delete(AuthSession).where(AuthSession.id == digest),
            execution_options={session_cache.NEUTRAL: True},
        )
        return None
    viewer = Viewer(
        id=first.id,
        nip=first.nip,
        full_name=first.full_name,
        employee_type=first.employee_type,
        roles=frozenset(Role(row.role) for row in rows if row.role is not None),
        unit_id=first.unit_id,
        unit_name=first.name,
        jabatan=first.jabatan,
        golongan=first.golongan,
        email=first.email,
        locale=first.locale,
    )
    if now - first.last_seen_at > touch_interval:
        # Written at commit, not now: see `write_at_commit`. Not cached: the next request
        # reads the touched row (and caches it) once this one has committed.
        write_at_commit(
            session,
            "session_touch",
            update(AuthSession)
            .where(AuthSession.id == digest)
            .values(last_seen_at=now)
            .execution_options(**{session_cache.NEUTRAL: True}),
        )
    elif cache is not None:
        cache.put(digest, CachedSession(viewer, first.last_seen_at, first.expires_at), epoch)
    return viewer


def remembered_session(settings: Settings, token: str, cache: SessionCache | None) -> Viewer | None:
    """The user behind `token` when the cache can tell without the database (None: ask
    `resolve_session`). The request dependency asks this on the event loop, so a page whose
    session was seen recently saves a hop to a thread."""
    if cache is None or not cache.is_current():
        return None
    hit = cache.get(token_digest(token))
    if hit is None or not _trusted(hit, utcnow(), _touch_interval(settings)):
        return None
    return hit.viewer


def _trusted(hit: CachedSession, now: datetime, touch_interval: timedelta) -> bool:
    # A cached session is trusted only while nothing is due: no idle expiry, no touch
    # (touch_interval is at most a tenth of the idle limit), no absolute expiry.
    return now < hit.expires_at and now - hit.last_seen_at <= touch_interval


def _touch_interval(settings: Settings) -> timedelta:
    return min(TOUCH_INTERVAL, timedelta(minutes=settings.session_idle_minutes) / 10)


def active_session_count(session: Session) -> int:
    """How many login sessions have not expired (the metrics' gauge)."""
    return (
        session.scalar(
            select(func.count()).select_from(AuthSession).where(AuthSession.expires_at > utcnow())
        )
        or 0
    )


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


def consume_reset_token(session: Session, token: str) -> bool:
    """Mark a one-time link used, atomically; True only for the one request that wins.

    A conditional UPDATE (still unused, not expired) with RETURNING: on PostgreSQL a second
    request waits for the first one's row lock and then finds the link used; on SQLite the
    write lock orders them the same way. RETURNING rather than the row count, which drivers
    do not report reliably for every statement (psycopg's -1 for ON CONFLICT DO NOTHING).
    """
    now = utcnow()
    won = session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.id == token_digest(token),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(PasswordResetToken.id),
        execution_options={"synchronize_session": False},
    ).first()
    return won is not None
