"""Pages for API tokens (HR and admins); the audit log is app/audit/routes.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from app.db import SessionDep, utcnow
from app.errors import NotFound
from app.i18n import gettext as _
from app.reports import tokens
from app.reports.models import ApiToken
from app.web import confirm
from app.web.deps import CsrfChecked, HRUser
from app.web.params import PathId
from app.web.templating import render

router = APIRouter()


def _token_page(
    request: Request, session: SessionDep, status_code: int = 200, **extra: object
) -> Response:
    """The token list with each token's expiry (LENTERA_API_TOKEN_MAX_DAYS after creation)."""
    max_days: int = request.app.state.settings.api_token_max_days
    rows = session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    now = utcnow()
    listed = [
        TokenRow(token=t, expires_at=tokens.expires_at(t, max_days),
                 expired=now >= tokens.expires_at(t, max_days))
        for t in rows
    ]  # fmt: skip
    return render(
        request,
        "reports/tokens.html",
        {"tokens": listed, "max_days": max_days, **extra},
        status_code=status_code,
    )


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    expires_at: datetime
    expired: bool


@router.get("/laporan/token", name="api_tokens")
def api_tokens(request: Request, session: SessionDep, user: HRUser) -> Response:
    return _token_page(request, session)


@router.post("/laporan/token", name="api_token_create", dependencies=[CsrfChecked])
def api_token_create(
    request: Request,
    session: SessionDep,
    user: HRUser,
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    clean = " ".join(name.split())
    if not clean:
        return _token_page(
            request,
            session,
            status_code=400,
            error=_("Beri nama token, misalnya sistem yang memakainya."),
        )
    _token, plain = tokens.create(session, clean, actor_id=user.id)
    return _token_page(request, session, new_token=plain)


@router.post("/laporan/token/{token_id}/cabut", name="api_token_revoke", dependencies=[CsrfChecked])
def api_token_revoke(
    request: Request,
    session: SessionDep,
    user: HRUser,
    token_id: PathId,
    konfirmasi: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("Token tidak ditemukan."))
    if not confirm.is_confirmed(konfirmasi):
        return confirm.confirmation_page(
            request,
            title=_("Cabut token {name}?").format(name=token.name),
            consequence=_(
                "Sistem yang memakai token ini tidak bisa lagi membaca data Lentera. Token yang "
                "dicabut tidak bisa dipakai lagi; buat token baru bila perlu."
            ),
            confirm_label=_("Ya, cabut token"),
            cancel_url=request.app.url_path_for("api_tokens"),
        )
    tokens.revoke(session, token, actor_id=user.id)
    return RedirectResponse(request.app.url_path_for("api_tokens"), 303)
