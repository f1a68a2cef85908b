"""HR's page to assign mandatory training."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from app import clock
from app.accounts.models import Unit
from app.content.routes import Cache
from app.db import SessionDep
from app.i18n import gettext as _
from app.learning import assignments
from app.web.deps import CsrfChecked, HRUser
from app.web.templating import render

router = APIRouter(prefix="/pegawai")


def _form_context(request: Request, session: SessionDep, cache: Cache) -> dict[str, object]:
    return {
        "courses": cache.catalog(session).active(),
        "units": session.scalars(select(Unit).order_by(Unit.name)).all(),
    }


@router.get("/penugasan", name="assignment_form")
def assignment_form(request: Request, session: SessionDep, user: HRUser, cache: Cache) -> Response:
    return render(request, "learning/assign.html", _form_context(request, session, cache))


@router.post("/penugasan", name="assignment_submit", dependencies=[CsrfChecked])
def assignment_submit(
    request: Request,
    session: SessionDep,
    user: HRUser,
    cache: Cache,
    course: Annotated[str, Form(max_length=40)] = "",
    unit_id: Annotated[str, Form(max_length=12)] = "",
    nips: Annotated[str, Form(max_length=20000)] = "",
    due_on: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    context = _form_context(request, session, cache) | {
        "values": {"course": course, "unit_id": unit_id, "nips": nips, "due_on": due_on}
    }
    errors: list[str] = []
    view = cache.catalog(session).by_code.get(course)
    if view is None or view.status != "active":
        errors.append(_("Pilih kursus yang akan ditugaskan."))
    try:
        due = date.fromisoformat(due_on)
        if due < clock.today():
            errors.append(_("Tenggat tidak boleh sebelum hari ini."))
    except ValueError:
        errors.append(_("Isi tenggat dengan tanggal yang valid."))
        due = clock.today()
    unit = int(unit_id) if unit_id.isdigit() else None
    nip_list = nips.replace(",", "\n").split()
    if unit is None and not nip_list:
        errors.append(_("Pilih unit kerja atau tuliskan NIP pegawai (satu per baris)."))
    people, unknown = assignments.people_for(session, unit, nip_list)
    if unknown:
        errors.append(
            _("NIP berikut tidak terdaftar: {nips}. Tidak ada yang ditugaskan.").format(
                nips=", ".join(unknown[:20])
            )
        )
    if not errors and not people:
        errors.append(_("Tidak ada pegawai aktif di unit kerja itu."))
    if errors or view is None:
        return render(
            request, "learning/assign.html", context | {"errors": errors}, status_code=400
        )
    report = assignments.assign(session, view, people, due, actor_id=user.id, unit_id=unit)
    return render(
        request,
        "learning/assign.html",
        _form_context(request, session, cache) | {"report": report, "assigned_course": view},
    )
