"""Choosing the interface language: remembered in a cookie and, when logged in, on the user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import update

from app.accounts.models import User
from app.db import SessionDep
from app.i18n import SUPPORTED_LOCALES
from app.web.deps import CsrfChecked, OptionalUser

router = APIRouter()
COOKIE = "lentera_lang"


def _safe_back(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.post("/bahasa", name="set_language", dependencies=[CsrfChecked])
def set_language(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    lang: Annotated[str, Form(max_length=5)] = "id",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    chosen = lang if lang in SUPPORTED_LOCALES else "id"
    if user is not None:
        session.execute(update(User).where(User.id == user.id).values(locale=chosen))
    response = RedirectResponse(_safe_back(next), status_code=303)
    response.set_cookie(COOKIE, chosen, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
