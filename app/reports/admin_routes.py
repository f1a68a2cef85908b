"""Pages for API tokens (HR and admins); the audit log is app/audit/routes.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from app.db import SessionDep
from app.errors import NotFound
from app.i18n import gettext as _
from app.reports import tokens
from app.reports.models import ApiToken
from app.web.deps import CsrfChecked, HRUser
from app.web.templating import render

router = APIRouter()


@router.get("/laporan/token", name="api_tokens")
def api_tokens(request: Request, session: SessionDep, user: HRUser) -> Response:
    rows = session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    return render(request, "reports/tokens.html", {"tokens": rows})


@router.post("/laporan/token", name="api_token_create", dependencies=[CsrfChecked])
def api_token_create(
    request: Request,
    session: SessionDep,
    user: HRUser,
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    clean = " ".join(name.split())
    if not clean:
        rows = session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
        return render(
            request,
            "reports/tokens.html",
            {"tokens": rows, "error": _("Beri nama token, misalnya sistem yang memakainya.")},
            status_code=400,
        )
    _token, plain = tokens.create(session, clean, actor_id=user.id)
    rows = session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    return render(request, "reports/tokens.html", {"tokens": rows, "new_token": plain})


@router.post("/laporan/token/{token_id}/cabut", name="api_token_revoke", dependencies=[CsrfChecked])
def api_token_revoke(
    request: Request, session: SessionDep, user: HRUser, token_id: int
) -> Response:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("Token tidak ditemukan."))
    tokens.revoke(session, token, actor_id=user.id)
    return RedirectResponse(request.app.url_path_for("api_tokens"), 303)
