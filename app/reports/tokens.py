"""Personal access tokens: created and revoked by HR or admins, shown once, stored hashed.

A token acts for the person who created it, so it works only while that person could still
create it: an active account holding the HR or admin role (anonymisation deactivates the
account and drops those roles, so it ends the person's tokens too). A token also expires
`LENTERA_API_TOKEN_MAX_DAYS` after its creation date; the expiry is computed, not stored, so
tokens made before the limit existed expire by the same rule.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from app.accounts.auth import token_digest
from app.accounts.models import Role, User, UserRole
from app.audit import service as audit
from app.db import utcnow, write_at_commit
from app.reports.models import ApiToken

PREFIX = "lnt_"
TOUCH_INTERVAL = timedelta(minutes=5)


def create(session: Session, name: str, *, actor_id: int) -> tuple[ApiToken, str]:
    """A new read-only token; the plain token is returned once and never stored."""
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name, token_hash=token_digest(plain), prefix=plain[:12], created_by_id=actor_id
    )
    session.add(token)
    session.flush()
    audit.record(session, "api_token.created", actor_id=actor_id, target_type="api_token",
                 target_id=token.id, name=name)  # fmt: skip
    return token, plain


def revoke(session: Session, token: ApiToken, *, actor_id: int) -> None:
    """Revoke a token; requests carrying it are refused from now on."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, "api_token.revoked", actor_id=actor_id, target_type="api_token",
                     target_id=token.id)  # fmt: skip


def expires_at(token: ApiToken, max_days: int) -> datetime:
    """When `token` stops working: `max_days` after its creation."""
    return token.created_at + timedelta(days=max_days)


@dataclass(frozen=True)
class Refused:
    """Why a token presented to the API was not accepted (the message goes to the client)."""

    message: str


UNKNOWN = Refused("A valid API token is required: Authorization: Bearer lnt_...")
REVOKED = Refused("This API token has been revoked; ask HR for a new one.")
EXPIRED = Refused("This API token has expired; ask HR for a new one.")
CREATOR = Refused(
    "This API token no longer works: the account that created it is no longer an active "
    "HR officer or admin. Ask HR for a new one."
)
CREATOR_ROLES = (Role.HR.value, Role.ADMIN.value)


def authenticate(session: Session, plain: str, *, max_days: int) -> ApiToken | Refused:
    """The token matching `plain` if it may be used now, else why not."""
    if not plain.startswith(PREFIX) or len(plain) > 100:
        return UNKNOWN
    creator_may = exists().where(
        UserRole.user_id == ApiToken.created_by_id, UserRole.role.in_(CREATOR_ROLES)
    )
    row = session.execute(
        select(ApiToken, User.is_active, creator_may)
        .outerjoin(User, User.id == ApiToken.created_by_id)
        .where(ApiToken.token_hash == token_digest(plain))
    ).first()
    if row is None:
        return UNKNOWN
    token, creator_active, creator_has_role = row
    now = utcnow()
    if token.revoked_at is not None:
        return REVOKED
    if now >= expires_at(token, max_days):
        return EXPIRED
    # A deleted creator (created_by_id set to NULL) is refused like a deactivated one.
    if not creator_active or not creator_has_role:
        return CREATOR
    if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
        write_at_commit(
            session,
            "api_token_touch",
            update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now),
        )
    return token
