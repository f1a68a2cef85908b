"""Certificates: download the stored signed PDF, the public verification page with its upload
check, revocation (admin) and re-issue (HR or admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.accounts.nip import display as display_nip
from app.accounts.nip import mask as mask_nip
from app.content.catalog import CourseView
from app.db import SessionDep, utcnow
from app.errors import AppError, Forbidden, NotFound
from app.i18n import gettext as _
from app.learning import certificate_issue, certificate_snapshot, verify_throttle
from app.learning import completion as completion_service
from app.learning.models import Certificate, Completion
from app.web.deps import AdminUser, CsrfChecked, CurrentUser, HRUser, OptionalUser
from app.web.templating import render

router = APIRouter()

# A Lentera certificate is two pages and a QR code, well under 100 KB; anything much larger
# cannot be one. The form body limit (app.web.body_limit) stops far larger uploads before this.
MAX_CHECK_BYTES = 200 * 1024
NUMBER_LENGTH = 40


class CertificateRuleError(AppError):
    """A certificate rule stops the action; the message says which."""

    status_code = 409


def certificate_or_404(session: SessionDep, number: str) -> Certificate:
    """The certificate with this number, or 404."""
    certificate = session.scalar(
        select(Certificate).where(Certificate.number == number[:NUMBER_LENGTH])
    )
    if certificate is None:
        raise NotFound(_("Sertifikat dengan nomor {number} tidak ditemukan.").format(number=number))
    return certificate


CertificateByNumber = Annotated[Certificate, Depends(certificate_or_404)]


@router.get("/sertifikat/{number}.pdf", name="certificate_pdf")
def certificate_pdf(session: SessionDep, user: CurrentUser, number: str) -> Response:
    """The stored signed PDF, byte for byte as issued: its holder, HR and admins."""
    certificate = certificate_or_404(session, number)
    completion = session.get(Completion, certificate.completion_id)
    owner = completion is not None and completion.user_id == user.id
    if not owner and not user.has_role(Role.HR, Role.ADMIN):
        raise NotFound(_("Sertifikat dengan nomor {number} tidak ditemukan.").format(number=number))
    if certificate.revoked_at is not None and not user.has_role(Role.HR, Role.ADMIN):
        raise Forbidden(_("Sertifikat ini sudah dicabut."))
    if not certificate.full_name:
        raise NotFound(_("Berkas sertifikat ini dihapus bersama data pribadi pemegangnya."))
    pdf = certificate_issue.pdf_bytes(session, certificate, utcnow())
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="sertifikat-{certificate.number}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


def _verify_context(session: Session, certificate: Certificate | None) -> dict[str, object]:
    if certificate is None:
        return {"certificate": None}
    replaced_by = (
        session.get(Certificate, certificate.replaced_by_id) if certificate.replaced_by_id else None
    )
    replaces = (
        session.get(Certificate, certificate.replaces_id) if certificate.replaces_id else None
    )
    return {
        "certificate": certificate,
        "masked_nip": mask_nip(certificate.nip) if certificate.nip else None,
        "replaced_by": replaced_by,
        "replaces": replaces,
        "signature": certificate_issue.stored_signature(session, certificate),
        "max_check_kb": MAX_CHECK_BYTES // 1024,
    }


@router.get("/verifikasi/{number}", name="verify")
def verify(request: Request, session: SessionDep, user: OptionalUser, number: str) -> Response:
    """Public: is this certificate genuine, is its signature valid? Only the name, a masked
    NIP, the course and the dates are shown. Rate-limited per address (verify_throttle)."""
    refused = verify_throttle.limit(request, verify_throttle.VIEW)
    if refused is not None:
        return refused
    certificate = session.scalar(
        select(Certificate).where(Certificate.number == number[:NUMBER_LENGTH])
    )
    return render(
        request,
        "learning/verify.html",
        {"number": number[:NUMBER_LENGTH], **_verify_context(session, certificate)},
        status_code=200 if certificate else 404,
    )


@router.post("/verifikasi/{number}/periksa", name="verify_upload", dependencies=[CsrfChecked])
def verify_upload(
    request: Request,
    session: SessionDep,
    number: str,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Public: compare an uploaded PDF with the certificate as issued and check its signature.
    Rate-limited per address before any work (the signature check is CPU-heavy)."""
    refused = verify_throttle.limit(request, verify_throttle.CHECK)
    if refused is not None:
        return refused
    certificate = certificate_or_404(session, number)
    data = file.file.read(MAX_CHECK_BYTES + 1) if file is not None else b""
    problem = None
    check = None
    if not data:
        problem = _("Pilih berkas PDF sertifikat yang akan diperiksa.")
    elif len(data) > MAX_CHECK_BYTES:
        problem = _(
            "Berkas lebih besar dari {kb} KB, jadi bukan berkas sertifikat Lentera yang asli."
        ).format(kb=MAX_CHECK_BYTES // 1024)
    elif not data.startswith(b"%PDF-"):
        problem = _("Berkas ini bukan PDF.")
    else:
        check = certificate_issue.check_upload(certificate, data)
    return render(
        request,
        "learning/verify.html",
        {
            "number": certificate.number,
            **_verify_context(session, certificate),
            "upload_problem": problem,
            "upload_check": check,
        },
        status_code=400 if problem else 200,
    )


@router.post("/sertifikat/{number}/cabut", name="certificate_revoke", dependencies=[CsrfChecked])
def certificate_revoke(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    certificate: CertificateByNumber,
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    if not reason.strip():
        raise CertificateRuleError(_("Tuliskan alasan pencabutan sertifikat."))
    if certificate.revoked_at is None:
        completion_service.revoke_certificate(
            session, certificate, actor_id=user.id, reason=reason.strip(), now=utcnow()
        )
    return RedirectResponse(request.app.url_path_for("verify", number=certificate.number), 303)


def _completed_view(request: Request, session: Session, completion: Completion) -> CourseView:
    """The course version the person completed (its modules and minutes print)."""
    content = request.app.state.content
    view: CourseView | None = None
    if completion.course_version_id is not None:
        view = content.version_view(session, completion.course_version_id)
    if view is None:
        view = next(
            (v for v in content.catalog(session).by_code.values()
             if v.course_id == completion.course_id),
            None,
        )  # fmt: skip
    if view is None:
        raise CertificateRuleError(_("Kursus sertifikat ini tidak lagi tersedia di Lentera."))
    return view


def _reissue_page(
    request: Request,
    session: Session,
    certificate: Certificate,
    *,
    error: str | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    completion = session.get(Completion, certificate.completion_id)
    person = session.get(User, completion.user_id) if completion else None
    frozen = certificate_snapshot.from_json(certificate.snapshot) if certificate.snapshot else None
    return render(
        request,
        "learning/certificate_reissue.html",
        {
            "certificate": certificate,
            "frozen": frozen,
            "person": person,
            "person_nip": display_nip(person.nip) if person else "",
            "authority": certificate_issue.current().authority,
            "error": error,
            "reason": reason,
        },
        status_code=status_code,
    )


@router.get("/sertifikat/{number}/terbitkan-ulang", name="certificate_reissue_form")
def certificate_reissue_form(
    request: Request, session: SessionDep, user: HRUser, certificate: CertificateByNumber
) -> Response:
    """HR or admin: what a re-issue would change, and the form to do it."""
    return _reissue_page(request, session, certificate)


@router.post(
    "/sertifikat/{number}/terbitkan-ulang",
    name="certificate_reissue",
    dependencies=[CsrfChecked],
)
def certificate_reissue(
    request: Request,
    session: SessionDep,
    user: HRUser,
    certificate: CertificateByNumber,
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """HR or admin: replace the certificate by a new number from today's profile and settings."""
    reason = " ".join(reason.split())
    if not reason:
        return _reissue_page(
            request,
            session,
            certificate,
            error=_("Tuliskan alasan penerbitan ulang (misalnya: perbaikan penulisan nama)."),
            status_code=400,
        )
    completion = session.get(Completion, certificate.completion_id)
    assert completion is not None
    person = session.get(User, completion.user_id)
    assert person is not None
    try:
        new = completion_service.reissue_certificate(
            session,
            certificate,
            person=person,
            # A class certificate is re-issued from what it froze, not from a course.
            view=(
                _completed_view(request, session, completion)
                if completion.class_session_id is None
                else None
            ),
            actor_id=user.id,
            reason=reason,
            now=utcnow(),
        )
    except completion_service.ReissueError as exc:
        return _reissue_page(
            request, session, certificate, error=str(exc), reason=reason, status_code=409
        )
    return RedirectResponse(request.app.url_path_for("verify", number=new.number), 303)
