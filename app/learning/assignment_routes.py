"""HR's pages to assign mandatory training, list what was assigned, re-date and cancel."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from app import clock
from app.accounts.models import Unit
from app.content.routes import Cache
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import gettext as _
from app.learning import assignments
from app.learning.models import Assignment
from app.reminders import whatsapp as reminder_links
from app.web.deps import CsrfChecked, HRUser
from app.web.params import PathId
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
    jabatan: Annotated[str, Form(max_length=200)] = "",
    due_on: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    context = _form_context(request, session, cache) | {
        "values": {
            "course": course,
            "unit_id": unit_id,
            "nips": nips,
            "jabatan": jabatan,
            "due_on": due_on,
        }
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
    jabatan = " ".join(jabatan.split())
    if jabatan and not jabatan.strip("* "):
        errors.append(_("Tuliskan jabatan, tidak hanya tanda *."))
    if unit is None and not nip_list and not jabatan:
        errors.append(
            _("Pilih unit kerja, tuliskan jabatan, atau tuliskan NIP pegawai (satu per baris).")
        )
    people, unknown = assignments.people_for(session, unit, nip_list)
    if jabatan:
        known = {p.id for p in people}
        people += [p for p in assignments.people_by_jabatan(session, jabatan) if p.id not in known]
    if unknown:
        errors.append(
            _("NIP berikut tidak terdaftar: {nips}. Tidak ada yang ditugaskan.").format(
                nips=", ".join(unknown[:20])
            )
        )
    if not errors and not people:
        errors.append(_("Tidak ada pegawai aktif di unit kerja atau dengan jabatan itu."))
    if errors or view is None:
        return render(
            request, "learning/assign.html", context | {"errors": errors}, status_code=400
        )
    report = assignments.assign(
        session, view, people, due, actor_id=user.id, unit_id=unit, jabatan=jabatan or None
    )
    return render(
        request,
        "learning/assign.html",
        _form_context(request, session, cache) | {"report": report, "assigned_course": view},
    )


# --- the list, re-dating and cancelling ----------------------------------------------------------

_FILTER_KEYS = ("kursus", "unit", "dari", "sampai", "terlambat", "halaman")


def _date_or_none(text: str) -> date | None:
    # Empty (or unreadable) date fields mean no filter, never a 400.
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/penugasan/daftar", name="assignment_list")
def assignment_list(
    request: Request,
    session: SessionDep,
    user: HRUser,
    cache: Cache,
    kursus: Annotated[str, Query(max_length=40)] = "",
    unit: Annotated[str, Query(max_length=12)] = "",
    dari: Annotated[str, Query(max_length=10)] = "",
    sampai: Annotated[str, Query(max_length=10)] = "",
    terlambat: Annotated[str, Query(max_length=1)] = "",
    halaman: Annotated[int, Query(ge=1, le=100000)] = 1,
    status: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    catalog = cache.catalog(session)
    view = catalog.by_code.get(kursus)
    filters = assignments.ListFilters(
        course_id=view.course_id if view else None,
        unit_id=int(unit) if unit.isdigit() else None,
        due_from=_date_or_none(dari),
        due_to=_date_or_none(sampai),
        overdue_only=terlambat == "1",
    )
    today = clock.today()
    page = assignments.list_assignments(session, catalog, filters, today=today, page=halaman)
    values = {
        "kursus": kursus,
        "unit": unit,
        "dari": dari,
        "sampai": sampai,
        "terlambat": terlambat,
    }
    query = {k: v for k, v in values.items() if v}
    settings = request.app.state.settings
    # A WhatsApp link for each open assignment of someone whose number is known.
    whatsapp = {
        row.id: reminder_links.assignment_chat_url(
            settings, phone=row.phone, name=row.full_name, course_title=row.course_title,
            course_code=row.course_code, due_on=row.due_on, today=today, locale=row.locale,
        )
        for row in page.rows
        if row.phone and not row.done
    }  # fmt: skip
    return render(
        request,
        "learning/assignments.html",
        _form_context(request, session, cache)
        | {
            "page": page,
            "filters": filters,
            "values": values,
            "today": today,
            "whatsapp": whatsapp,
            "mail_enabled": settings.mail_enabled,
            "status": status if status in {"diubah", "dibatalkan"} else "",
            "back": urlencode(query | {"halaman": page.page}),
            "page_url": lambda n: "?" + urlencode(query | {"halaman": n}),
        },
    )


def assignment_or_404(assignment_id: PathId, session: SessionDep, user: HRUser) -> Assignment:
    """The assignment with this id (HR and admins only), else 404."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound(_("Penugasan ini tidak ditemukan (mungkin sudah dibatalkan)."))
    return assignment


FoundAssignment = Annotated[Assignment, Depends(assignment_or_404)]


def _back_to_list(request: Request, back: str, status: str) -> RedirectResponse:
    # Only the list's own filters go back into the URL, re-encoded: never a URL from the form.
    kept = {k: v for k, v in parse_qsl(back) if k in _FILTER_KEYS}
    url = request.app.url_path_for("assignment_list")
    return RedirectResponse(f"{url}?{urlencode(kept | {'status': status})}", status_code=303)


@router.post(
    "/penugasan/{assignment_id}/tenggat", name="assignment_redate", dependencies=[CsrfChecked]
)
def assignment_redate(
    request: Request,
    session: SessionDep,
    user: HRUser,
    assignment: FoundAssignment,
    due_on: Annotated[str, Form(max_length=40)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    due = _date_or_none(due_on)
    if due is None or due < clock.today():
        return render(
            request,
            "learning/assignment_error.html",
            {"message": _("Isi tenggat baru dengan tanggal mulai hari ini."), "back": back},
            status_code=400,
        )
    assignments.change_due_date(session, assignment, due, actor_id=user.id)
    return _back_to_list(request, back, "diubah")


@router.post(
    "/penugasan/{assignment_id}/batalkan", name="assignment_cancel", dependencies=[CsrfChecked]
)
def assignment_cancel(
    request: Request,
    session: SessionDep,
    user: HRUser,
    assignment: FoundAssignment,
    reason: Annotated[str, Form(max_length=300)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    reason = " ".join(reason.split())
    if len(reason) < 5:
        return render(
            request,
            "learning/assignment_error.html",
            {"message": _("Tuliskan alasan pembatalan (paling sedikit 5 karakter)."), "back": back},
            status_code=400,
        )
    assignments.cancel(session, assignment, reason, actor_id=user.id)
    return _back_to_list(request, back, "dibatalkan")
