"""Pages for API tokens (HR and admins) and the audit log (admins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditChainHead, AuditEvent
from app.db import SessionDep, utcnow
from app.errors import BadRequest, NotFound
from app.i18n import gettext as _
from app.reports import tokens
from app.reports.completions import start_of_day
from app.reports.models import ApiToken
from app.web.deps import AdminUser, CsrfChecked, HRUser
from app.web.params import PathId, QueryId
from app.web.templating import render

router = APIRouter()
PAGE = 50


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
    request: Request, session: SessionDep, user: HRUser, token_id: PathId
) -> Response:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("Token tidak ditemukan."))
    tokens.revoke(session, token, actor_id=user.id)
    return RedirectResponse(request.app.url_path_for("api_tokens"), 303)


@router.get("/admin/audit", name="audit_log")
def audit_log(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    aksi: Annotated[str, Query(max_length=64)] = "",
    dari: Annotated[date | None, Query()] = None,
    sampai: Annotated[date | None, Query()] = None,
    sebelum: QueryId = None,
) -> Response:
    """The audit trail, newest first, filtered by action and dates, paged by id."""
    query = (
        select(AuditEvent, User.full_name, User.nip)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id.desc())
        .limit(PAGE + 1)
    )
    for value in (dari, sampai):
        if value is not None and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            raise BadRequest(_("Tanggal harus antara tahun 2000 dan 2100."))
    if aksi.strip():
        query = query.where(AuditEvent.action.startswith(aksi.strip()))
    if dari:
        query = query.where(AuditEvent.at >= start_of_day(dari))
    if sampai:
        query = query.where(AuditEvent.at < start_of_day(sampai) + timedelta(days=1))
    if sebelum:
        query = query.where(AuditEvent.id < sebelum)
    rows = session.execute(query).all()
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render(
        request,
        "reports/audit.html",
        {
            "events": rows,
            # One row: the chain's head. Walking the whole chain is `lentera audit verify`.
            "chain_head": session.get(AuditChainHead, 1),
            "next_before": rows[-1][0].id if more else None,
            "aksi": aksi,
            "dari": dari.isoformat() if dari else "",
            "sampai": sampai.isoformat() if sampai else "",
        },
    )
