"""The trainer's and HR's class pages: scheduling and editing, the roll (marking by hand,
adding people by NIP), cancelling and finalising, and HR naming the responsible trainer;
once finalised, the roll links each credited attendee's observation page
(app/evaluation/observation.py) and a stand-alone class's observed behaviours can still be set.

Any trainer may schedule; every page of one session here answers only to those who manage it
(`ManagedClass`: HR, admins and its responsible trainer, app.classes.owner), others get 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.accounts.viewer import Viewer
from app.classes import attendance, finalise, listing, owner, roll, service
from app.classes.forms import SessionForm, parse_behaviours, validate
from app.classes.models import ClassSession
from app.classes.routes import FoundClass
from app.classes.service import ClassRuleError
from app.content.catalog import CourseView
from app.content.models import Course
from app.content.routes import Cache
from app.db import SessionDep, utcnow
from app.errors import Forbidden
from app.evaluation.observation import can_observe_class
from app.i18n import gettext as _
from app.web import confirm
from app.web.deps import CsrfChecked, HRUser, require_roles
from app.web.templating import render

router = APIRouter(prefix="/kelas")

Staff = Annotated[Viewer, Depends(require_roles(Role.TRAINER, Role.HR))]
MAX_NIPS = 500
MAX_BEHAVIOURS_TEXT = 4000  # ten sentences of 200 characters, with room for spaces


def managed_class(user: Staff, row: FoundClass) -> ClassSession:
    """The session, if the viewer manages it (a staff role first, then 404, then 403)."""
    if not owner.manages(user, row):
        raise Forbidden(owner.not_yours_message())
    return row


ManagedClass = Annotated[ClassSession, Depends(managed_class)]


def _courses(session: Session, cache: Cache) -> dict[str, CourseView]:
    return {c.code: c for c in cache.catalog(session).active()}


def _read_form(
    title: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=4000)] = "",
    course_code: Annotated[str, Form(max_length=40)] = "",
    jp: Annotated[str, Form(max_length=6)] = "",
    category: Annotated[str, Form(max_length=20)] = "",
    day: Annotated[str, Form(max_length=12)] = "",
    start: Annotated[str, Form(max_length=8)] = "",
    end: Annotated[str, Form(max_length=8)] = "",
    place: Annotated[str, Form(max_length=300)] = "",
    online_url: Annotated[str, Form(max_length=500)] = "",
    capacity: Annotated[str, Form(max_length=6)] = "",
    registration: Annotated[str, Form(max_length=10)] = "open",
    late_minutes: Annotated[str, Form(max_length=4)] = "",
    post_test: Annotated[str, Form(max_length=2)] = "",
    behaviours: Annotated[str, Form(max_length=MAX_BEHAVIOURS_TEXT)] = "",
) -> SessionForm:
    return SessionForm(
        title, description, course_code, jp, category, day, start, end, place, online_url,
        capacity, registration, late_minutes, post_test, behaviours,
    )  # fmt: skip


SubmittedForm = Annotated[SessionForm, Depends(_read_form)]


def _form_page(
    request: Request, session: Session, cache: Cache, form: SessionForm,
    row: ClassSession | None = None, errors: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    return render(
        request,
        "classes/form.html",
        {"form": form, "row": row, "errors": errors or {}, "courses": _courses(session, cache)},
        status_code=400 if errors else 200,
    )


def _manage_url(request: Request, row: ClassSession, status: str = "") -> str:
    url = str(request.app.url_path_for("class_manage", class_id=str(row.id)))
    return f"{url}?status={status}" if status else url


@router.get("/baru", name="class_new")
def class_new(request: Request, session: SessionDep, user: Staff, cache: Cache) -> Response:
    return _form_page(request, session, cache, SessionForm())


@router.post("/baru", name="class_create", dependencies=[CsrfChecked])
def class_create(
    request: Request, session: SessionDep, user: Staff, cache: Cache, form: SubmittedForm
) -> Response:
    values, errors = validate(form, _courses(session, cache))
    if values is None:
        return _form_page(request, session, cache, form, errors=errors)
    row = service.schedule(
        session, values, actor_id=user.id, trainer_id=owner.default_trainer(user)
    )
    return RedirectResponse(_manage_url(request, row, "dijadwalkan"), 303)


@router.get("/{class_id}/ubah", name="class_edit")
def class_edit(
    request: Request, session: SessionDep, user: Staff, cache: Cache, row: ManagedClass
) -> Response:
    course = session.get(Course, row.course_id) if row.course_id is not None else None
    return _form_page(
        request, session, cache, SessionForm.of(row, course.code if course else ""), row
    )


@router.post("/{class_id}/ubah", name="class_update", dependencies=[CsrfChecked])
def class_update(
    request: Request, session: SessionDep, user: Staff, cache: Cache, row: ManagedClass,
    form: SubmittedForm,
) -> Response:  # fmt: skip
    values, errors = validate(form, _courses(session, cache))
    if values is None:
        return _form_page(request, session, cache, form, row, errors)
    try:
        service.edit(session, row, values, actor_id=user.id)
    except ClassRuleError as exc:
        return _form_page(request, session, cache, form, row, {"status": str(exc)})
    return RedirectResponse(_manage_url(request, row, "disimpan"), 303)


def _manage_page(
    request: Request, session: Session, user: Viewer, row: ClassSession, *,
    error: str | None = None, behaviours: str | None = None,
) -> Response:  # fmt: skip
    roll_lines = listing.roll(session, row.id)
    observable = row.status == "finalised" and can_observe_class(user, row)
    return render(
        request,
        "classes/manage.html",
        {
            "row": row,
            "trainer_name": owner.trainer_name(session, row),
            "trainers": owner.trainers(session) if owner.manages_all(user) else [],
            "roll": roll_lines,
            "awaiting": sum(line.registration.awaits_post_test for line in roll_lines),
            # Each credited attendee's completion, for the observation links.
            "completions": listing.completions(session, row) if observable else {},
            "behaviours": "\n".join(row.observed_behaviours or ())
            if behaviours is None
            else behaviours,
            "taken": service.seats_taken(session, row.id),
            "minutes": attendance.session_minutes(row.starts_at, row.ends_at),
            "min_percent": request.app.state.settings.class_min_attendance_percent,
            "check_in_open": roll.check_in_open(row, utcnow()),
            "notice": request.query_params.get("status"),
            "error": error,
        },
        status_code=400 if error else 200,
    )


@router.get("/{class_id}/kelola", name="class_manage")
def class_manage(request: Request, session: SessionDep, user: Staff, row: ManagedClass) -> Response:
    return _manage_page(request, session, user, row)


@router.post("/{class_id}/presensi", name="class_mark", dependencies=[CsrfChecked])
def class_mark(
    request: Request, session: SessionDep, user: Staff, row: ManagedClass,
    user_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    mark: Annotated[str, Form(max_length=10)] = "",
    minutes: Annotated[str, Form(max_length=6)] = "",
) -> Response:  # fmt: skip
    typed = minutes.strip()
    try:
        roll.mark(
            session, row, user_id, mark, minutes=int(typed) if typed.isdigit() else None,
            actor_id=user.id,
        )  # fmt: skip
    except ClassRuleError as exc:
        return _manage_page(request, session, user, row, error=str(exc))
    return RedirectResponse(_manage_url(request, row, "presensi") + f"#p{user_id}", 303)


@router.post("/{class_id}/peserta", name="class_add_people", dependencies=[CsrfChecked])
def class_add_people(
    request: Request, session: SessionDep, user: Staff, row: ManagedClass,
    nips: Annotated[str, Form(max_length=20 * MAX_NIPS)] = "",
) -> Response:  # fmt: skip
    wanted = nips.replace(",", "\n").split()
    if not wanted:
        return _manage_page(
            request, session, user, row, error=_("Tuliskan paling sedikit satu NIP.")
        )
    found = {
        nip: uid
        for nip, uid in session.execute(
            select(User.nip, User.id).where(User.nip.in_(wanted[:MAX_NIPS]))
        )
    }
    unknown = [(i + 1, n) for i, n in enumerate(wanted) if n not in found]
    if unknown:
        listed = ", ".join(f"{_('baris')} {line}: {n}" for line, n in unknown[:10])
        message = _("NIP tidak dikenal, belum ada yang ditambahkan: {list}.")
        return _manage_page(request, session, user, row, error=message.format(list=listed))
    try:
        for nip in wanted:
            service.register(session, row, found[nip], actor_id=user.id, source="assigned")
    except ClassRuleError as exc:  # a cancelled or finalised session: refused before any row
        return _manage_page(request, session, user, row, error=str(exc))
    return RedirectResponse(_manage_url(request, row, "ditambahkan"), 303)


@router.post("/{class_id}/perilaku", name="class_behaviours", dependencies=[CsrfChecked])
def class_behaviours(
    request: Request, session: SessionDep, user: Staff, row: ManagedClass,
    behaviours: Annotated[str, Form(max_length=MAX_BEHAVIOURS_TEXT)] = "",
) -> Response:  # fmt: skip
    """A stand-alone class's observed behaviours, also after finalising (observers come later)."""
    items, problem = parse_behaviours(behaviours)
    try:
        if problem:
            raise ClassRuleError(problem)
        service.set_behaviours(session, row, items, actor_id=user.id)
    except ClassRuleError as exc:
        return _manage_page(request, session, user, row, error=str(exc), behaviours=behaviours)
    return RedirectResponse(_manage_url(request, row, "perilaku") + "#h-perilaku", 303)


@router.post("/{class_id}/batalkan", name="class_cancel", dependencies=[CsrfChecked])
def class_cancel(
    request: Request, session: SessionDep, user: Staff, row: ManagedClass,
    reason: Annotated[str, Form(max_length=300)] = "",
    konfirmasi: Annotated[str, Form(max_length=10)] = "",
) -> Response:  # fmt: skip
    if row.status == "scheduled" and reason.strip() and not confirm.is_confirmed(konfirmasi):
        return confirm.confirmation_page(
            request,
            title=_("Batalkan kelas {title}?").format(title=row.title),
            consequence=_(
                "Kelas tidak dapat dijadwalkan ulang setelah dibatalkan, dan presensi tidak "
                "dapat diisi lagi. Peserta melihat alasan ini: {reason}"
            ).format(reason=reason.strip()),
            confirm_label=_("Ya, batalkan kelas"),
            cancel_url=_manage_url(request, row),
            fields={"reason": reason},
        )
    try:
        service.cancel_session(session, row, actor_id=user.id, reason=reason)
    except ClassRuleError as exc:
        return _manage_page(request, session, user, row, error=str(exc))
    return RedirectResponse(_manage_url(request, row, "dibatalkan"), 303)


def _course_view(session: Session, cache: Cache, row: ClassSession) -> CourseView | None:
    """The catalogue view of the session's course (its final test, passing score), if any."""
    course = session.get(Course, row.course_id) if row.course_id is not None else None
    return cache.catalog(session).by_code.get(course.code) if course is not None else None


@router.post("/{class_id}/finalkan", name="class_finalise", dependencies=[CsrfChecked])
def class_finalise(
    request: Request, session: SessionDep, user: Staff, cache: Cache, row: ManagedClass,
    konfirmasi: Annotated[str, Form(max_length=10)] = "",
) -> Response:  # fmt: skip
    settings = request.app.state.settings
    view = _course_view(session, cache, row)
    if row.post_test_required and view is None:
        message = _(
            "Kursus kelas ini tidak lagi tersedia, sehingga post-test tidak dapat diperiksa."
        )
        return _manage_page(request, session, user, row, error=message)
    if row.status == "scheduled" and not confirm.is_confirmed(konfirmasi):
        # Finalising issues certificates and credits JP: it cannot be undone in one click.
        qualifying, others, awaiting = finalise.finalise_preview(
            session, row, settings.class_min_attendance_percent, view
        )
        consequence = _(
            "{n} peserta mendapat {jp} JP dan sertifikat; {m} peserta lainnya tidak "
            "memenuhi syarat kehadiran. Setelah difinalkan, presensi tidak dapat diubah."
        ).format(n=qualifying, jp=row.jp, m=others)
        if row.post_test_required:
            consequence += " " + _(
                "{k} peserta hadir belum lulus post-test: mereka mendapat JP setelah lulus."
            ).format(k=awaiting)
        return confirm.confirmation_page(
            request,
            title=_("Finalkan kelas {title}?").format(title=row.title),
            consequence=consequence,
            confirm_label=_("Ya, finalkan dan catat JP"),
            cancel_url=_manage_url(request, row),
        )
    try:
        finalise.finalise(
            session, row, actor_id=user.id, now=utcnow(),
            min_percent=settings.class_min_attendance_percent, view=view,
        )  # fmt: skip
    except ClassRuleError as exc:
        return _manage_page(request, session, user, row, error=str(exc))
    return RedirectResponse(_manage_url(request, row, "difinalkan"), 303)


@router.post("/{class_id}/pelatih", name="class_trainer", dependencies=[CsrfChecked])
def class_trainer(
    request: Request, session: SessionDep, user: HRUser, row: FoundClass,
    trainer_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:  # fmt: skip
    """HR names the session's responsible trainer (empty: none, HR manages it alone)."""
    typed = trainer_id.strip()
    if typed and not typed.isdigit():
        return _manage_page(
            request,
            session,
            user,
            row,
            error=_("Pilih pengguna aktif yang memiliki peran pelatih."),
        )
    try:
        owner.change_trainer(session, row, int(typed) if typed else None, actor_id=user.id)
    except ClassRuleError as exc:
        return _manage_page(request, session, user, row, error=str(exc))
    return RedirectResponse(_manage_url(request, row, "pelatih"), 303)
