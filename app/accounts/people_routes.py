"""HR and admin pages for people: the employee list and the roster import."""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, or_, select

from app.accounts import roster
from app.accounts.models import Unit, User
from app.db import SessionDep
from app.i18n import gettext as _
from app.web.deps import CsrfChecked, HRUser
from app.web.params import QueryPage
from app.web.templating import render

router = APIRouter(prefix="/pegawai")
PAGE_SIZE = 50


@router.get("", name="people")
def people(
    request: Request,
    session: SessionDep,
    user: HRUser,
    q: str = "",
    halaman: QueryPage = 1,
) -> Response:
    query = select(User).outerjoin(Unit, User.unit_id == Unit.id)
    term = " ".join(q.split())[:100]
    if term:
        like = f"%{term.lower()}%"
        query = query.where(
            or_(
                func.lower(User.full_name).like(like),
                User.nip.like(f"{term}%"),
                func.lower(Unit.name).like(like),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, halaman)
    rows = session.scalars(
        query.order_by(User.full_name).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return render(
        request,
        "accounts/people.html",
        {
            "people": rows,
            "q": term,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
        },
    )


@router.get("/impor", name="roster_form")
def roster_form(request: Request, user: HRUser) -> Response:
    return render(request, "accounts/roster.html", {})


@router.post("/impor", name="roster_import", dependencies=[CsrfChecked])
def roster_import(
    request: Request,
    session: SessionDep,
    user: HRUser,
    file: Annotated[UploadFile, File()],
    skip_invalid: Annotated[bool, Form()] = False,
) -> Response:
    settings = request.app.state.settings
    limit = settings.max_upload_mb * 1024 * 1024
    # The upload is a spooled temporary file: measured and read as a stream, never in memory.
    size = file.file.seek(0, os.SEEK_END)
    context: dict[str, object] = {"filename": file.filename}
    if size > limit:
        context["error"] = _("Berkas lebih besar dari {mb} MB.").format(mb=settings.max_upload_mb)
        return render(request, "accounts/roster.html", context, status_code=413)
    if not size:
        context["error"] = _("Pilih berkas .csv atau .xlsx terlebih dahulu.")
        return render(request, "accounts/roster.html", context, status_code=400)
    try:
        report = roster.import_roster(
            session, file.filename or "", file.file, skip_invalid=skip_invalid, actor_id=user.id
        )
    except roster.RosterFileError as exc:
        context["error"] = str(exc)
        return render(request, "accounts/roster.html", context, status_code=400)
    context["report"] = report
    return render(
        request, "accounts/roster.html", context, status_code=200 if report.imported else 400
    )
