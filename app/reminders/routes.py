"""HR's page of the reminders' sent log (`/pengingat`)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.reminders import log
from app.web.deps import HRUser
from app.web.templating import render

router = APIRouter(prefix="/pengingat")


@router.get("", name="reminder_log")
def reminder_log(
    request: Request,
    session: SessionDep,
    user: HRUser,
    status: Annotated[str, Query(max_length=10)] = "",
    halaman: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    chosen = status if status in log.STATUSES else ""
    page = log.sent_log(session, status=chosen or None, page=halaman)
    query = {"status": chosen} if chosen else {}
    return render(
        request,
        "reminders/log.html",
        {
            "page": page,
            "status": chosen,
            "mail_enabled": request.app.state.settings.mail_enabled,
            "page_url": lambda n: "?" + urlencode(query | {"halaman": n}),
        },
    )
