"""The learner's learning record (riwayat belajar) and external learning, and HR's queue."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from app import clock
from app.accounts.models import Role
from app.accounts.viewer import Person
from app.db import SessionDep
from app.errors import AppError, NotFound
from app.evaluation import observation_learner
from app.i18n import gettext as _
from app.learning import external, jp
from app.learning.models import ExternalLearning
from app.learning.record_export import record_csv, record_pdf
from app.web.deps import CsrfChecked, CurrentUser, HRUser
from app.web.params import PathId, QueryYear
from app.web.templating import render

router = APIRouter()
MB = 1024 * 1024


def selected_year(tahun: QueryYear = None) -> int | None:
    """The year asked for with ?tahun=; None for the person's current year (`jp.current_year`:
    a PPPK's contract year may have begun last calendar year)."""
    current = clock.today().year
    if tahun is None:
        return None
    if not jp.EARLIEST_YEAR <= tahun <= current:
        raise AppError(
            _("Pilih tahun antara {first} dan {last}.").format(first=jp.EARLIEST_YEAR, last=current)
        )
    return tahun


Year = Annotated[int | None, Depends(selected_year)]


def _attachment(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition value that survives non-ASCII names (RFC 6266)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# --- the learner's record ---------------------------------------------------------------------


@router.get("/riwayat", name="learning_record")
def learning_record(
    request: Request, session: SessionDep, user: CurrentUser, year: Year
) -> Response:
    settings = request.app.state.settings
    year = jp.current_year(session, user) if year is None else year
    record = jp.jp_for_person(session, user, year, settings)
    years = sorted({year, *jp.record_years(session, user.id)}, reverse=True)
    completion_ids = [e.completion_id for e in record.lentera_entries if e.completion_id]
    return render(
        request,
        "learning/record.html",
        {
            "record": record,
            "years": years,
            # Observations of the learner's work after each course or class (Kirkpatrick 3).
            "observed": observation_learner.lines_for(session, user.id, completion_ids),
            "observer_roles": observation_learner.role_labels(),
            "average_text": observation_learner.average_text,
            "external": jp.submissions_in(session, user.id, record.window or year),
        },
    )


@router.get("/riwayat/unduh.csv", name="learning_record_csv")
def learning_record_csv(
    request: Request, session: SessionDep, user: CurrentUser, year: Year
) -> Response:
    settings = request.app.state.settings
    year = jp.current_year(session, user) if year is None else year
    record = jp.jp_for_person(session, user, year, settings)
    return Response(
        record_csv(record, issuer=settings.issuer_name),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": _attachment(f"riwayat-belajar-{year}.csv"),
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/riwayat/unduh.pdf", name="learning_record_pdf")
def learning_record_pdf(
    request: Request, session: SessionDep, user: CurrentUser, year: Year
) -> Response:
    year = jp.current_year(session, user) if year is None else year
    return record_pdf_response(request, session, user, year)


def record_pdf_response(
    request: Request, session: SessionDep, person: Person, year: int
) -> Response:
    """`person`'s PDF record of `year`: the same file for the learner and for HR."""
    settings = request.app.state.settings
    record = jp.jp_for_person(session, person, year, settings)
    pdf = record_pdf(
        record,
        full_name=person.full_name,
        nip=person.nip,
        employee_type=person.employee_type,
        unit_kerja=person.unit_name or "",
        generated_on=clock.today(),
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": _attachment(f"riwayat-belajar-{year}.pdf"),
            "Cache-Control": "private, no-store",
        },
    )


# --- external learning ------------------------------------------------------------------------


def _form_page(
    request: Request,
    raw: external.RawSubmission,
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "learning/external_form.html",
        {
            "raw": raw,
            "errors": errors or {},
            "categories": external.CATEGORIES,
            "today": clock.today().isoformat(),
            "earliest": f"{jp.EARLIEST_YEAR}-01-01",
            "max_jp": external.MAX_JP,
            "max_mb": request.app.state.settings.max_upload_mb,
        },
        status_code=status_code,
    )


@router.get("/riwayat/eksternal", name="external_form")
def external_form(request: Request, user: CurrentUser) -> Response:
    return _form_page(request, external.RawSubmission())


@router.post("/riwayat/eksternal", name="external_submit", dependencies=[CsrfChecked])
def external_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    title: Annotated[str, Form()] = "",
    organiser: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    start_on: Annotated[str, Form()] = "",
    end_on: Annotated[str, Form()] = "",
    jp_value: Annotated[str, Form(alias="jp")] = "",
    certificate_number: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    raw = external.RawSubmission(
        title=title,
        organiser=organiser,
        category=category,
        start_on=start_on,
        end_on=end_on,
        jp=jp_value,
        certificate_number=certificate_number,
    )
    limit = request.app.state.settings.max_upload_mb * MB
    data = file.file.read(limit + 1) if file is not None else b""
    try:
        checked = external.check_submission(
            raw,
            (file.filename or "") if file is not None else "",
            data,
            today=clock.today(),
            max_bytes=limit,
        )
        row = external.submit(session, user.id, checked)
    except external.InvalidSubmission as exc:
        return _form_page(request, raw, exc.errors, status_code=400)
    target = request.app.url_path_for("learning_record")
    return RedirectResponse(f"{target}?tahun={row.end_on.year}&terkirim=1", status_code=303)


def visible_submission(
    external_id: PathId, session: SessionDep, user: CurrentUser
) -> ExternalLearning:
    """A submission its owner, HR or an admin may see; 404 for anyone else (not 403, so
    nobody learns which ids exist)."""
    row = session.get(ExternalLearning, external_id)
    if row is None or (row.user_id != user.id and not user.has_role(Role.HR, Role.ADMIN)):
        raise NotFound(_("Berkas ini tidak ditemukan."))
    return row


VisibleSubmission = Annotated[ExternalLearning, Depends(visible_submission)]


@router.get("/riwayat/eksternal/{external_id}/berkas", name="external_file")
def external_file(session: SessionDep, user: CurrentUser, row: VisibleSubmission) -> Response:
    return Response(
        external.file_of(session, row),
        media_type=row.file_type,
        headers={
            "Content-Disposition": _attachment(row.file_name, "inline"),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",  # HR opens it too: never kept
        },
    )


# --- HR's verification queue ------------------------------------------------------------------


def _queue_page(
    request: Request,
    session: SessionDep,
    *,
    error: str | None = None,
    error_id: int | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    items = external.pending_queue(session)
    return render(
        request,
        "learning/external_queue.html",
        {
            "items": items,
            "total": external.pending_count(session),
            "error": error,
            "error_id": error_id,
            "reason": reason,
        },
        status_code=status_code,
    )


@router.get("/pegawai/verifikasi", name="external_queue")
def external_queue(request: Request, session: SessionDep, user: HRUser) -> Response:
    return _queue_page(request, session)


@router.post(
    "/pegawai/verifikasi/{external_id}", name="external_decide", dependencies=[CsrfChecked]
)
def external_decide(
    request: Request,
    session: SessionDep,
    user: HRUser,
    external_id: PathId,
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        if action not in ("verify", "reject"):
            raise external.DecisionRefused(_("Pilih Verifikasi atau Tolak."))
        row = external.decide(
            session, external_id, actor_id=user.id, verify=action == "verify", reason=reason
        )
    except (external.AlreadyDecided, external.DecisionRefused) as exc:
        return _queue_page(
            request,
            session,
            error=exc.message,
            error_id=external_id,
            reason=reason,
            status_code=exc.status_code,
        )
    outcome = "diverifikasi" if row.status == "verified" else "ditolak"
    target = request.app.url_path_for("external_queue")
    return RedirectResponse(f"{target}?hasil={outcome}", status_code=303)
