"""Personal access tokens: created and revoked by HR or admins, shown once, stored hashed."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.auth import token_digest
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


def authenticate(session: Session, plain: str) -> ApiToken | None:
    """The active token matching `plain`, or None."""
    if not plain.startswith(PREFIX) or len(plain) > 100:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(plain)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
        write_at_commit(
            session,
            "api_token_touch",
            update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now),
        )
    return token
