"""The learner's class pages: upcoming sessions, one session, registering, checking in with
the attendance code, and calendar files. (The trainer's pages are manage_routes.py.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.classes import attendance, ics, listing, owner, post_test, roll, service
from app.classes.models import ClassRegistration, ClassSession
from app.classes.service import ClassRuleError
from app.content.models import Course
from app.db import SessionDep, utcnow
from app.errors import NotFound
from app.i18n import gettext as _
from app.web.deps import CsrfChecked, CurrentUser
from app.web.params import PathId
from app.web.templating import render

router = APIRouter(prefix="/kelas")

Code = Annotated[str, Query(max_length=20)]


def class_or_404(class_id: PathId, session: SessionDep) -> ClassSession:
    """The class session with this id, else 404."""
    row = session.get(ClassSession, class_id)
    if row is None:
        raise NotFound(_("Kelas ini tidak ditemukan."))
    return row


FoundClass = Annotated[ClassSession, Depends(class_or_404)]


def event_of(request: Request, row: ClassSession) -> ics.Event:
    """The calendar event of a session (its page's absolute address as URL)."""
    base = request.app.state.settings.base_url.rstrip("/")
    return ics.Event(
        session_id=row.id, title=row.title, description=row.description,
        starts_at=row.starts_at, ends_at=row.ends_at, location=row.place,
        url=base + request.app.url_path_for("class_page", class_id=str(row.id)),
        online_url=row.online_url, cancelled=row.status == "cancelled",
        updated_at=row.updated_at,
    )  # fmt: skip


def _calendar(request: Request, rows: list[ClassSession], name: str, filename: str) -> Response:
    body = ics.calendar(
        [event_of(request, r) for r in rows],
        base_url=request.app.state.settings.base_url, now=utcnow(), name=name,
    )  # fmt: skip
    return Response(
        body.encode(),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("", name="class_list")
def class_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    lines = listing.upcoming(session, utcnow(), user.id)
    return render(
        request,
        "classes/list.html",
        {
            "lines": lines,
            "mine": listing.for_learner(session, user.id, utcnow()),
            "can_schedule": user.has_role(Role.TRAINER, Role.HR, Role.ADMIN),
            # Which sessions the viewer manages (HR: all; a trainer: theirs, the others are
            # read-only for them) and their own id, to mark the ones they are responsible for.
            "managed": {line.row.id for line in lines if owner.manages(user, line.row)},
            "user_id": user.id,
        },
    )


@router.get("/jadwal-saya.ics", name="class_my_calendar")
def class_my_calendar(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    rows = [line.row for line in listing.for_learner(session, user.id, utcnow())]
    return _calendar(request, rows, _("Kelas saya di Lentera"), "kelas-saya.ics")


def _page(
    request: Request, session: Session, user: CurrentUser, row: ClassSession, **extra: object
) -> Response:
    line = listing.lines(session, [row], user.id)[0]
    course = session.get(Course, row.course_id) if row.course_id is not None else None
    status = 400 if extra.get("error") else 200
    return render(
        request,
        "classes/session.html",
        {
            "line": line,
            "row": row,
            "course_code": course.code if course else None,
            "can_manage": owner.manages(user, row),
            "post_test_open": course is not None
            and row.post_test_required
            and post_test.opens_final_test(session, user.id, course.id, utcnow()),
            "notice": request.query_params.get("status"),
            **extra,
        },
        status_code=status,
    )


@router.get("/{class_id}", name="class_page")
def class_page(
    request: Request, session: SessionDep, user: CurrentUser, row: FoundClass
) -> Response:
    return _page(request, session, user, row)


@router.get("/{class_id}/kelas.ics", name="class_calendar")
def class_calendar(
    request: Request, session: SessionDep, user: CurrentUser, row: FoundClass
) -> Response:
    return _calendar(request, [row], row.title, f"kelas-{row.id}.ics")


@router.post("/{class_id}/daftar", name="class_register", dependencies=[CsrfChecked])
def class_register(
    request: Request, session: SessionDep, user: CurrentUser, row: FoundClass
) -> Response:
    try:
        reg = service.register(session, row, user.id, actor_id=user.id)
    except ClassRuleError as exc:
        return _page(request, session, user, row, error=str(exc))
    url = request.app.url_path_for("class_page", class_id=str(row.id))
    return RedirectResponse(
        f"{url}?status={'terdaftar' if reg.status == 'registered' else 'menunggu'}", 303
    )


@router.post("/{class_id}/batal-daftar", name="class_unregister", dependencies=[CsrfChecked])
def class_unregister(
    request: Request, session: SessionDep, user: CurrentUser, row: FoundClass
) -> Response:
    try:
        service.unregister(session, row, user.id, actor_id=user.id)
    except ClassRuleError as exc:
        return _page(request, session, user, row, error=str(exc))
    url = request.app.url_path_for("class_page", class_id=str(row.id))
    return RedirectResponse(f"{url}?status=batal", 303)


def _check_in_page(
    request: Request,
    row: ClassSession,
    code: str,
    *,
    error: str | None = None,
    done: ClassRegistration | None = None,
) -> Response:
    return render(
        request, "classes/check_in.html", {"row": row, "code": code, "error": error, "done": done},
        status_code=400 if error else 200,
    )  # fmt: skip


@router.get("/{class_id}/hadir", name="class_check_in_form")
def class_check_in_form(
    request: Request, user: CurrentUser, row: FoundClass, kode: Code = ""
) -> Response:
    # GET only shows the form (prefilled from the QR code's link); the POST records.
    return _check_in_page(request, row, attendance.normalise(kode)[:12])


@router.post("/{class_id}/hadir", name="class_check_in", dependencies=[CsrfChecked])
def class_check_in(
    request: Request, session: SessionDep, user: CurrentUser, row: FoundClass,
    kode: Annotated[str, Form(max_length=20)] = "",
) -> Response:  # fmt: skip
    settings = request.app.state.settings
    try:
        registration = roll.check_in(
            session, settings.resolved_secret_key(), row, user.id, kode, utcnow(),
            late_minutes=settings.class_late_minutes,
        )  # fmt: skip
    except ClassRuleError as exc:
        return _check_in_page(request, row, attendance.normalise(kode)[:12], error=str(exc))
    return _check_in_page(request, row, "", done=registration)
