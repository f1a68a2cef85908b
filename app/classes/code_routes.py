"""The attendance-code screen a session's manager shows in the room: the current code and its
QR code, refreshing itself (app.classes.attendance says which codes are accepted)."""

from __future__ import annotations

import io
from typing import Annotated

import segno
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from app.classes import attendance, listing, roll
from app.classes.manage_routes import ManagedClass, Staff
from app.db import SessionDep, utcnow
from app.i18n import gettext as _
from app.web.templating import render

router = APIRouter(prefix="/kelas")


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG (no file, no script)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=6, xmldecl=False, svgns=True, title=_("Kode QR presensi"),
        svgclass="qr", lineclass=None, omitsize=False,
    )  # fmt: skip
    return Markup(buffer.getvalue().decode())  # noqa: S704 - segno's own SVG, no user text


@router.get("/{class_id}/kode", name="class_code")
def class_code(
    request: Request,
    session: SessionDep,
    user: Staff,
    row: ManagedClass,
    tetap: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """The code screen; it refreshes itself with the code unless `?tetap=1` (WCAG 2.2.1)."""
    now = utcnow()
    settings = request.app.state.settings
    code = attendance.current_code(settings.resolved_secret_key(), row.id, now)
    path = request.app.url_path_for("class_check_in_form", class_id=str(row.id))
    url = f"{settings.base_url.rstrip('/')}{path}?kode={code}"
    is_open = roll.check_in_open(row, now)
    return render(
        request,
        "classes/code.html",
        {
            "row": row, "open": is_open, "code": code if is_open else None,
            "qr": qr_svg(url) if is_open else None, "check_in_path": path,
            "refresh": attendance.seconds_left(now), "paused": tetap == "1", "present": sum(
                1 for line in listing.roll(session, row.id)
                if line.registration.attendance == "present"
            ),
        },
    )  # fmt: skip
